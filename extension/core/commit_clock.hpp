/*
 * commit_clock.hpp: when WAL first passed an LSN, on a primary (pure C++).
 *
 * pg_stat_replication.replay_lag is computed only when a standby's status
 * reply arrives (wal_receiver_status_interval, 10 s by default) and freezes
 * between replies, so a stalled standby looks fresh on its primary. Instead
 * the primary remembers commits: a sample (lsn, time) says "a commit record
 * ending at lsn existed by time". A standby that reports replay_lsn R has not
 * shown the commit of the first sample with lsn > R, so its data has been
 * stale at least since that sample's time: staleness >= now - time. This
 * bound grows with the clock, not with replies, and is 0 when no commit lies
 * beyond R (a caught-up standby on an idle primary never false-alarms).
 *
 * Samples live in a ring (CommitRing, plain data for shared memory) fed at
 * most once per kCommitClockIntervalUs, plus a "tail" sample the caller keeps
 * as the running maximum of every commit since (see append_due and
 * next_samples). Both lsn and time increase along the ring, so a lookup is a
 * binary search. The error of the bound is below one interval while commits
 * flow (see docs/lag.md); a ring that wrapped keeps the newest samples, and a
 * standby behind its oldest sample is reported from that sample: still a lower
 * bound.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace readscale {

struct ClockSample {
	std::uint64_t lsn = 0; /* 0: none */
	std::int64_t time_us = 0;
};

inline constexpr std::int64_t kCommitClockIntervalUs = 100 * 1000;
inline constexpr std::size_t kCommitClockCapacity = 16384; /* 27 min of steady commits at one per 100 ms */

/* True when a commit at now_us should go to the ring (the last append was an interval ago). */
constexpr bool
append_due(std::int64_t last_append_us, std::int64_t now_us) noexcept {
	return now_us - last_append_us >= kCommitClockIntervalUs;
}

/* The larger of two samples, field by field: the tail after one more commit. */
ClockSample merge_tail(ClockSample tail, ClockSample commit) noexcept;

/*
 * A standby's status reply sent this long after a commit and still not showing it
 * replayed is evidence of a stall: a healthy standby replays within milliseconds.
 */
inline constexpr std::int64_t kStallEvidenceUs = 2 * kCommitClockIntervalUs;

/*
 * Staleness in microseconds of a standby whose first unreplayed commit was sampled at
 * first_time_us, as of its last status reply at reply_time_us (unknown: nullopt).
 * replay_lsn moves only with replies, so after the last commit before an idle period
 * the reply that acknowledged receipt (sent before replay) is the newest word until
 * wal_receiver_status_interval: without evidence of a stall (a reply kStallEvidenceUs
 * or more after the commit that still shows it unreplayed) the bound is what that
 * reply proves, reply - first, so a caught-up standby never false-alarms. With the
 * evidence it grows with the clock: now - first.
 */
std::int64_t staleness_us(std::optional<std::int64_t> first_time_us, std::int64_t now_us,
                          std::optional<std::int64_t> reply_time_us = std::nullopt) noexcept;

/*
 * The staleness a primary reports for a standby: the clock's bound and, while the
 * standby still has WAL to replay, never less than the replay_lag its newest reply
 * measured. The ring samples once per interval, so under steady writes the first
 * unreplayed sample is often newer than that reply and the bound alone reads near 0
 * on a link whose round trip is 40 ms. Once caught up, replay_lag is the lag of WAL
 * already replayed (after a pause it stays high until the next replies): not used.
 */
std::int64_t reported_staleness_us(std::int64_t clock_bound_us, std::optional<std::int64_t> replay_lag_us,
                                   bool caught_up) noexcept;

template <std::size_t Capacity>
struct BasicCommitRing {
	ClockSample samples[Capacity];
	std::uint64_t appended; /* ever appended; the newest is samples[(appended - 1) % Capacity] */
	std::int64_t last_append_us;

	void
	reset() noexcept {
		appended = 0;
		last_append_us = INT64_MIN / 2;
	}

	std::size_t
	size() const noexcept {
		return appended < Capacity ? static_cast<std::size_t>(appended) : Capacity;
	}

	/* i-th oldest sample kept, 0 <= i < size(). */
	const ClockSample &
	at(std::size_t i) const noexcept {
		return samples[static_cast<std::size_t>((appended - size() + i) % Capacity)];
	}

	/*
	 * Appends s keeping both fields increasing: a sample that adds no LSN is
	 * dropped, and its time is raised to the newest sample's (a later time
	 * only lowers the bound). Records now_us as the last append.
	 */
	void
	append(ClockSample s, std::int64_t now_us) noexcept {
		last_append_us = now_us;
		if (s.lsn == 0)
			return;
		if (size() > 0) {
			const ClockSample &newest = at(size() - 1);
			if (s.lsn <= newest.lsn)
				return;
			if (s.time_us < newest.time_us)
				s.time_us = newest.time_us;
		}
		samples[static_cast<std::size_t>(appended % Capacity)] = s;
		appended++;
	}

	/* Time of the first kept sample with lsn > lsn, else the tail's when it is beyond lsn. */
	std::optional<std::int64_t>
	first_time_after(std::uint64_t lsn, ClockSample tail) const noexcept {
		std::size_t low = 0, high = size();
		while (low < high) {
			std::size_t mid = low + (high - low) / 2;
			if (at(mid).lsn > lsn)
				high = mid;
			else
				low = mid + 1;
		}
		std::optional<std::int64_t> found;
		if (low < size())
			found = at(low).time_us;
		if (tail.lsn > lsn && (!found || tail.time_us < *found))
			found = tail.time_us;
		return found;
	}
};

using CommitRing = BasicCommitRing<kCommitClockCapacity>;

/*
 * What a due commit appends, in order: the tail gathered since the last
 * append (older commits, so it goes first), then the commit itself.
 */
struct DueSamples {
	ClockSample first;
	ClockSample second;
};
DueSamples next_samples(ClockSample tail, ClockSample commit) noexcept;

} // namespace readscale

#include "common/cpp_only.hpp"
