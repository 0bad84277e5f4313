#include "core/failover_readiness.hpp"

#include <gtest/gtest.h>

using namespace readscale;

namespace {
/* A streaming standby that passes every check. */
FailoverFacts
ready_standby() {
	FailoverFacts f;
	f.failover_slots = 2;
	f.has_physical_slot = true;
	f.feedback_xmin = true;
	f.holds_logical_slots = true;
	f.slot_sync_connected = true;
	f.listed = true;
	return f;
}
} // namespace

TEST(FailoverReadiness, ReadyWhenEveryCheckPasses) {
	FailoverReadiness r = judge_failover_readiness(ready_standby());
	ASSERT_TRUE(r.ready.has_value());
	EXPECT_TRUE(*r.ready);
	EXPECT_NE(r.reason.find("visible on the standby"), std::string::npos);
}

TEST(FailoverReadiness, UnknownWithoutFailoverSlots) {
	FailoverFacts f = ready_standby();
	f.failover_slots = 0;
	f.has_physical_slot = false;
	EXPECT_FALSE(judge_failover_readiness(f).ready.has_value());
	EXPECT_EQ(judge_failover_readiness(f).reason, "no failover slots on this primary");
}

TEST(FailoverReadiness, TheFirstFailingCheckIsNamed) {
	FailoverFacts f = ready_standby();
	f.listed = false;
	f.slots_ahead = 1;
	FailoverReadiness r = judge_failover_readiness(f);
	EXPECT_EQ(r.ready, std::optional<bool>(false));
	EXPECT_NE(r.reason.find("synchronized_standby_slots"), std::string::npos);
	f.has_physical_slot = false;
	EXPECT_NE(judge_failover_readiness(f).reason.find("primary_slot_name"), std::string::npos);
	f = ready_standby();
	f.feedback_xmin = false;
	EXPECT_NE(judge_failover_readiness(f).reason.find("hot_standby_feedback"), std::string::npos);
	f = ready_standby();
	f.holds_logical_slots = false;
	EXPECT_NE(judge_failover_readiness(f).reason.find("holds no logical slot"), std::string::npos);
	f = ready_standby();
	f.slot_sync_connected = false;
	EXPECT_NE(judge_failover_readiness(f).reason.find("slot sync worker"), std::string::npos);
}

TEST(FailoverReadiness, SlotsConfirmedBeyondTheFlushAreCounted) {
	FailoverFacts f = ready_standby();
	f.slots_ahead = 1;
	FailoverReadiness r = judge_failover_readiness(f);
	EXPECT_EQ(r.ready, std::optional<bool>(false));
	EXPECT_EQ(r.reason.rfind("1 of 2 failover slots", 0), 0u);
}
