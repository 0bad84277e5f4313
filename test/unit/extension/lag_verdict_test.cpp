#include "core/lag_verdict.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using namespace readscale;

namespace {
LagThresholds
thresholds() {
	LagThresholds t;
	t.warning_ms = 1000;
	t.critical_ms = 10000;
	t.warning_bytes = 1024;
	t.critical_bytes = 1024 * 1024;
	return t;
}
} // namespace

TEST(JudgeLag, OkWithinThresholds) {
	auto j = judge_lag({"streaming", 100, 5}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kOk);
	EXPECT_EQ(j.reason, "replay lag 5 ms, 100 bytes is within the thresholds");
	EXPECT_EQ(judge_lag({"streaming", 1024, 1000}, thresholds()).verdict, Verdict::kOk) << "limits are inclusive";
}

TEST(JudgeLag, WarningAndCriticalByTimeAndBytes) {
	auto j = judge_lag({"streaming", 0, 1001}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kWarning);
	EXPECT_EQ(j.reason, "replay lag 1.0 s exceeds the warning threshold 1.0 s");
	j = judge_lag({"streaming", 2048, 0}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kWarning);
	EXPECT_EQ(j.reason, "replay lag 2048 bytes exceeds the warning threshold 1024 bytes");
	j = judge_lag({"streaming", 0, 20000}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "replay lag 20.0 s exceeds the critical threshold 10.0 s");
	j = judge_lag({"streaming", 2u * 1024 * 1024, 0}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "replay lag 2048 kB exceeds the critical threshold 1024 kB");
}

TEST(JudgeLag, CriticalWinsOverWarning) {
	/* Time is only a warning, bytes are critical: the verdict is critical. */
	EXPECT_EQ(judge_lag({"streaming", 10u * 1024 * 1024, 2000}, thresholds()).verdict, Verdict::kCritical);
}

TEST(JudgeLag, UnknownTimeLagJudgedByBytesOnly) {
	auto j = judge_lag({"streaming", 10, std::nullopt}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kOk);
	EXPECT_EQ(j.reason, "replay lag unknown, 10 bytes is within the thresholds");
}

TEST(JudgeLag, NegativeLagCountsAsZero) {
	EXPECT_EQ(judge_lag({"streaming", 0, -5000}, thresholds()).reason,
	          "replay lag 0 ms, 0 bytes is within the thresholds");
}

TEST(JudgeLag, NegativeThresholdDisables) {
	LagThresholds t;
	EXPECT_EQ(judge_lag({"streaming", UINT64_MAX, INT64_MAX}, t).verdict, Verdict::kOk);
}

TEST(JudgeLag, NonStreamingIsCriticalUnlessPolicySaysOtherwise) {
	auto j = judge_lag({"catchup", 0, 0}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kCritical);
	EXPECT_EQ(j.reason, "standby is \"catchup\", not streaming");
	EXPECT_EQ(judge_lag({"", 0, 0}, thresholds()).reason, "standby is \"disconnected\", not streaming");
	auto t = thresholds();
	t.non_streaming_is_critical = false;
	EXPECT_EQ(judge_lag({"catchup", 0, 0}, t).verdict, Verdict::kOk);
	EXPECT_EQ(judge_lag({"catchup", 4096, 0}, t).verdict, Verdict::kWarning);
}

TEST(JudgeLag, ConnectingReceiverIsTransitional) {
	auto j = judge_lag({"connecting", 0, 0}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kWarning);
	EXPECT_EQ(j.reason, "WAL receiver is \"connecting\" to the primary, not yet streaming");
	auto t = thresholds();
	t.non_streaming_is_critical = false;
	EXPECT_EQ(judge_lag({"connecting", 0, 0}, t).verdict, Verdict::kWarning);
	EXPECT_EQ(judge_lag({"connecting", UINT64_MAX, INT64_MAX}, thresholds()).verdict, Verdict::kCritical)
	    << "lag over the critical threshold stays critical";
	EXPECT_EQ(
	    judge_lag({"connecting", 0, 20000}, thresholds()).reason,
	    "WAL receiver is \"connecting\" to the primary, not yet streaming; replay lag 20.0 s exceeds the critical "
	    "threshold 10.0 s");
}

TEST(JudgeLag, ConnectingPastTheWarningThresholdNamesBoth) {
	auto j = judge_lag({"connecting", 0, 2000}, thresholds());
	EXPECT_EQ(j.verdict, Verdict::kWarning);
	EXPECT_EQ(j.reason, "WAL receiver is \"connecting\" to the primary, not yet streaming; replay lag 2.0 s exceeds "
	                    "the warning threshold 1.0 s");
}

