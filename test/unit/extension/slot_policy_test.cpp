#include "core/slot_policy.hpp"

#include <gtest/gtest.h>

using namespace readscale;

namespace {
SlotPolicy
drop_policy() {
	SlotPolicy p;
	p.warning_bytes = 1024;
	p.critical_bytes = 1024 * 1024;
	p.action = SlotAction::kDrop;
	return p;
}

SlotSample
inactive(std::uint64_t bytes) {
	SlotSample s;
	s.retained_bytes = bytes;
	s.inactive_ms = 1000;
	s.wal_status = "reserved";
	return s;
}
} // namespace

TEST(JudgeSlot, OkWarningCriticalByBytes) {
	auto j = judge_slot(inactive(100), drop_policy());
	EXPECT_EQ(j.verdict, Verdict::kOk);
	EXPECT_EQ(j.reason, "retains 100 bytes of WAL, within the thresholds");
	EXPECT_EQ(judge_slot(inactive(1024), drop_policy()).verdict, Verdict::kOk) << "limits are inclusive";
	j = judge_slot(inactive(2048), drop_policy());
	EXPECT_EQ(j.verdict, Verdict::kWarning);
	EXPECT_EQ(j.reason, "retains 2048 bytes of WAL, more than the warning threshold 1024 bytes");
	j = judge_slot(inactive(2u * 1024 * 1024), drop_policy());
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "retains 2048 kB of WAL, more than the critical threshold 1024 kB");
}

TEST(JudgeSlot, DisabledLimitsAndUnknownBytes) {
	SlotPolicy p;
	EXPECT_EQ(judge_slot(inactive(UINT64_MAX), p).verdict, Verdict::kOk);
	SlotSample s;
	auto j = judge_slot(s, drop_policy());
	EXPECT_EQ(j.verdict, Verdict::kOk);
	EXPECT_EQ(j.reason, "retains no WAL");
}

TEST(JudgeSlot, LostUnreservedInactiveAndDiskShare) {
	SlotSample s = inactive(0);
	s.wal_status = "lost";
	EXPECT_EQ(judge_slot(s, drop_policy()).verdict, Verdict::kCritical);
	s.wal_status = "unreserved";
	EXPECT_EQ(judge_slot(s, drop_policy()).verdict, Verdict::kWarning);
	s.wal_status = "reserved";
	SlotPolicy p = drop_policy();
	p.max_inactive_ms = 500;
	auto j = judge_slot(s, p);
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "inactive for 1.0 s, longer than the allowed 500 ms");
	s.active = true;
	EXPECT_EQ(judge_slot(s, p).verdict, Verdict::kOk) << "an active slot is not inactive";
	p = drop_policy();
	p.max_disk_share = 0.25;
	s.disk_share = 0.5;
	j = judge_slot(s, p);
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "retains 50.0% of the pg_wal filesystem, more than the allowed 25.0%");
}

TEST(DecideSlot, OkAndWarnDoNothing) {
	SlotPolicy p = drop_policy();
	auto s = inactive(100);
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_EQ(d.action, SlotAction::kNone);
	EXPECT_EQ(d.outcome, "ok");
	s = inactive(2048);
	d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_EQ(d.action, SlotAction::kWarn);
	EXPECT_FALSE(d.drop);
	p.action = SlotAction::kWarn;
	s = inactive(1u << 30);
	d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_EQ(d.action, SlotAction::kWarn);
	EXPECT_EQ(d.outcome, "warned");
}

