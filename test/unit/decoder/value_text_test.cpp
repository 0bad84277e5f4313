#include "core/value_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace rd = readscale::decoder;

namespace {

std::string
float8_text(double value) {
	char buffer[rd::kFloat8TextMax];
	return std::string(buffer, rd::format_float8(value, buffer));
}

/* An on-disk numeric as PostgreSQL stores it (short header when long_form is false). */
std::vector<unsigned char>
numeric_bytes(bool negative, int weight, int dscale, const std::vector<std::uint16_t> &digits, bool long_form = false) {
	std::vector<unsigned char> bytes(long_form ? 4 : 2);
	std::uint16_t header = 0;
	if (long_form) {
		header = static_cast<std::uint16_t>((negative ? 0x4000 : 0) | dscale);
		auto w = static_cast<std::int16_t>(weight);
		std::memcpy(bytes.data() + 2, &w, 2);
	} else {
		header = static_cast<std::uint16_t>(0x8000 | (negative ? 0x2000 : 0) | (dscale << 7) |
		                                    (weight < 0 ? 0x40 | (weight + 64) : weight));
	}
	std::memcpy(bytes.data(), &header, 2);
	for (std::uint16_t digit : digits) {
		bytes.resize(bytes.size() + 2);
		std::memcpy(bytes.data() + bytes.size() - 2, &digit, 2);
	}
	return bytes;
}

std::string
numeric_text(const std::vector<unsigned char> &bytes) {
	std::size_t bound = rd::numeric_text_bound(bytes.data(), bytes.size());
	if (bound == 0)
		return "<malformed>";
	std::string out(bound, '?');
	std::size_t length = rd::format_numeric(bytes.data(), bytes.size(), out.data());
	EXPECT_LE(length, bound);
	out.resize(length);
	std::string within(bound, '?');
	EXPECT_EQ(rd::format_numeric_within(bytes.data(), bytes.size(), within.data(), bound), length);
	EXPECT_EQ(within.substr(0, length), out) << "the one-read form writes the same text";
	EXPECT_EQ(rd::format_numeric_within(bytes.data(), bytes.size(), within.data(), bound - 1), 0u) << "short room";
	return out;
}

std::string
timestamp_text(std::int64_t utc_usecs, long gmtoff) {
	char buffer[rd::kTimestampTextMax];
	std::size_t length = 0;
	if (!rd::format_timestamptz_iso(utc_usecs, gmtoff, buffer, &length))
		return "<fallback>";
	return std::string(buffer, length);
}

constexpr std::int64_t kDay = 86400000000;

} // namespace

/* Expected texts: SELECT literal::float8::text on PostgreSQL 15.20 (extra_float_digits = 1). */
TEST(ValueText, Float8MatchesFloat8out) {
	const char *cases[][2] = {
	    {"0.1", "0.1"},
	    {"1", "1"},
	    {"-1", "-1"},
	    {"0.5", "0.5"},
	    {"1e15", "1e+15"},
	    {"1e14", "100000000000000"},
	    {"123456789012345", "123456789012345"},
	    {"1234567890123456", "1.234567890123456e+15"},
	    {"1e-4", "0.0001"},
	    {"1e-5", "1e-05"},
	    {"0.00012345", "0.00012345"},
	    {"1.5e-5", "1.5e-05"},
	    {"1e100", "1e+100"},
	    {"1.7976931348623157e308", "1.7976931348623157e+308"},
	    {"5e-324", "5e-324"},
	    {"2.2250738585072014e-308", "2.2250738585072014e-308"},
	    {"0.333333333333333", "0.333333333333333"},
	    {"0.6666666666666666", "0.6666666666666666"},
	    {"100", "100"},
	    {"1e22", "1e+22"},
	    {"12345.678", "12345.678"},
	    {"-0.0001", "-0.0001"},
	    {"9007199254740993", "9.007199254740992e+15"},
	    {"0.3", "0.3"},
	    {"1e21", "1e+21"},
	    {"123e300", "1.23e+302"},
	    {"-0", "-0"},
	    {"0", "0"},
	    {"4.35", "4.35"},
	    {"999999999999999", "999999999999999"},
	    {"1e16", "1e+16"},
	    {"-1.25e-7", "-1.25e-07"},
	    {"5e-5", "5e-05"},
	    {"1e-300", "1e-300"},
	    /* either side of the fixed range's ends */
	    {"9.999999999999999e-05", "9.999999999999999e-05"},
	    {"0.00009999", "9.999e-05"},
	    {"999999999999999.9", "999999999999999.9"},
	    {"999999999999999.94", "1e+15"},
	    {"-123456789012345.67", "-123456789012345.67"},
	    {"0.00012345678901234567", "0.00012345678901234567"},
	};
	for (const auto &c : cases)
		EXPECT_EQ(float8_text(std::strtod(c[0], nullptr)), c[1]) << c[0];
}

