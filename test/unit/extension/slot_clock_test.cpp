#include "core/slot_clock.hpp"

#include <gtest/gtest.h>

using namespace readscale;

namespace {
SlotIdentity
identity(std::uint64_t restart) {
	SlotIdentity id;
	id.dir_inode = 42;
	id.dir_ctime_ns = 1000;
	id.restart_lsn = restart;
	id.confirmed_flush_lsn = restart + 8;
	return id;
}
} // namespace

TEST(SlotClock, StartsAtTheFirstInactiveLookAndKeepsRunning) {
	InactivityMark m = observe_slot(InactivityMark {}, false, identity(100), 5);
	EXPECT_TRUE(m.tracked);
	EXPECT_EQ(m.since, 5);
	m = observe_slot(m, false, identity(100), 9);
	EXPECT_EQ(m.since, 5);
}

TEST(SlotClock, ActiveClearsTheClock) {
	InactivityMark m = observe_slot(InactivityMark {}, false, identity(100), 5);
	m = observe_slot(m, true, identity(100), 7);
	EXPECT_FALSE(m.tracked);
	m = observe_slot(m, false, identity(100), 9);
	EXPECT_EQ(m.since, 9);
}

TEST(SlotClock, ANewIncarnationStartsAgain) {
	InactivityMark m = observe_slot(InactivityMark {}, false, identity(100), 5);
	SlotIdentity recreated = identity(100);
	recreated.dir_ctime_ns = 2000; /* dropped and created again at the same position */
	EXPECT_EQ(observe_slot(m, false, recreated, 9).since, 9);
	SlotIdentity other_inode = identity(100);
	other_inode.dir_inode = 43;
	EXPECT_EQ(observe_slot(m, false, other_inode, 9).since, 9);
}

TEST(SlotClock, APositionThatMovedMeansTheSlotWasUsed) {
	InactivityMark m = observe_slot(InactivityMark {}, false, identity(100), 5);
	EXPECT_EQ(observe_slot(m, false, identity(200), 9).since, 9);
	SlotIdentity confirmed = identity(100);
	confirmed.confirmed_flush_lsn = 500;
	EXPECT_EQ(observe_slot(m, false, confirmed, 9).since, 9);
}
