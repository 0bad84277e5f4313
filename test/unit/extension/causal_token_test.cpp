#include "core/causal_token.hpp"

#include <gtest/gtest.h>

using readscale::CausalToken;
using readscale::TimelineSwitch;

TEST(CausalToken, RoundTrip) {
	CausalToken token {7312345678901234567u, 3, 0x300000060};
	std::string text = readscale::format_causal_token(token, false);
	EXPECT_EQ(text, "rs1:7312345678901234567:3:3/60");
	EXPECT_EQ(readscale::format_causal_token(token, true), "rs1:7312345678901234567:3:3/00000060");
	EXPECT_EQ(readscale::parse_causal_token("rs1:7312345678901234567:3:3/00000060").value().lsn, token.lsn);
	auto parsed = readscale::parse_causal_token(text);
	ASSERT_TRUE(parsed.ok());
	EXPECT_EQ(parsed.value().system_identifier, token.system_identifier);
	EXPECT_EQ(parsed.value().timeline, 3u);
	EXPECT_EQ(parsed.value().lsn, token.lsn);
}

TEST(CausalToken, MalformedIs22P02) {
	for (const char *bad : {"", "rs1:", "rs2:1:1:0/0", "rs1:1:1", "rs1:1:0:0/0", "rs1:x:1:0/0", "rs1:1:1:zz",
	                        "rs1:99999999999999999999:1:0/0", "rs1:1:4294967296:0/0", "rs1::1:0/0", "0/16B3748"}) {
		auto parsed = readscale::parse_causal_token(bad);
		ASSERT_FALSE(parsed.ok()) << bad;
		EXPECT_EQ(parsed.error().sqlstate(), "22P02") << bad;
	}
}

TEST(CausalToken, PlainLsnPointsAtWaitForLsn) {
	auto parsed = readscale::parse_causal_token("0/16B3748");
	ASSERT_FALSE(parsed.ok());
	EXPECT_EQ(parsed.error().sqlstate(), "22P02");
	EXPECT_NE(std::string(parsed.error().hint()).find("readscale.wait_for_lsn()"), std::string::npos);
	auto other = readscale::parse_causal_token("rs1:x:1:0/0");
	ASSERT_FALSE(other.ok());
	EXPECT_EQ(std::string(other.error().hint()).find("wait_for_lsn"), std::string::npos)
	    << "only a plain LSN is sent to wait_for_lsn";
}

TEST(CausalToken, OtherClusterIsRefused) {
	CausalToken token {1, 1, 100};
	auto error = readscale::check_token_applies(token, 2, 1, nullptr, 0, true, false);
	ASSERT_TRUE(error.has_value());
	EXPECT_EQ(error->sqlstate(), "55R03");
}

TEST(CausalToken, SameTimelineApplies) {
	CausalToken token {1, 2, 100};
	EXPECT_FALSE(readscale::check_token_applies(token, 1, 2, nullptr, 0, false, false).has_value());
}

TEST(CausalToken, AncestorTimelineFencepost) {
	TimelineSwitch history[] = {{1, 1000}};
	// a write at the switch point is on both branches; one byte after it is only on the lost one
	EXPECT_FALSE(readscale::check_token_applies(CausalToken {1, 1, 1000}, 1, 2, history, 1, true, false).has_value());
	auto error = readscale::check_token_applies(CausalToken {1, 1, 1001}, 1, 2, history, 1, true, false);
	ASSERT_TRUE(error.has_value());
	EXPECT_EQ(error->sqlstate(), "55R03");
	EXPECT_NE(error->detail().find("lost in a failover"), std::string::npos);
}

TEST(CausalToken, UnknownTimelineIsRefused) {
	TimelineSwitch history[] = {{1, 1000}};
	EXPECT_TRUE(readscale::check_token_applies(CausalToken {1, 5, 10}, 1, 6, history, 1, true, false).has_value());
}

TEST(CausalToken, NewerTimelineWaitsOnStandbyButNotOnPrimary) {
	EXPECT_FALSE(readscale::check_token_applies(CausalToken {1, 3, 10}, 1, 2, nullptr, 0, true, false).has_value());
	EXPECT_TRUE(readscale::check_token_applies(CausalToken {1, 3, 10}, 1, 2, nullptr, 0, false, false).has_value());
}
