/*
 * lag_verdict.hpp: the replication-lag SLA model (pure C++).
 *
 * - LagThresholds: warning/critical limits in milliseconds and bytes (a
 *   negative limit is disabled), and whether a standby that is not streaming
 *   is critical by itself.
 * - judge_lag(): ok | warning | critical plus a human-readable reason. The
 *   worst finding wins; critical is checked before warning, time before bytes.
 *   A WAL receiver "connecting" (19: (re)connecting to the primary) is
 *   transitional: at least a warning, never critical by itself; its
 *   staleness counts from the last contact with the primary
 *   (connecting_staleness_ms), so a receiver stuck connecting turns critical
 *   once that exceeds the critical threshold.
 * - effective_time_lag_ms(): pg_stat_replication's write/flush/replay_lag go
 *   NULL once a standby has been idle for a while; a streaming standby that has
 *   replayed everything sent is 0 ms behind, not "unknown".
 * - local_staleness_ms(): on a standby, how old the data it serves may be.
 *   0 when replay has caught up with everything received (an idle primary
 *   sends no transactions, so "now - last replayed commit" would false-alarm);
 *   otherwise now - last replayed transaction time; unknown without either.
 * - Policy patterns are SQL LIKE patterns ("%" any run, "_" one character,
 *   backslash escapes the next character), as users already write them in
 *   SQL. Most specific match wins: an exact name (no wildcard) beats any
 *   pattern; then the pattern with more literal characters; ties go to the
 *   lexicographically smaller pattern so the choice is deterministic.
 */
#pragma once

#include "common/error.hpp"
#include "core/lsn.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace readscale {

struct LagThresholds {
	std::int64_t warning_ms = -1;
	std::int64_t critical_ms = -1;
	std::int64_t warning_bytes = -1;
	std::int64_t critical_bytes = -1;
	bool non_streaming_is_critical = true;
	bool disconnected_is_critical = true; /* an expected standby that is not connected (standby_roster.hpp) */
};

enum class Verdict { kOk = 0, kWarning = 1, kCritical = 2 };

/* "ok", "warning" or "critical". */
const char *verdict_name(Verdict verdict) noexcept;

struct LagSample {
	std::string_view state;             /* pg_stat_replication.state, or the WAL receiver status */
	std::uint64_t bytes = 0;            /* bytes not yet replayed */
	std::optional<std::int64_t> lag_ms; /* replay lag, unknown when absent */
};

struct LagJudgement {
	Verdict verdict = Verdict::kOk;
	std::string reason;
};

LagJudgement judge_lag(const LagSample &sample, const LagThresholds &thresholds);

std::optional<std::int64_t> effective_time_lag_ms(std::optional<std::int64_t> reported, bool streaming,
                                                  bool caught_up) noexcept;

std::optional<std::int64_t> local_staleness_ms(Lsn receive, Lsn replay, std::optional<std::int64_t> now_us,
                                               std::optional<std::int64_t> last_xact_us) noexcept;

/*
 * 19: while the WAL receiver is "connecting" nothing new arrives, so "replay
 * has caught up with everything received" says nothing about the primary: the
 * data may be as old as the last contact with it (the last message received,
 * or the start of this connection attempt). Staleness is then at least
 * now - last_contact; unchanged without a known contact time.
 */
std::optional<std::int64_t> connecting_staleness_ms(std::optional<std::int64_t> staleness_ms, std::int64_t now_us,
                                                    std::optional<std::int64_t> last_contact_us) noexcept;

/*
 * Raises nothing itself: returns the 55R02 Error a standby must report when
 * its staleness exceeds max_ms (or is unknown), or its unreplayed bytes exceed
 * max_bytes (negative = no byte limit). std::nullopt when fresh enough.
 */
std::optional<Error> check_freshness(std::optional<std::int64_t> staleness_ms, std::uint64_t unreplayed_bytes,
                                     std::int64_t max_ms, std::int64_t max_bytes);

/* A pattern is valid when it is non-empty and does not end in a lone escape. */
Result<bool> validate_pattern(std::string_view pattern);

/* SQL LIKE semantics (case-sensitive), "\" escapes. */
bool like_match(std::string_view pattern, std::string_view text);

/* Index of the most specific pattern matching name, if any (see file comment). */
std::optional<std::size_t> most_specific_match(const std::vector<std::string_view> &patterns, std::string_view name);

/* "12 ms" / "1.5 s" / "3 min" and "512 bytes" / "16 MB": for reasons and messages. */
std::string format_ms(std::int64_t ms);
std::string format_bytes(std::uint64_t bytes);

} // namespace readscale

#include "common/cpp_only.hpp"
