#include "core/wait_policy.hpp"

#include "common/sqlstate.hpp"

namespace readscale {

Result<WaitMode>
parse_wait_mode(std::string_view text) {
	if (text == "replay")
		return WaitMode::Replay;
	if (text == "flush")
		return WaitMode::Flush;
	if (text == "write")
		return WaitMode::Write;
	if (text == "primary_flush")
		return WaitMode::PrimaryFlush;
	return Error(sqlstate::kInvalidParameterValue, "invalid value for \"mode\": \"" + std::string(text) + "\"", {},
	             "Valid values are \"replay\", \"flush\", \"write\" and \"primary_flush\".");
}

Result<OnTimeout>
parse_on_timeout(std::string_view text) {
	if (text == "error")
		return OnTimeout::Error;
	if (text == "return")
		return OnTimeout::Return;
	return Error(sqlstate::kInvalidParameterValue, "invalid value for \"on_timeout\": \"" + std::string(text) + "\"",
	             {}, "Valid values are \"error\" and \"return\".");
}

Result<std::int64_t>
validate_timeout_ms(std::int64_t timeout_ms, const char *argument_name) {
	if (timeout_ms < 0)
		return Error(sqlstate::kNumericValueOutOfRange, std::string("\"") + argument_name + "\" must not be negative");
	if (timeout_ms > kMaxWaitMs)
		return Error(sqlstate::kNumericValueOutOfRange, std::string("\"") + argument_name + "\" is too large",
		             "The largest accepted wait is 24 hours.",
		             "A read that cannot be served within seconds should go to the primary.");
	return timeout_ms;
}

const char *
outcome_name(WaitOutcome outcome) noexcept {
	switch (outcome) {
	case WaitOutcome::Success:
		return "success";
	case WaitOutcome::Timeout:
		return "timeout";
	case WaitOutcome::NotInRecovery:
		return "not in recovery";
	}
	return "unknown";
}

const char *
mode_name(WaitMode mode) noexcept {
	switch (mode) {
	case WaitMode::Replay:
		return "replay";
	case WaitMode::Flush:
		return "flush";
	case WaitMode::Write:
		return "write";
	case WaitMode::PrimaryFlush:
		return "primary_flush";
	}
	return "unknown";
}

std::optional<std::string>
fail_fast_reason(const StandbySituation &situation, Lsn target, std::int64_t timeout_ms, WaitMode mode, bool zero_pad) {
	bool needs_replay = mode == WaitMode::Replay;
	if (needs_replay && situation.replay_paused)
		return std::string("Replay is paused (pg_wal_replay_pause()); it will not advance until resumed.");
	if (needs_replay && situation.min_apply_delay_ms > timeout_ms)
		return "recovery_min_apply_delay (" + std::to_string(situation.min_apply_delay_ms) +
		       " ms) is longer than the timeout (" + std::to_string(timeout_ms) + " ms).";
	if (!situation.receiver_streaming && !situation.receiver_connecting && situation.received < target)
		return "The WAL receiver is not streaming and has received only up to " +
		       format_lsn(situation.received, zero_pad) + ".";
	return std::nullopt;
}

std::int64_t
poll_backoff_ms(int round) noexcept {
	if (round <= 0)
		return 1;
	if (round >= 3)
		return 8;
	return std::int64_t {1} << round;
}

} // namespace readscale
