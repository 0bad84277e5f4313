/*
 * wait_policy.hpp: the decisions behind readscale.wait_for_lsn() and the gate,
 * independent of PostgreSQL: argument parsing, outcome names (borrowed from
 * PostgreSQL 19's WAIT FOR LSN: success / timeout / not in recovery), and
 * when a wait cannot succeed in time and should fail at once.
 */
#pragma once

#include "common/error.hpp"
#include "core/lsn.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace readscale {

/* What "reached" means; PostgreSQL 19's WAIT FOR LSN modes. */
enum class WaitMode { Replay, Flush, Write, PrimaryFlush };
enum class OnTimeout { Error, Return };
enum class WaitOutcome { Success, Timeout, NotInRecovery };
/* What the gate does when min_lsn is not reached in time. */
enum class GateOnTimeout { Error, Warning, Proceed };

/* Longest accepted wait: beyond this a timeout is surely a unit mistake. */
inline constexpr std::int64_t kMaxWaitMs = 24LL * 3600 * 1000;

Result<WaitMode> parse_wait_mode(std::string_view text);
Result<OnTimeout> parse_on_timeout(std::string_view text);
/* Validates a timeout in milliseconds: 0 means "check once", negative or above kMaxWaitMs is refused. */
Result<std::int64_t> validate_timeout_ms(std::int64_t timeout_ms, const char *argument_name);

const char *outcome_name(WaitOutcome outcome) noexcept;
const char *mode_name(WaitMode mode) noexcept;

/* What the standby knows when deciding whether waiting can help. */
struct StandbySituation {
	bool replay_paused = false;
	std::int64_t min_apply_delay_ms = 0; /* recovery_min_apply_delay */
	bool receiver_streaming = true;
	bool receiver_connecting = false; /* 19: (re)connecting to the primary, transitional: no fail-fast */
	Lsn received = kInvalidLsn;       /* flushed by the WAL receiver */
};

/*
 * The reason a wait for target cannot succeed within timeout_ms, as a DETAIL
 * sentence, or nothing when waiting may help. zero_pad: LSNs as the server
 * prints pg_lsn (format_lsn).
 */
std::optional<std::string> fail_fast_reason(const StandbySituation &situation, Lsn target, std::int64_t timeout_ms,
                                            WaitMode mode, bool zero_pad);

/* The sleep before re-checking when no wake-up will come: 1 ms doubling to 8 ms (per-backend polling). */
std::int64_t poll_backoff_ms(int round) noexcept;

} // namespace readscale

#include "common/cpp_only.hpp"