TEST(DecideSlot, DropsOnlyInactiveUnprotectedCriticalSlots) {
	SlotPolicy p = drop_policy();
	auto s = inactive(1u << 30);
	auto j = judge_slot(s, p);
	auto d = decide_slot(j, s, p, false, false);
	EXPECT_EQ(d.action, SlotAction::kDrop);
	EXPECT_TRUE(d.drop);
	d = decide_slot(j, s, p, false, true);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "dry run: would drop");
	s.active = true;
	d = decide_slot(j, s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: active");
	s.active = false;
	p.is_protected = true;
	d = decide_slot(j, s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: protected");
}

TEST(DecideSlot, StandbyNeedsAnExactName) {
	SlotPolicy p = drop_policy();
	auto s = inactive(1u << 30);
	auto j = judge_slot(s, p);
	auto d = decide_slot(j, s, p, true, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: on a standby, the policy does not name the slot");
	p.names_slot = true;
	EXPECT_TRUE(decide_slot(j, s, p, true, false).drop);
}

TEST(DecideSlot, MaxInactiveMustBeReached) {
	SlotPolicy p = drop_policy();
	p.max_inactive_ms = 5000;
	auto s = inactive(1u << 30);
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: inactive for less than max_inactive");
	s.inactive_ms.reset();
	EXPECT_FALSE(decide_slot(judge_slot(s, p), s, p, false, false).drop) << "unknown inactivity never drops";
	s.inactive_ms = 6000;
	EXPECT_TRUE(decide_slot(judge_slot(s, p), s, p, false, false).drop);
}

TEST(SlotPattern, LiteralPatternsAndNames) {
	EXPECT_TRUE(pattern_is_literal("orders"));
	EXPECT_TRUE(pattern_is_literal("my\\_slot"));
	EXPECT_FALSE(pattern_is_literal("my_slot"));
	EXPECT_FALSE(pattern_is_literal("cdc%"));
	EXPECT_TRUE(pattern_names_slot("my_slot", "my_slot")) << "the name itself, unescaped";
	EXPECT_TRUE(pattern_names_slot("my\\_slot", "my_slot"));
	EXPECT_FALSE(pattern_names_slot("my_slot", "myXslot"));
	EXPECT_FALSE(pattern_names_slot("my%", "my_slot"));
	EXPECT_STREQ(slot_action_name(SlotAction::kNone), "none");
	EXPECT_STREQ(slot_action_name(SlotAction::kWarn), "warn");
	EXPECT_STREQ(slot_action_name(SlotAction::kDrop), "drop");
	std::vector<std::string_view> patterns {"%", "cdc%", "cdc_orders"};
	EXPECT_EQ(most_specific_match(patterns, "cdc_orders"), 2u);
	EXPECT_EQ(most_specific_match(patterns, "cdc_users"), 1u);
	EXPECT_EQ(most_specific_match(patterns, "x"), 0u);
}

TEST(JudgeSlot, InvalidatedIsCriticalAndNamesTheReason) {
	SlotSample s = inactive(0);
	s.invalidation_reason = "idle_timeout";
	auto j = judge_slot(s, drop_policy());
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "invalidated (idle_timeout): inactive longer than idle_replication_slot_timeout; it can never "
	                    "be used again");
	s.invalidation_reason = "wal_removed";
	s.wal_status = "lost";
	EXPECT_EQ(
	    judge_slot(s, drop_policy()).reason,
	    "invalidated (wal_removed): WAL it needed was removed (max_slot_wal_keep_size); it can never be used again")
	    << "the invalidation explains lost WAL better than wal_status";
	s.invalidation_reason = "some_future_reason";
	EXPECT_EQ(judge_slot(s, drop_policy()).reason, "invalidated (some_future_reason); it can never be used again");
	s.invalidation_reason = "conflicting"; /* 16: conflicting, no invalidation_reason column */
	s.wal_status = "reserved";
	EXPECT_EQ(judge_slot(s, drop_policy()).verdict, Verdict::kCritical);
	EXPECT_EQ(judge_slot(s, drop_policy()).reason,
	          "invalidated (conflicting): it conflicted with recovery (catalog rows removed, or wal_level below "
	          "logical on the primary); it can never be used again");
}

TEST(JudgeSlot, SynchronizedStandbySlotInactiveOrMissingIsCritical) {
	SlotSample s = inactive(0);
	s.listed_in_synchronized_standby_slots = true;
	auto j = judge_slot(s, SlotPolicy {});
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "listed in synchronized_standby_slots and inactive, so every logical walsender on this primary "
	                    "waits for it");
	s.active = true;
	EXPECT_EQ(judge_slot(s, SlotPolicy {}).verdict, Verdict::kOk) << "an active listed slot is fine";
	j = judge_missing_standby_slot("sb1");
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "synchronized_standby_slots lists \"sb1\", which does not exist, so every logical walsender on "
	                    "this primary waits for it");
}

