#include "core/commit_clock.hpp"

#include <gtest/gtest.h>

#include <memory>

using namespace readscale;

namespace {
using SmallRing = BasicCommitRing<4>;

std::unique_ptr<SmallRing>
ring_with(std::initializer_list<ClockSample> samples) {
	auto ring = std::make_unique<SmallRing>();
	ring->reset();
	for (const auto &s : samples)
		ring->append(s, s.time_us);
	return ring;
}
} // namespace

TEST(CommitClock, FirstSampleBeyondTheReplayedLsnGivesTheTime) {
	auto ring = ring_with({{100, 10}, {200, 20}, {300, 30}});
	EXPECT_EQ(ring->first_time_after(150, ClockSample {}), 20);
	EXPECT_EQ(ring->first_time_after(99, ClockSample {}), 10);
	EXPECT_EQ(ring->first_time_after(200, ClockSample {}), 30) << "a commit ending at the replayed LSN is replayed";
	EXPECT_FALSE(ring->first_time_after(300, ClockSample {})) << "caught up: no unreplayed commit";
}

TEST(CommitClock, TheTailCoversCommitsSinceTheLastAppend) {
	auto ring = ring_with({{100, 10}});
	EXPECT_EQ(ring->first_time_after(100, ClockSample {150, 15}), 15);
	EXPECT_EQ(ring->first_time_after(50, ClockSample {150, 15}), 10) << "the earlier of ring and tail";
	EXPECT_FALSE(ring->first_time_after(150, ClockSample {150, 15}));
}

TEST(CommitClock, AppendKeepsLsnAndTimeIncreasing) {
	auto ring = ring_with({{100, 10}});
	ring->append(ClockSample {90, 50}, 50);
	EXPECT_EQ(ring->size(), 1u) << "a sample adding no LSN is dropped";
	ring->append(ClockSample {120, 5}, 60);
	EXPECT_EQ(ring->at(1).time_us, 10) << "time raised to the newest sample's";
	EXPECT_EQ(ring->last_append_us, 60);
	ring->append(ClockSample {}, 70);
	EXPECT_EQ(ring->size(), 2u) << "an empty sample only moves the append clock";
	EXPECT_EQ(ring->last_append_us, 70);
}

TEST(CommitClock, AWrappedRingKeepsTheNewestAndStaysALowerBound) {
	auto ring = ring_with({{100, 10}, {200, 20}, {300, 30}, {400, 40}, {500, 50}, {600, 60}});
	EXPECT_EQ(ring->size(), 4u);
	EXPECT_EQ(ring->at(0).lsn, 300u);
	EXPECT_EQ(ring->first_time_after(150, ClockSample {}), 30) << "behind the oldest kept sample: its time";
	EXPECT_EQ(ring->first_time_after(450, ClockSample {}), 50);
}

TEST(CommitClock, StalenessGrowsWithTheClockAndIsZeroWhenCaughtUp) {
	EXPECT_EQ(staleness_us(20, 1020), 1000);
	EXPECT_EQ(staleness_us(20, 5020), 5000);
	EXPECT_EQ(staleness_us(std::nullopt, 5020), 0);
	EXPECT_EQ(staleness_us(30, 20), 0) << "a sample from a clock ahead of the reader's never goes negative";
}

TEST(CommitClock, StalenessGrowsWithTheClockOnlyOnEvidenceOfAStall) {
	const std::int64_t commit = 1000000;
	/* Idle after the last commit: the newest reply acknowledged receipt 3 ms later, before replay. */
	EXPECT_EQ(staleness_us(commit, commit + 9000000, commit + 3000), 3000);
	/* A reply just short of the evidence window still proves only what it saw. */
	EXPECT_EQ(staleness_us(commit, commit + 9000000, commit + kStallEvidenceUs - 1), kStallEvidenceUs - 1);
	/* A reply that late still without the commit replayed: stalled, the bound follows the clock. */
	EXPECT_EQ(staleness_us(commit, commit + 9000000, commit + kStallEvidenceUs), 9000000);
	/* A reply from before the commit (clocks of primary and standby apart): never negative. */
	EXPECT_EQ(staleness_us(commit, commit + 9000000, commit - 5), 0);
	/* No reply time known: the clock bound. */
	EXPECT_EQ(staleness_us(commit, commit + 9000000, std::nullopt), 9000000);
}

TEST(CommitClock, AppendIsDueOncePerInterval) {
	EXPECT_TRUE(append_due(0, kCommitClockIntervalUs));
	EXPECT_FALSE(append_due(0, kCommitClockIntervalUs - 1));
	SmallRing ring;
	ring.reset();
	EXPECT_TRUE(append_due(ring.last_append_us, 0)) << "an empty ring takes the first commit";
}

TEST(CommitClock, ADueCommitAppendsTheOlderTailFirst) {
	DueSamples due = next_samples(ClockSample {150, 15}, ClockSample {400, 400});
	EXPECT_EQ(due.first.lsn, 150u);
	EXPECT_EQ(due.second.lsn, 400u);
	due = next_samples(ClockSample {500, 401}, ClockSample {400, 400});
	EXPECT_EQ(due.first.lsn, 400u) << "a later concurrent commit in the tail goes second";
	EXPECT_EQ(due.second.lsn, 500u);
}

TEST(CommitClock, TheTailIsTheRunningMaximum) {
	ClockSample tail = merge_tail(ClockSample {100, 20}, ClockSample {90, 30});
	EXPECT_EQ(tail.lsn, 100u);
	EXPECT_EQ(tail.time_us, 30);
}

/* The scenario the ring exists for: commits every 10 ms, appends every interval, replay stuck. */
TEST(CommitClock, BoundErrorStaysBelowOneIntervalUnderSteadyCommits) {
	auto ring = std::make_unique<CommitRing>();
	ring->reset();
	ClockSample tail;
	const std::int64_t step = 10 * 1000;
	for (std::int64_t i = 1; i <= 1000; i++) {
		ClockSample commit {static_cast<std::uint64_t>(i * 100), i * step};
		if (append_due(ring->last_append_us, commit.time_us)) {
			DueSamples due = next_samples(tail, commit);
			ring->append(due.first, commit.time_us);
			ring->append(due.second, commit.time_us);
		}
		tail = merge_tail(tail, commit);
	}
	for (std::int64_t replayed = 1; replayed < 1000; replayed += 37) {
		std::int64_t truth = (replayed + 1) * step; /* the first unreplayed commit */
		auto found = ring->first_time_after(static_cast<std::uint64_t>(replayed * 100), tail);
		ASSERT_TRUE(found);
		EXPECT_GE(*found, truth) << "never earlier than the truth (a lower bound on staleness)";
		EXPECT_LT(*found - truth, kCommitClockIntervalUs) << "replayed " << replayed;
	}
}

TEST(CommitClock, ReportedStalenessNeverBelowTheMeasuredReplayLagWhileBehind) {
	/* Steady writes over a 40 ms round trip: the ring's first unreplayed sample is newer than the reply. */
	EXPECT_EQ(reported_staleness_us(0, 40000, false), 40000);
	/* A stall the clock sees is larger than the last measured replay_lag. */
	EXPECT_EQ(reported_staleness_us(9000000, 40000, false), 9000000);
	/* Caught up: replay_lag is the lag of WAL already replayed (high after a pause), not staleness. */
	EXPECT_EQ(reported_staleness_us(0, 5000000, true), 0);
	/* No replay_lag known: the clock's bound. */
	EXPECT_EQ(reported_staleness_us(3000, std::nullopt, false), 3000);
}
