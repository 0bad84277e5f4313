#include "core/units.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace readscale;

namespace {
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int32_t kInt32Max = std::numeric_limits<std::int32_t>::max();
} // namespace

TEST(Units, ThresholdCountsAMonthAsThirtyDays) {
	EXPECT_EQ(interval_ms_truncated({0, 0, 1500}), 1);
	EXPECT_EQ(interval_ms_truncated({0, 1, 0}), 86400000);
	EXPECT_EQ(interval_ms_truncated({1, 0, 0}), 30LL * 86400000);
	EXPECT_EQ(interval_ms_truncated({1, -30, 2000}), 2);
}

TEST(Units, ThresholdTruncatesTowardZero) {
	EXPECT_EQ(interval_ms_truncated({0, 0, 999}), 0);
	EXPECT_EQ(interval_ms_truncated({0, 0, -999}), 0);
	EXPECT_EQ(interval_ms_truncated({0, 0, -1999}), -1);
}

TEST(Units, ThresholdOfTheLargestIntervalsDoesNotWrap) {
	/* '178000000 years' and beyond: the microseconds overflow 64 bits, the milliseconds do not. */
	constexpr std::int64_t kLargestDays = std::int64_t {kInt32Max} * 30 + kInt32Max;
	EXPECT_EQ(interval_ms_truncated({kInt32Max, kInt32Max, kInt64Max}), kLargestDays * 86400000 + kInt64Max / 1000);
	EXPECT_EQ(interval_ms_truncated({-kInt32Max - 1, -kInt32Max - 1, kInt64Min}),
	          -(kLargestDays + 31) * 86400000 + kInt64Min / 1000);
	EXPECT_GT(interval_ms_truncated({2136000000, 0, 0}), 0);
	/* Only the sum must fit: a huge day count offset by negative time stays exact. */
	EXPECT_EQ(interval_ms_truncated({0, 106751991, -86400LL * 1000 * 1000 * 106751991}), 0);
	EXPECT_EQ(interval_ms_truncated({0, 0, kInt64Max}), kInt64Max / 1000);
}

TEST(Units, TimeoutRoundsASubMillisecondRemainderUp) {
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, 0}), 0);
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, 1}), 1);   /* 1 us still waits */
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, 500}), 1); /* '0.5 ms' is not "check once" */
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, 1000}), 1);
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, 1001}), 2);
	EXPECT_EQ(timeout_ms_rounded_up({1, 1, 0}), 31LL * 86400000);
}

TEST(Units, TimeoutLeavesNegativeValuesToTheRangeCheck) {
	/* A negative remainder truncates toward zero; validate_timeout_ms refuses what stays negative. */
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, -500}), 0);
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, -1500}), -1);
	EXPECT_EQ(timeout_ms_rounded_up({0, -1, 0}), -86400000);
}

TEST(Units, TimeoutRefusesWhatDoesNotFit) {
	EXPECT_FALSE(timeout_ms_rounded_up({kInt32Max, 0, 0}).has_value());
	EXPECT_FALSE(timeout_ms_rounded_up({0, 106751992, 0}).has_value());
	EXPECT_FALSE(timeout_ms_rounded_up({0, 106751991, kInt64Max}).has_value());
	EXPECT_EQ(timeout_ms_rounded_up({0, 0, kInt64Max}), kInt64Max / 1000 + 1);
}

TEST(Units, MillisecondsBackToIntervalMicroseconds) {
	EXPECT_EQ(ms_to_microseconds_saturated(0), 0);
	EXPECT_EQ(ms_to_microseconds_saturated(1500), 1500000);
	EXPECT_EQ(ms_to_microseconds_saturated(-2), -2000);
	EXPECT_EQ(ms_to_microseconds_saturated(kInt64Max / 1000), kInt64Max / 1000 * 1000);
	EXPECT_EQ(ms_to_microseconds_saturated(kInt64Max / 1000 + 1), kInt64Max);
	EXPECT_EQ(ms_to_microseconds_saturated(kInt64Min), kInt64Min);
}

TEST(Units, KilobyteSettingsInBytes) {
	EXPECT_EQ(kb_to_bytes(0), 0);
	EXPECT_EQ(kb_to_bytes(16 * 1024), 16LL * 1024 * 1024);
	EXPECT_EQ(kb_to_bytes(std::numeric_limits<int>::max()), 2147483647LL * 1024); /* 2 TB fits */
	EXPECT_EQ(kb_to_bytes(-1), -1);
	EXPECT_EQ(kb_to_bytes(-5), -1);
}
