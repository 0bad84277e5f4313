// libFuzzer target: the causal token parser and the timeline-history check on arbitrary bytes.
#include "core/causal_token.hpp"
#include "common/sqlstate.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

bool
same(const readscale::CausalToken &a, const readscale::CausalToken &b) {
	return a.system_identifier == b.system_identifier && a.timeline == b.timeline && a.lsn == b.lsn;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	std::string_view whole(reinterpret_cast<const char *>(data), size);
	auto parsed = readscale::parse_causal_token(whole);
	if (!parsed.ok()) {
		if (parsed.error().sqlstate() != readscale::sqlstate::kInvalidTextRepresentation)
			__builtin_trap();
	} else {
		/* Formatting is canonical: it parses back to the same token. */
		auto again = readscale::parse_causal_token(readscale::format_causal_token(parsed.value(), size % 2 == 0));
		if (!again.ok() || !same(again.value(), parsed.value()) || parsed.value().timeline == 0)
			__builtin_trap();
	}

	FuzzedDataProvider input(data, size);
	readscale::CausalToken token;
	token.system_identifier = input.ConsumeIntegral<std::uint64_t>();
	token.timeline = input.ConsumeIntegral<std::uint32_t>();
	token.lsn = input.ConsumeIntegral<std::uint64_t>();
	auto system_identifier = input.ConsumeBool() ? token.system_identifier : input.ConsumeIntegral<std::uint64_t>();
	auto current = input.ConsumeIntegral<std::uint32_t>();
	bool can_follow = input.ConsumeBool();
	std::vector<readscale::TimelineSwitch> history;
	while (input.remaining_bytes() > 0 && history.size() < 64)
		history.push_back({input.ConsumeIntegral<std::uint32_t>(), input.ConsumeIntegral<std::uint64_t>()});
	auto error = readscale::check_token_applies(token, system_identifier, current, history.data(), history.size(),
	                                            can_follow, input.ConsumeBool());
	/* The token's own timeline on the same cluster always applies. */
	if (system_identifier == token.system_identifier && current == token.timeline && error)
		__builtin_trap();
	if (error && (error->sqlstate() != readscale::sqlstate::kTokenNotApplicable || error->message().empty() ||
	              error->detail().empty()))
		__builtin_trap();
	return 0;
}
