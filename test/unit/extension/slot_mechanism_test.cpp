#include "core/slot_mechanism.hpp"

#include <gtest/gtest.h>

using namespace readscale;

namespace {
SlotSample
inactive_for(std::int64_t ms, std::uint64_t bytes) {
	SlotSample s;
	s.inactive_ms = ms;
	s.retained_bytes = bytes;
	return s;
}

SlotPolicy
drop_after(std::int64_t critical_bytes, std::int64_t max_inactive_ms) {
	SlotPolicy p;
	p.critical_bytes = critical_bytes;
	p.max_inactive_ms = max_inactive_ms;
	p.action = SlotAction::kDrop;
	return p;
}
} // namespace

TEST(FirstMechanism, NothingActsWithoutLimits) {
	EXPECT_EQ(first_mechanism(inactive_for(1000, 100), SlotPolicy {}, CoreSlotLimits {}, false), SlotMechanism::kNone);
	EXPECT_EQ(slot_mechanism_name(SlotMechanism::kNone), nullptr);
	EXPECT_STREQ(slot_mechanism_name(SlotMechanism::kGuard), "guard");
	EXPECT_STREQ(slot_mechanism_name(SlotMechanism::kKeepSize), "max_slot_wal_keep_size");
	EXPECT_STREQ(slot_mechanism_name(SlotMechanism::kIdleTimeout), "idle_replication_slot_timeout");
}

TEST(FirstMechanism, TheLargestUsedShareWins) {
	CoreSlotLimits limits;
	limits.keep_size_bytes = 1000;
	limits.idle_timeout_ms = 10000;
	/* keep size 50% used, idle timeout 10%, guard: 1000 bytes critical -> 50% but max_inactive 100 s -> 1% */
	auto s = inactive_for(1000, 500);
	EXPECT_EQ(first_mechanism(s, drop_after(1000, 100000), limits, false), SlotMechanism::kKeepSize);
	s = inactive_for(9000, 100); /* idle 90% */
	EXPECT_EQ(first_mechanism(s, drop_after(1000, 100000), limits, false), SlotMechanism::kIdleTimeout);
	EXPECT_EQ(first_mechanism(s, drop_after(100, -1), limits, false), SlotMechanism::kGuard) << "guard 100%";
	s = inactive_for(9000, 500);
	EXPECT_EQ(first_mechanism(s, drop_after(1000, -1), limits, false), SlotMechanism::kIdleTimeout);
}

TEST(FirstMechanism, WarnPoliciesAndExcludedSlotsLeaveItToCore) {
	CoreSlotLimits limits;
	limits.keep_size_bytes = 1000000;
	auto p = drop_after(100, -1);
	auto s = inactive_for(0, 500);
	EXPECT_EQ(first_mechanism(s, p, limits, false), SlotMechanism::kGuard);
	p.action = SlotAction::kWarn;
	EXPECT_EQ(first_mechanism(s, p, limits, false), SlotMechanism::kKeepSize) << "a warn policy never acts";
	p.action = SlotAction::kDrop;
	s.failover = true;
	EXPECT_EQ(first_mechanism(s, p, limits, false), SlotMechanism::kKeepSize) << "failover slot not named";
	s.failover = false;
	s.temporary = true;
	EXPECT_EQ(first_mechanism(s, p, limits, false), SlotMechanism::kKeepSize);
}

TEST(FirstMechanism, OnlyTheKeepSizeActsOnAnActiveSlot) {
	CoreSlotLimits limits;
	limits.keep_size_bytes = 1000;
	limits.idle_timeout_ms = 1;
	auto s = inactive_for(0, 10);
	s.active = true;
	s.inactive_ms.reset();
	EXPECT_EQ(first_mechanism(s, drop_after(1, -1), limits, false), SlotMechanism::kKeepSize);
}

TEST(FirstMechanism, IdleTimeoutSkipsSyncedSlotsAndSlotsWithoutWal) {
	CoreSlotLimits limits;
	limits.idle_timeout_ms = 1000;
	auto s = inactive_for(500, 10);
	EXPECT_EQ(first_mechanism(s, SlotPolicy {}, limits, true), SlotMechanism::kIdleTimeout);
	s.synced = true;
	EXPECT_EQ(first_mechanism(s, SlotPolicy {}, limits, true), SlotMechanism::kNone);
	s.synced = false;
	s.retained_bytes.reset();
	EXPECT_EQ(first_mechanism(s, SlotPolicy {}, limits, true), SlotMechanism::kNone);
}

TEST(FirstMechanism, InvalidatedSlotsAreTheGuards) {
	CoreSlotLimits limits;
	limits.keep_size_bytes = 1000;
	auto s = inactive_for(0, 5000);
	s.invalidation_reason = "wal_removed";
	EXPECT_EQ(first_mechanism(s, drop_after(-1, 3600000), limits, false), SlotMechanism::kGuard);
	EXPECT_EQ(first_mechanism(s, SlotPolicy {}, limits, false), SlotMechanism::kNone);
}