TEST(DecideSlot, InvalidatedDropsWithoutWaitingForMaxInactive) {
	SlotPolicy p = drop_policy();
	p.max_inactive_ms = 3600 * 1000;
	SlotSample s = inactive(0);
	s.invalidation_reason = "wal_removed";
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_TRUE(d.drop);
	s.inactive_ms.reset();
	EXPECT_TRUE(decide_slot(judge_slot(s, p), s, p, false, false).drop) << "unknown inactivity does not matter";
	p.action = SlotAction::kWarn;
	EXPECT_EQ(decide_slot(judge_slot(s, p), s, p, false, false).outcome, "warned") << "a warn policy only warns";
}

TEST(DecideSlot, TemporarySlotsAreIgnored) {
	SlotPolicy p = drop_policy();
	SlotSample s = inactive(1u << 30);
	s.temporary = true;
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.action, SlotAction::kNone);
	EXPECT_EQ(d.outcome, "skipped: temporary slot");
	p.names_slot = true;
	EXPECT_FALSE(decide_slot(judge_slot(s, p), s, p, false, false).drop) << "even when named";
}

TEST(DecideSlot, SyncedSlotsAreNeverDropped) {
	SlotPolicy p = drop_policy();
	p.names_slot = true;
	SlotSample s = inactive(1u << 30);
	s.synced = true;
	s.failover = true;
	auto d = decide_slot(judge_slot(s, p), s, p, true, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: synced from the primary");
	s.invalidation_reason = "rows_removed";
	EXPECT_FALSE(decide_slot(judge_slot(s, p), s, p, true, false).drop) << "not even when invalidated";
}

TEST(DecideSlot, FailoverSlotOnPrimaryNeedsAnExactName) {
	SlotPolicy p = drop_policy();
	SlotSample s = inactive(1u << 30);
	s.failover = true;
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: failover slot, the policy does not name it");
	p.names_slot = true;
	EXPECT_TRUE(decide_slot(judge_slot(s, p), s, p, false, false).drop);
	p.is_protected = true;
	EXPECT_EQ(decide_slot(judge_slot(s, p), s, p, false, false).outcome, "skipped: protected");
}

TEST(DecideSlot, SynchronizedStandbySlotIsNeverDropped) {
	SlotPolicy p = drop_policy();
	p.names_slot = true;
	SlotSample s = inactive(1u << 30);
	s.listed_in_synchronized_standby_slots = true;
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.action, SlotAction::kWarn);
	EXPECT_EQ(d.outcome, "skipped: listed in synchronized_standby_slots");
}

TEST(DecideSlot, LastValidLogicalSlotNeedsAnExactName) {
	SlotPolicy p = drop_policy();
	SlotSample s = inactive(1u << 30);
	s.keeps_logical_decoding_on = true;
	auto d = decide_slot(judge_slot(s, p), s, p, false, false);
	EXPECT_FALSE(d.drop);
	EXPECT_EQ(d.outcome, "skipped: last valid logical slot, dropping it turns logical decoding off");
	p.names_slot = true;
	EXPECT_TRUE(decide_slot(judge_slot(s, p), s, p, false, false).drop);
}

TEST(SlotList, ParsesSynchronizedStandbySlots) {
	EXPECT_EQ(parse_slot_list(""), std::vector<std::string> {});
	EXPECT_EQ(parse_slot_list("sb1"), std::vector<std::string> {"sb1"});
	EXPECT_EQ(parse_slot_list(" sb1 , SB2,,\"Sb\"\"3\" "), (std::vector<std::string> {"sb1", "sb2", "Sb\"3"}));
}
