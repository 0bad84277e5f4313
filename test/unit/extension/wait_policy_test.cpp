#include "core/wait_policy.hpp"

#include <gtest/gtest.h>

using namespace readscale;

TEST(WaitPolicy, ParsesModesAndTimeoutActions) {
	EXPECT_EQ(parse_wait_mode("replay").value(), WaitMode::Replay);
	EXPECT_EQ(parse_wait_mode("primary_flush").value(), WaitMode::PrimaryFlush);
	EXPECT_EQ(parse_wait_mode("REPLAY").error().sqlstate(), "22023");
	EXPECT_EQ(parse_on_timeout("return").value(), OnTimeout::Return);
	EXPECT_EQ(parse_on_timeout("").error().sqlstate(), "22023");
}

TEST(WaitPolicy, AcceptedValuesAreAHint) {
	/* Core PostgreSQL's style: the list of accepted values is what to do (HINT), not a fact (DETAIL). */
	auto mode = parse_wait_mode("sideways");
	EXPECT_TRUE(mode.error().detail().empty());
	EXPECT_NE(mode.error().hint().find("\"primary_flush\""), std::string::npos);
	auto on_timeout = parse_on_timeout("explode");
	EXPECT_TRUE(on_timeout.error().detail().empty());
	EXPECT_NE(on_timeout.error().hint().find("\"return\""), std::string::npos);
}

TEST(WaitPolicy, TimeoutBounds) {
	EXPECT_EQ(validate_timeout_ms(0, "timeout").value(), 0);
	EXPECT_EQ(validate_timeout_ms(kMaxWaitMs, "timeout").value(), kMaxWaitMs);
	EXPECT_EQ(validate_timeout_ms(-1, "timeout").error().sqlstate(), "22003");
	EXPECT_EQ(validate_timeout_ms(kMaxWaitMs + 1, "timeout").error().sqlstate(), "22003");
}

TEST(WaitPolicy, OutcomeNamesMatchPostgres19) {
	EXPECT_STREQ(outcome_name(WaitOutcome::Success), "success");
	EXPECT_STREQ(outcome_name(WaitOutcome::Timeout), "timeout");
	EXPECT_STREQ(outcome_name(WaitOutcome::NotInRecovery), "not in recovery");
}

TEST(WaitPolicy, FailFastReasons) {
	StandbySituation healthy;
	healthy.received = 1000;
	EXPECT_FALSE(fail_fast_reason(healthy, 2000, 1000, WaitMode::Replay, false).has_value());

	StandbySituation paused = healthy;
	paused.replay_paused = true;
	EXPECT_NE(fail_fast_reason(paused, 2000, 1000, WaitMode::Replay, false)->find("paused"), std::string::npos);
	EXPECT_FALSE(fail_fast_reason(paused, 2000, 1000, WaitMode::Flush, false).has_value())
	    << "flush does not need replay";

	StandbySituation delayed = healthy;
	delayed.min_apply_delay_ms = 5000;
	EXPECT_TRUE(fail_fast_reason(delayed, 2000, 1000, WaitMode::Replay, false).has_value());
	EXPECT_FALSE(fail_fast_reason(delayed, 2000, 5000, WaitMode::Replay, false).has_value())
	    << "delay equal to timeout may still succeed";

	StandbySituation disconnected = healthy;
	disconnected.receiver_streaming = false;
	EXPECT_TRUE(fail_fast_reason(disconnected, 2000, 1000, WaitMode::Replay, false).has_value());
	EXPECT_FALSE(fail_fast_reason(disconnected, 900, 1000, WaitMode::Replay, false).has_value()) << "already received";
	EXPECT_NE(fail_fast_reason(disconnected, 2000, 1000, WaitMode::Replay, true)->find("0/000003E8"), std::string::npos)
	    << "the received LSN as 19 prints it";
	StandbySituation connecting = disconnected;
	connecting.receiver_connecting = true;
	EXPECT_FALSE(fail_fast_reason(connecting, 2000, 1000, WaitMode::Replay, false).has_value())
	    << "connecting (19) is transitional";
}

TEST(WaitPolicy, BackoffDoublesToEightMs) {
	EXPECT_EQ(poll_backoff_ms(0), 1);
	EXPECT_EQ(poll_backoff_ms(1), 2);
	EXPECT_EQ(poll_backoff_ms(2), 4);
	EXPECT_EQ(poll_backoff_ms(3), 8);
	EXPECT_EQ(poll_backoff_ms(100), 8);
}
