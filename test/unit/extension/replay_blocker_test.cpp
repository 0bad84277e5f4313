#include "core/replay_blocker.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace readscale;

TEST(ReplayBlocker, ClassifiesTheStartupProcessWait) {
	EXPECT_EQ(classify_replay_wait("Lock", "relation"), ReplayConflict::kLock);
	EXPECT_EQ(classify_replay_wait("BufferPin", "BufferPin"), ReplayConflict::kBufferPin);
	EXPECT_EQ(classify_replay_wait("IPC", "RecoveryConflictSnapshot"), ReplayConflict::kSnapshot);
	EXPECT_EQ(classify_replay_wait("IPC", "RecoveryConflictTablespace"), ReplayConflict::kTablespace);
	EXPECT_EQ(classify_replay_wait("Activity", "RecoveryWalStream"), ReplayConflict::kNone);
	EXPECT_EQ(classify_replay_wait("IPC", "RecoveryPause"), ReplayConflict::kNone);
	EXPECT_EQ(classify_replay_wait("Timeout", "RecoveryApplyDelay"), ReplayConflict::kNone);
	EXPECT_EQ(classify_replay_wait("", ""), ReplayConflict::kNone);
}

TEST(ReplayBlocker, NamesConflictsAndCertainty) {
	EXPECT_STREQ(replay_conflict_name(ReplayConflict::kLock), "lock");
	EXPECT_STREQ(replay_conflict_name(ReplayConflict::kBufferPin), "bufferpin");
	EXPECT_STREQ(replay_conflict_name(ReplayConflict::kSnapshot), "snapshot");
	EXPECT_STREQ(replay_conflict_name(ReplayConflict::kTablespace), "tablespace");
	EXPECT_STREQ(replay_conflict_name(ReplayConflict::kNone), "none");
	for (ReplayConflict c : {ReplayConflict::kLock, ReplayConflict::kBufferPin, ReplayConflict::kSnapshot,
	                         ReplayConflict::kTablespace, ReplayConflict::kNone})
		EXPECT_EQ(replay_conflict_from_name(replay_conflict_name(c)), c);
	EXPECT_EQ(replay_conflict_from_name("Lock"), ReplayConflict::kNone);
	EXPECT_TRUE(replay_blockers_certain(ReplayConflict::kLock));
	EXPECT_FALSE(replay_blockers_certain(ReplayConflict::kBufferPin));
	EXPECT_FALSE(replay_blockers_certain(ReplayConflict::kSnapshot));
}

TEST(ReplayBlocker, CancelDeadlineRunsFromReceiptOnTheRightSetting) {
	CancelClock clock;
	clock.received_at_us = 1000000;
	clock.streaming_delay_ms = 30000;
	clock.archive_delay_ms = 5000;
	EXPECT_EQ(cancel_deadline_us(clock), 31000000);
	EXPECT_STREQ(cancel_setting_name(clock), "max_standby_streaming_delay");
	clock.from_stream = false;
	EXPECT_EQ(cancel_deadline_us(clock), 6000000);
	EXPECT_STREQ(cancel_setting_name(clock), "max_standby_archive_delay");
	clock.archive_delay_ms = -1;
	EXPECT_EQ(cancel_deadline_us(clock), std::nullopt) << "-1 waits forever";
	clock.from_stream = true;
	clock.received_at_us = 0;
	EXPECT_EQ(cancel_deadline_us(clock), std::nullopt) << "unknown receipt time";
	clock.received_at_us = std::numeric_limits<std::int64_t>::max() - 10;
	EXPECT_EQ(cancel_deadline_us(clock), std::nullopt) << "no overflow";
}

TEST(ReplayBlocker, TimeUntilAndSinceNeverNegative) {
	EXPECT_EQ(ms_until(5000000, 2000000), 3000);
	EXPECT_EQ(ms_until(2000000, 5000000), 0);
	EXPECT_EQ(ms_since(2000000, 10200000), 8200);
	EXPECT_EQ(ms_since(10200000, 2000000), 0);
}

