/*
 * commit_clock.cpp: see commit_clock.hpp.
 */
#include "core/commit_clock.hpp"

#include <algorithm>

namespace readscale {

ClockSample
merge_tail(ClockSample tail, ClockSample commit) noexcept {
	return ClockSample {std::max(tail.lsn, commit.lsn), std::max(tail.time_us, commit.time_us)};
}

std::int64_t
staleness_us(std::optional<std::int64_t> first_time_us, std::int64_t now_us,
             std::optional<std::int64_t> reply_time_us) noexcept {
	if (!first_time_us || *first_time_us >= now_us)
		return 0;
	if (reply_time_us && *reply_time_us - *first_time_us < kStallEvidenceUs)
		return *reply_time_us > *first_time_us ? *reply_time_us - *first_time_us : 0;
	return now_us - *first_time_us;
}

std::int64_t
reported_staleness_us(std::int64_t clock_bound_us, std::optional<std::int64_t> replay_lag_us, bool caught_up) noexcept {
	if (caught_up || !replay_lag_us)
		return clock_bound_us;
	return std::max(clock_bound_us, *replay_lag_us);
}

DueSamples
next_samples(ClockSample tail, ClockSample commit) noexcept {
	if (tail.lsn > commit.lsn) /* a concurrent later commit already merged into the tail */
		return DueSamples {commit, tail};
	return DueSamples {tail, commit};
}

} // namespace readscale
