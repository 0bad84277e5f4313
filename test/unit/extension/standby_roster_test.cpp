#include "core/standby_roster.hpp"

#include <gtest/gtest.h>

using namespace readscale;

namespace {
SeenStandby
seen(const char *name, const char *slot, std::int64_t at) {
	SeenStandby table[1] = {};
	remember_standby(table, 1, name, slot, at);
	return table[0];
}

std::string
names(const std::vector<MissingStandby> &rows) {
	std::string out;
	for (const auto &r : rows)
		out += r.name + "[" + r.expected_by + "] ";
	return out;
}
} // namespace

TEST(StandbyRoster, SeenTableRemembersUpdatesAndForgets) {
	SeenStandby table[2] = {};
	EXPECT_TRUE(remember_standby(table, 2, "s1", "", 10));
	EXPECT_TRUE(remember_standby(table, 2, "s2", "slot2", 10));
	EXPECT_FALSE(remember_standby(table, 2, "s3", "", 10)) << "full";
	EXPECT_TRUE(remember_standby(table, 2, "s1", "slot1", 50));
	EXPECT_EQ(table[0].last_seen_us, 50);
	EXPECT_STREQ(table[0].slot, "slot1");
	EXPECT_EQ(forget_unseen(table, 2, 100, -1), 0u) << "negative: never forget";
	EXPECT_EQ(forget_unseen(table, 2, 100, 60), 1u) << "s2 unseen for 90";
	EXPECT_TRUE(table[0].used);
	EXPECT_FALSE(table[1].used);
	EXPECT_TRUE(forget_standby(table, 2, "s1"));
	EXPECT_FALSE(forget_standby(table, 2, "s1"));
	EXPECT_FALSE(remember_standby(table, 2, "", "", 1)) << "no empty name";
	EXPECT_FALSE(remember_standby(table, 2, std::string(64, 'x'), "", 1)) << "longer than NAMEDATALEN";
}

TEST(StandbyRoster, ConnectedStandbysAreNeverMissing) {
	ExpectedSources s;
	s.connected = {{"s1", "slot1"}};
	s.slots = {{"slot1", true}};
	s.synchronous_names = {"s1"};
	s.policy_names = {"s1"};
	s.seen = {seen("s1", "slot1", 5)};
	EXPECT_TRUE(missing_standbys(s).empty());
}

TEST(StandbyRoster, EachSourceMakesAStandbyExpected) {
	ExpectedSources s;
	s.slots = {{"slot_a", false}, {"slot_b", true}};
	s.synchronous_names = {"sync_c"};
	s.synchronized_slots = {"slot_d"};
	s.policy_names = {"pol_e"};
	s.seen = {seen("seen_f", "", 7)};
	auto rows = missing_standbys(s);
	EXPECT_EQ(names(rows), "pol_e[lag_policy] seen_f[seen] slot_a[slot] slot_d[synchronized_standby_slots] "
	                       "sync_c[synchronous_standby_names] ");
	EXPECT_EQ(rows[1].last_seen_us, 7);
	EXPECT_FALSE(rows[0].last_seen_us) << "never seen: no time";
}

TEST(StandbyRoster, ASeenStandbysInactiveSlotFoldsIntoItsRow) {
	ExpectedSources s;
	s.slots = {{"slot2", false}};
	s.synchronized_slots = {"slot2"};
	s.synchronous_names = {"s2"};
	s.seen = {seen("s2", "slot2", 9)};
	auto rows = missing_standbys(s);
	ASSERT_EQ(rows.size(), 1u);
	EXPECT_EQ(rows[0].expected_by, "seen,slot,synchronized_standby_slots,synchronous_standby_names");
	EXPECT_EQ(rows[0].last_seen_us, 9);
}

TEST(StandbyRoster, AnInactiveSlotNamedAsAConnectedStandbyIsNotAMissingStandby) {
	ExpectedSources s;
	s.connected = {{"s1", ""}};
	s.slots = {{"s1", false}};
	EXPECT_TRUE(missing_standbys(s).empty());
}

TEST(StandbyRoster, ExactPatternsNameAStandby) {
	EXPECT_EQ(exact_pattern_name("s2"), "s2");
	EXPECT_EQ(exact_pattern_name("lag\\_standby"), "lag_standby");
	EXPECT_FALSE(exact_pattern_name("lag\\_%"));
	EXPECT_FALSE(exact_pattern_name("s_"));
	EXPECT_FALSE(exact_pattern_name("s2\\"));
	EXPECT_FALSE(exact_pattern_name(""));
}

TEST(StandbyRoster, AMissingStandbyIsCriticalUnlessThePolicySaysWarning) {
	MissingStandby m {"s2", "seen,slot", 5};
	LagJudgement j = judge_missing(m, true);
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "expected standby is not connected (expected by seen, slot)");
	EXPECT_EQ(judge_missing(m, false).verdict, Verdict::kWarning);
}