TEST(ConnectingStaleness, CountsFromTheLastContactWithThePrimary) {
	const std::int64_t now = 1'000'000'000;
	EXPECT_EQ(connecting_staleness_ms(0, now, now - 3'000'000), 3000) << "caught up with what arrived is not fresh";
	EXPECT_EQ(connecting_staleness_ms(5000, now, now - 3'000'000), 5000) << "older replayed data stays the bound";
	EXPECT_EQ(connecting_staleness_ms(std::nullopt, now, now - 3'000'000), 3000);
	EXPECT_EQ(connecting_staleness_ms(0, now, std::nullopt), 0) << "no contact time known: unchanged";
	EXPECT_EQ(connecting_staleness_ms(std::nullopt, now, std::nullopt), std::nullopt);
	EXPECT_EQ(connecting_staleness_ms(0, now, now + 5'000'000), 0) << "clock skew is not negative staleness";
}

TEST(VerdictName, AllNames) {
	EXPECT_STREQ(verdict_name(Verdict::kOk), "ok");
	EXPECT_STREQ(verdict_name(Verdict::kWarning), "warning");
	EXPECT_STREQ(verdict_name(Verdict::kCritical), "critical");
}

TEST(EffectiveTimeLag, NullWhenIdleIsZeroOnlyForCaughtUpStreaming) {
	EXPECT_EQ(effective_time_lag_ms(std::nullopt, true, true), 0);
	EXPECT_EQ(effective_time_lag_ms(std::nullopt, true, false), std::nullopt);
	EXPECT_EQ(effective_time_lag_ms(std::nullopt, false, true), std::nullopt);
	EXPECT_EQ(effective_time_lag_ms(250, true, true), 250);
	EXPECT_EQ(effective_time_lag_ms(-3, true, false), 0);
}

