// libFuzzer target: lag and slot policies on arbitrary input: LIKE patterns (checked against a
// reference matcher), most-specific match, thresholds and intervals, verdicts and guard decisions.
#include "core/lag_verdict.hpp"
#include "core/slot_policy.hpp"
#include "common/sqlstate.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

/* Straightforward recursive LIKE ("%", "_", "\" escapes); inputs are short, so exponential time is fine. */
bool
reference_like(std::string_view p, std::string_view t) {
	if (p.empty())
		return t.empty();
	if (p[0] == '%')
		return reference_like(p.substr(1), t) || (!t.empty() && reference_like(p, t.substr(1)));
	if (p[0] == '_')
		return !t.empty() && reference_like(p.substr(1), t.substr(1));
	if (p[0] == '\\') {
		if (p.size() == 1)
			return false;
		p.remove_prefix(1);
	}
	return !t.empty() && p[0] == t[0] && reference_like(p.substr(1), t.substr(1));
}

std::optional<std::int64_t>
maybe_int64(FuzzedDataProvider &input) {
	if (input.ConsumeBool())
		return std::nullopt;
	return input.ConsumeIntegral<std::int64_t>();
}

void
check_patterns(FuzzedDataProvider &input) {
	std::string pattern = input.ConsumeRandomLengthString(12);
	std::string name = input.ConsumeRandomLengthString(12);
	/* "%%%%..." against a long name is exponential for the reference: keep the pair short. */
	if (pattern.size() <= 10 && name.size() <= 10 &&
	    readscale::like_match(pattern, name) != reference_like(pattern, name))
		__builtin_trap();
	auto valid = readscale::validate_pattern(pattern);
	if (!valid.ok() && valid.error().sqlstate() != readscale::sqlstate::kInvalidParameterValue)
		__builtin_trap();
	if (readscale::pattern_names_slot(pattern, name) && !(pattern == name || readscale::like_match(pattern, name)))
		__builtin_trap();

	std::vector<std::string> owned;
	while (owned.size() < 8 && input.ConsumeBool())
		owned.push_back(input.ConsumeRandomLengthString(10));
	std::vector<std::string_view> patterns(owned.begin(), owned.end());
	auto best = readscale::most_specific_match(patterns, name);
	if (best && (*best >= patterns.size() || !readscale::like_match(patterns[*best], name)))
		__builtin_trap();
}

void
check_lag(FuzzedDataProvider &input) {
	readscale::LagThresholds thresholds {input.ConsumeIntegral<std::int64_t>(), input.ConsumeIntegral<std::int64_t>(),
	                                     input.ConsumeIntegral<std::int64_t>(), input.ConsumeIntegral<std::int64_t>(),
	                                     input.ConsumeBool()};
	std::string state = input.ConsumeBool() ? "streaming" : input.ConsumeRandomLengthString(16);
	readscale::LagSample sample {state, input.ConsumeIntegral<std::uint64_t>(), maybe_int64(input)};
	auto judgement = readscale::judge_lag(sample, thresholds);
	if (judgement.reason.empty())
		__builtin_trap();
	(void)readscale::effective_time_lag_ms(maybe_int64(input), input.ConsumeBool(), input.ConsumeBool());
	auto staleness =
	    readscale::local_staleness_ms(input.ConsumeIntegral<std::uint64_t>(), input.ConsumeIntegral<std::uint64_t>(),
	                                  maybe_int64(input), maybe_int64(input));
	if (staleness && *staleness < 0)
		__builtin_trap();
	auto error =
	    readscale::check_freshness(staleness, input.ConsumeIntegral<std::uint64_t>(),
	                               input.ConsumeIntegral<std::int64_t>(), input.ConsumeIntegral<std::int64_t>());
	if (error && error->sqlstate() != readscale::sqlstate::kStalenessExceeded)
		__builtin_trap();
}

void
check_slot(FuzzedDataProvider &input) {
	readscale::SlotPolicy policy;
	policy.warning_bytes = input.ConsumeIntegral<std::int64_t>();
	policy.critical_bytes = input.ConsumeIntegral<std::int64_t>();
	policy.max_inactive_ms = input.ConsumeIntegral<std::int64_t>();
	policy.max_disk_share = input.ConsumeFloatingPoint<double>();
	policy.action = input.ConsumeBool() ? readscale::SlotAction::kDrop : readscale::SlotAction::kWarn;
	policy.is_protected = input.ConsumeBool();
	policy.names_slot = input.ConsumeBool();
	std::string wal_status = input.ConsumeRandomLengthString(12);
	readscale::SlotSample sample;
	sample.active = input.ConsumeBool();
	if (input.ConsumeBool())
		sample.retained_bytes = input.ConsumeIntegral<std::uint64_t>();
	sample.inactive_ms = maybe_int64(input);
	if (input.ConsumeBool())
		sample.disk_share = input.ConsumeFloatingPoint<double>();
	sample.wal_status = wal_status;
	bool in_recovery = input.ConsumeBool();
	bool dry_run = input.ConsumeBool();
	auto judgement = readscale::judge_slot(sample, policy);
	auto decision = readscale::decide_slot(judgement, sample, policy, in_recovery, dry_run);
	/* The guard's safety rules: never drop in a dry run, an active or protected slot, or without a drop policy. */
	if (decision.drop &&
	    (dry_run || sample.active || policy.is_protected || policy.action != readscale::SlotAction::kDrop ||
	     judgement.verdict != readscale::Verdict::kCritical || (in_recovery && !policy.names_slot)))
		__builtin_trap();
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	FuzzedDataProvider input(data, size);
	check_patterns(input);
	check_lag(input);
	check_slot(input);
	(void)readscale::format_ms(input.ConsumeIntegral<std::int64_t>());
	(void)readscale::format_bytes(input.ConsumeIntegral<std::uint64_t>());
	return 0;
}