TEST(ValueText, Float8SpecialValues) {
	EXPECT_EQ(float8_text(std::numeric_limits<double>::quiet_NaN()), "NaN");
	EXPECT_EQ(float8_text(std::numeric_limits<double>::infinity()), "Infinity");
	EXPECT_EQ(float8_text(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(ValueText, NumericMatchesNumericOut) {
	EXPECT_EQ(numeric_text(numeric_bytes(false, 0, 2, {1, 2500})), "1.25");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 0, 2, {1, 2500}, true)), "1.25");
	EXPECT_EQ(numeric_text(numeric_bytes(true, 1, 4, {1, 2345, 6789})), "-12345.6789");
	EXPECT_EQ(numeric_text(numeric_bytes(false, -1, 4, {5})), "0.0005");
	EXPECT_EQ(numeric_text(numeric_bytes(false, -2, 8, {1})), "0.00000001");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 2, 0, {1})), "100000000");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 0, 0, {})), "0");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 0, 3, {})), "0.000");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 0, 1, {1, 5000})), "1.5");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 1, 0, {12, 34})), "120034");
	EXPECT_EQ(numeric_text(numeric_bytes(true, 0, 0, {999})), "-999");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 100, 0, {7}, true)), "7" + std::string(400, '0'));
	EXPECT_EQ(numeric_text(numeric_bytes(false, -3, 9, {1}, true)), "0.000000000");
}

TEST(ValueText, NumericSpecialAndMalformed) {
	auto header_only = [](std::uint16_t header) {
		std::vector<unsigned char> bytes(2);
		std::memcpy(bytes.data(), &header, 2);
		return bytes;
	};
	EXPECT_EQ(numeric_text(header_only(0xC000)), "NaN");
	EXPECT_EQ(numeric_text(header_only(0xD000)), "Infinity");
	EXPECT_EQ(numeric_text(header_only(0xF000)), "-Infinity");
	EXPECT_EQ(numeric_text(header_only(0xE000)), "<malformed>");
	EXPECT_EQ(numeric_text({}), "<malformed>");
	EXPECT_EQ(numeric_text(numeric_bytes(false, 0, 0, {10000})), "<malformed>");
	auto odd = numeric_bytes(false, 0, 0, {1});
	odd.push_back(0);
	EXPECT_EQ(numeric_text(odd), "<malformed>");
	EXPECT_EQ(numeric_text({0x00, 0x00, 0x00}), "<malformed>"); /* long header cut short */
}

TEST(ValueText, TimestamptzIso) {
	const std::int64_t jan_2024 = 8766 * kDay; /* 2024-01-01 00:00 UTC */
	EXPECT_EQ(timestamp_text(jan_2024 + 1000000, 0), "2024-01-01 00:00:01+00");
	EXPECT_EQ(timestamp_text(jan_2024 + 1000000, 3600), "2024-01-01 01:00:01+01");
	EXPECT_EQ(timestamp_text(jan_2024 + 500000, -(5 * 3600 + 30 * 60)), "2023-12-31 18:30:00.5-05:30");
	EXPECT_EQ(timestamp_text(jan_2024 + 123456, 3605), "2024-01-01 01:00:05.123456+01:00:05");
	EXPECT_EQ(timestamp_text(jan_2024 + 120, 0), "2024-01-01 00:00:00.00012+00");
	EXPECT_EQ(timestamp_text(-1, 0), "1999-12-31 23:59:59.999999+00");
	EXPECT_EQ(timestamp_text(59 * kDay, 0), "2000-02-29 00:00:00+00");
	EXPECT_EQ(timestamp_text(-730119 * kDay, 0), "0001-01-01 00:00:00+00");
	EXPECT_EQ(timestamp_text(-730120 * kDay, 0), "<fallback>"); /* 1 BC */
	EXPECT_EQ(timestamp_text(2921939 * kDay, 0), "9999-12-31 00:00:00+00");
	EXPECT_EQ(timestamp_text(2921940 * kDay, 0), "<fallback>");
	EXPECT_EQ(timestamp_text(std::numeric_limits<std::int64_t>::max(), 0), "<fallback>"); /* infinity */
}

TEST(ValueText, UnixSeconds) {
	EXPECT_EQ(rd::unix_seconds_of(0), 946684800);
	EXPECT_EQ(rd::unix_seconds_of(-1), 946684799);
	EXPECT_EQ(rd::unix_seconds_of(1999999), 946684801);
}

/* A cache shared by a column's values gives each value the text it has alone, whatever came before. */
TEST(ValueText, TimestamptzCacheKeepsEveryText) {
	const std::int64_t stamps[] = {0,
	                               1,
	                               kDay - 1,
	                               kDay,
	                               -1,
	                               8766 * kDay + 123456,
	                               8766 * kDay + 7,
	                               -730120 * kDay,
	                               8766 * kDay + 9,
	                               2921940 * kDay,
	                               2921939 * kDay,
	                               59 * kDay};
	const long offsets[] = {0, 3600, -(5 * 3600 + 30 * 60), 3605, 0, -86400};
	rd::TimestampTextCache cache;
	for (int round = 0; round < 3; ++round) {
		for (std::int64_t stamp : stamps) {
			for (long offset : offsets) {
				char buffer[rd::kTimestampTextMax];
				std::size_t length = 0;
				bool written = rd::format_timestamptz_iso(stamp, offset, buffer, &length, &cache);
				std::string alone = timestamp_text(stamp, offset);
				EXPECT_EQ(written ? std::string(buffer, length) : "<fallback>", alone) << stamp << " at " << offset;
			}
		}
	}
}