TEST(LocalStaleness, ZeroWhenCaughtUpEvenIfLastCommitIsOld) {
	EXPECT_EQ(local_staleness_ms(0x3000, 0x3000, 1'000'000'000, 1), 0);
	EXPECT_EQ(local_staleness_ms(0x3000, 0x3100, std::nullopt, std::nullopt), 0);
}

TEST(LocalStaleness, AgeOfLastReplayedTransactionWhenBehind) {
	EXPECT_EQ(local_staleness_ms(0x4000, 0x3000, 5'000'000, 2'000'000), 3000);
	EXPECT_EQ(local_staleness_ms(0x4000, 0x3000, 1'000'000, 2'000'000), 0) << "clock skew is not negative staleness";
	EXPECT_EQ(local_staleness_ms(0x4000, 0x3000, 5'000'000, std::nullopt), std::nullopt);
	EXPECT_EQ(local_staleness_ms(0, 0x3000, 5'000'000, std::nullopt), std::nullopt) << "nothing received";
}

// Regression (lag_slot_policy_fuzz): the difference of far-apart timestamps overflowed int64.
TEST(LocalStaleness, ExtremeTimestampsDoNotOverflow) {
	EXPECT_EQ(local_staleness_ms(0x4000, 0x3000, INT64_MAX, INT64_MIN), static_cast<std::int64_t>(UINT64_MAX / 1000));
	EXPECT_EQ(local_staleness_ms(0x4000, 0x3000, 5'099'982'185'084'405'446, INT64_MIN), 14'323'354'221'939'181);
	EXPECT_EQ(local_staleness_ms(0x4000, 0x3000, INT64_MIN, INT64_MAX), 0);
}

TEST(CheckFreshness, PassesWithinLimits) {
	EXPECT_FALSE(check_freshness(0, 0, 0, 0).has_value());
	EXPECT_FALSE(check_freshness(500, 100, 500, 100).has_value());
	EXPECT_FALSE(check_freshness(std::nullopt, 100, -1, -1).has_value()) << "no limits";
}

TEST(CheckFreshness, RaisesStalenessExceeded) {
	auto e = check_freshness(1500, 10, 1000, -1);
	ASSERT_TRUE(e.has_value());
	EXPECT_EQ(e->sqlstate(), "55R02");
	EXPECT_EQ(e->message(), "standby data is 1.5 s stale, more than the allowed 1.0 s");
	EXPECT_EQ(e->detail(), "Unreplayed WAL: 10 bytes.");
	EXPECT_FALSE(e->hint().empty());
	e = check_freshness(0, 20000, 1000, 16384);
	ASSERT_TRUE(e.has_value());
	EXPECT_EQ(e->sqlstate(), "55R02");
	EXPECT_EQ(e->message(), "standby has 19 kB of WAL not replayed, more than the allowed 16 kB");
	e = check_freshness(std::nullopt, 0, 1000, -1);
	ASSERT_TRUE(e.has_value());
	EXPECT_EQ(e->message(), "standby staleness is unknown");
}

TEST(LikeMatch, Semantics) {
	EXPECT_TRUE(like_match("%", ""));
	EXPECT_TRUE(like_match("%", "anything"));
	EXPECT_TRUE(like_match("replica_", "replica1"));
	EXPECT_FALSE(like_match("replica_", "replica"));
	EXPECT_FALSE(like_match("replica_", "replica12"));
	EXPECT_TRUE(like_match("replica%", "replica"));
	EXPECT_TRUE(like_match("%-eu-%", "db-eu-1"));
	EXPECT_FALSE(like_match("%-eu-%", "db-us-1"));
	EXPECT_TRUE(like_match("a%b%c", "aXXbYYbZc"));
	EXPECT_FALSE(like_match("a%b%c", "aXXbYYbZ"));
	EXPECT_FALSE(like_match("Replica", "replica")) << "case-sensitive, as LIKE";
	EXPECT_TRUE(like_match("100\\%", "100%"));
	EXPECT_FALSE(like_match("100\\%", "1000"));
	EXPECT_TRUE(like_match("a\\_b", "a_b"));
	EXPECT_FALSE(like_match("a\\_b", "axb"));
	EXPECT_FALSE(like_match("bad\\", "bad\\")) << "invalid pattern matches nothing";
	EXPECT_TRUE(like_match("%%%x%%", "x"));
}

TEST(ValidatePattern, RejectsEmptyAndDanglingEscape) {
	EXPECT_TRUE(validate_pattern("%").ok());
	EXPECT_TRUE(validate_pattern("a\\\\").ok());
	for (const char *bad : {"", "abc\\"}) {
		auto r = validate_pattern(bad);
		ASSERT_FALSE(r.ok()) << bad;
		EXPECT_EQ(r.error().sqlstate(), "22023");
		EXPECT_FALSE(r.error().hint().empty());
	}
}

TEST(MostSpecificMatch, ExactBeatsPatternsThenMoreLiteralsThenLexicographic) {
	std::vector<std::string_view> p = {"%", "replica%", "replica_", "replica1", "rep%"};
	EXPECT_EQ(most_specific_match(p, "replica1"), 3u);
	EXPECT_EQ(most_specific_match(p, "replica2"), 1u) << "replica% and replica_ tie on literals; smaller text wins";
	EXPECT_EQ(most_specific_match(p, "replica22"), 1u);
	EXPECT_EQ(most_specific_match(p, "reporter"), 4u);
	EXPECT_EQ(most_specific_match(p, "other"), 0u);
	EXPECT_EQ(most_specific_match({"a%", "b%"}, "c"), std::nullopt);
	EXPECT_EQ(most_specific_match({}, "c"), std::nullopt);
	/* Order of the list does not matter. */
	std::vector<std::string_view> reversed(p.rbegin(), p.rend());
	EXPECT_EQ(reversed[*most_specific_match(reversed, "replica2")], "replica%");
}

/* The cases sql/lag_policy.sql ran through the 0.1-only readscale._match_policy(). */
TEST(MostSpecificMatch, EscapedWildcardIsLiteral) {
	std::vector<std::string_view> p = {"%", "batch\\_%", "replica%", "replica1", "replica_"};
	EXPECT_EQ(most_specific_match(p, "batch_x"), 1u);
	EXPECT_EQ(most_specific_match(p, "batchx"), 0u) << "batch\\_% needs a literal underscore";
	EXPECT_EQ(most_specific_match(p, "replica1"), 3u);
	EXPECT_EQ(most_specific_match(p, "replica2"), 2u);
	EXPECT_EQ(most_specific_match(p, "replica22"), 2u);
	EXPECT_EQ(most_specific_match(p, "other"), 0u);
}

TEST(Format, MillisecondsAndBytes) {
	EXPECT_EQ(format_ms(0), "0 ms");
	EXPECT_EQ(format_ms(999), "999 ms");
	EXPECT_EQ(format_ms(61500), "61.5 s");
	EXPECT_EQ(format_bytes(10239), "10239 bytes");
	EXPECT_EQ(format_bytes(10240), "10 kB");
	EXPECT_EQ(format_bytes(16u * 1024 * 1024), "16 MB");
}
