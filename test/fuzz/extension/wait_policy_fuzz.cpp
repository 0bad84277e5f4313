// libFuzzer target: readscale.wait_for_lsn()'s argument parsers and fail-fast decision on arbitrary input.
#include "common/sqlstate.hpp"
#include "core/wait_policy.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	FuzzedDataProvider input(data, size);
	std::string mode_text = input.ConsumeRandomLengthString(32);
	auto mode = readscale::parse_wait_mode(mode_text);
	/* Parsing is exact: a mode parses only from its own name. */
	if (mode.ok() ? mode_text != readscale::mode_name(mode.value())
	              : mode.error().sqlstate() != readscale::sqlstate::kInvalidParameterValue)
		__builtin_trap();
	auto on_timeout = readscale::parse_on_timeout(input.ConsumeRandomLengthString(32));
	if (!on_timeout.ok() && on_timeout.error().sqlstate() != readscale::sqlstate::kInvalidParameterValue)
		__builtin_trap();

	auto timeout_ms = input.ConsumeIntegral<std::int64_t>();
	auto validated = readscale::validate_timeout_ms(timeout_ms, "timeout_ms");
	bool in_range = timeout_ms >= 0 && timeout_ms <= readscale::kMaxWaitMs;
	if (validated.ok() != in_range ||
	    (!validated.ok() && validated.error().sqlstate() != readscale::sqlstate::kNumericValueOutOfRange))
		__builtin_trap();

	readscale::StandbySituation situation;
	situation.replay_paused = input.ConsumeBool();
	situation.min_apply_delay_ms = input.ConsumeIntegral<std::int64_t>();
	situation.receiver_streaming = input.ConsumeBool();
	situation.received = input.ConsumeIntegral<std::uint64_t>();
	auto target = input.ConsumeIntegral<std::uint64_t>();
	auto reason = readscale::fail_fast_reason(situation, target, timeout_ms,
	                                          mode.ok() ? mode.value() : readscale::WaitMode::Replay,
	                                          situation.received % 2 == 0);
	/* A streaming standby that is not paused and has no apply delay can always make progress. */
	if (reason && situation.receiver_streaming && !situation.replay_paused && situation.min_apply_delay_ms <= 0 &&
	    timeout_ms >= 0)
		__builtin_trap();
	auto backoff = readscale::poll_backoff_ms(input.ConsumeIntegral<int>());
	if (backoff < 1 || backoff > 8)
		__builtin_trap();
	return 0;
}