TEST(ReplayBlocker, LockReasonNamesTheHolder) {
	BlockerFacts f;
	f.conflict = ReplayConflict::kLock;
	f.blocked_ms = 8200;
	f.pid = 4711;
	f.application_name = "reports";
	f.held_mode = "AccessShareLock";
	f.relation = "public.t";
	EXPECT_EQ(replay_blocker_reason(f),
	          "replay blocked 8.2 s by pid 4711 (application 'reports') holding AccessShareLock on public.t");
	f.application_name = "";
	EXPECT_EQ(replay_blocker_reason(f), "replay blocked 8.2 s by pid 4711 holding AccessShareLock on public.t");
	f.pid.reset();
	f.blocked_ms = 250;
	EXPECT_EQ(replay_blocker_reason(f), "replay blocked 250 ms waiting for a lock on public.t");
}

TEST(ReplayBlocker, PinAndSnapshotBlockersAreCandidates) {
	BlockerFacts f;
	f.conflict = ReplayConflict::kBufferPin;
	f.blocked_ms = 1500;
	f.pid = 12;
	f.application_name = "olap";
	f.relation = "public.t";
	EXPECT_EQ(replay_blocker_reason(f),
	          "replay blocked 1.5 s by a buffer pin on public.t, possibly held by pid 12 (application 'olap')");
	f.conflict = ReplayConflict::kSnapshot;
	f.xmin_age = 42;
	EXPECT_EQ(replay_blocker_reason(f), "replay blocked 1.5 s by a snapshot conflict, possibly with pid 12 "
	                                    "(application 'olap') whose snapshot is 42 transactions old");
	f.pid.reset();
	EXPECT_EQ(replay_blocker_reason(f), "replay blocked 1.5 s by a snapshot conflict");
	f.conflict = ReplayConflict::kTablespace;
	EXPECT_EQ(replay_blocker_reason(f), "replay blocked 1.5 s by a tablespace drop");
	f.conflict = ReplayConflict::kNone;
	EXPECT_EQ(replay_blocker_reason(f), "replay is not blocked by a query");
}

TEST(ReplayBlocker, TruncatesQueryTextAtACharacterBoundary) {
	EXPECT_EQ(truncate_utf8("SELECT 1", 20), "SELECT 1");
	EXPECT_EQ(truncate_utf8("SELECT 1", 8), "SELECT 1");
	EXPECT_EQ(truncate_utf8("SELECT 12345", 8), "SELEC...");
	/* "é" is two bytes (C3 A9): a cut inside it backs up to before it. */
	EXPECT_EQ(truncate_utf8("ab\xC3\xA9"
	                        "cdef",
	                        6),
	          "ab...");
	EXPECT_EQ(truncate_utf8("abc\xC3\xA9"
	                        "cdef",
	                        6),
	          "abc...");
	/* A four-byte character never splits. */
	EXPECT_EQ(truncate_utf8("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 6), "...");
	EXPECT_EQ(truncate_utf8("abcdef", 2), "ab");
	EXPECT_EQ(truncate_utf8("a\xC3\xA9", 2), "a");
	EXPECT_EQ(truncate_utf8("abcdef", 0), "");
}

TEST(ReplayBlocker, BudgetCancelsOnlyCertainBlockersOnOltpReplicasAfterTheBudget) {
	EXPECT_EQ(replay_budget_action(ReplayConflict::kLock, 999, 1000, true), BudgetAction::kNone) << "not before";
	EXPECT_EQ(replay_budget_action(ReplayConflict::kLock, 1000, 1000, true), BudgetAction::kCancelLockHolder);
	EXPECT_EQ(replay_budget_action(ReplayConflict::kBufferPin, 5000, 1000, true), BudgetAction::kCancelPinHolder);
	EXPECT_EQ(replay_budget_action(ReplayConflict::kSnapshot, 5000, 1000, true), BudgetAction::kNone)
	    << "candidates may not conflict";
	EXPECT_EQ(replay_budget_action(ReplayConflict::kTablespace, 5000, 1000, true), BudgetAction::kNone);
	EXPECT_EQ(replay_budget_action(ReplayConflict::kLock, 5000, 1000, false), BudgetAction::kNone) << "OLTP only";
	EXPECT_EQ(replay_budget_action(ReplayConflict::kLock, 5000, -1, true), BudgetAction::kNone) << "off";
	EXPECT_EQ(replay_budget_action(ReplayConflict::kLock, 0, 0, true), BudgetAction::kCancelLockHolder);
	EXPECT_EQ(replay_budget_action(ReplayConflict::kNone, 5000, 1000, true), BudgetAction::kNone);
}
