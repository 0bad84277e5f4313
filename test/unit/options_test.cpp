#include "core/options.hpp"

#include <gtest/gtest.h>

using readscale::decoder::parse_options;
using readscale::decoder::RawOption;

TEST(DecoderOptions, DefaultsWhenEmpty) {
	auto result = parse_options({});
	ASSERT_TRUE(result.ok());
	EXPECT_FALSE(result.value().include_xids);
	EXPECT_TRUE(result.value().skip_empty_xacts);
}

TEST(DecoderOptions, BareBooleanMeansTrue) {
	auto result = parse_options({RawOption{"include-xids", std::nullopt}});
	ASSERT_TRUE(result.ok());
	EXPECT_TRUE(result.value().include_xids);
}

TEST(DecoderOptions, BooleanSpellings) {
	for (const char *yes : {"true", "On", "YES", "1", "t"})
		EXPECT_TRUE(parse_options({RawOption{"include-lsn", std::string(yes)}}).value().include_lsn) << yes;
	for (const char *no : {"false", "off", "No", "0", "f"})
		EXPECT_FALSE(parse_options({RawOption{"include-lsn", std::string(no)}}).value().include_lsn) << no;
}

TEST(DecoderOptions, BadBooleanNamesOptionAndValues) {
	auto result = parse_options({RawOption{"include-xids", std::string("maybe")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().sqlstate(), "22023");
	EXPECT_NE(result.error().message().find("include-xids"), std::string::npos);
	EXPECT_NE(result.error().detail().find("true"), std::string::npos);
}

TEST(DecoderOptions, UnknownOptionListsValidOnes) {
	auto result = parse_options({RawOption{"nope", std::string("1")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().sqlstate(), "22023");
	EXPECT_EQ(result.error().message(), "option \"nope\" = \"1\" is unknown");
	EXPECT_NE(result.error().hint().find("include-xids"), std::string::npos);
}

TEST(DecoderOptions, DuplicateIsSyntaxError) {
	auto result = parse_options({RawOption{"include-xids", std::string("1")}, RawOption{"include-xids", std::string("0")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().sqlstate(), "42601");
	EXPECT_EQ(result.error().message(), "conflicting or redundant options");
}

TEST(DecoderOptions, FormatValues) {
	EXPECT_TRUE(parse_options({RawOption{"format", std::string("ndjson")}}).ok());
	EXPECT_FALSE(parse_options({RawOption{"format", std::string("xml")}}).ok());
	EXPECT_FALSE(parse_options({RawOption{"format", std::nullopt}}).ok());
}
