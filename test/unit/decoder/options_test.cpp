#include "core/options.hpp"
#include "common/sqlstate.hpp"

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
	auto result = parse_options({RawOption {"include-xids", std::nullopt}});
	ASSERT_TRUE(result.ok());
	EXPECT_TRUE(result.value().include_xids);
}

TEST(DecoderOptions, BooleanSpellings) {
	for (const char *yes : {"true", "On", "YES", "1", "t"})
		EXPECT_TRUE(parse_options({RawOption {"include-lsn", std::string(yes)}}).value().include_lsn) << yes;
	for (const char *no : {"false", "off", "No", "0", "f"})
		EXPECT_FALSE(parse_options({RawOption {"include-lsn", std::string(no)}}).value().include_lsn) << no;
}

TEST(DecoderOptions, BadBooleanNamesOptionAndValues) {
	auto result = parse_options({RawOption {"include-xids", std::string("maybe")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().sqlstate(), "22023");
	EXPECT_NE(result.error().message().find("include-xids"), std::string::npos);
	EXPECT_NE(result.error().hint().find("true"), std::string::npos);
}

TEST(DecoderOptions, UnknownOptionListsValidOnes) {
	auto result = parse_options({RawOption {"nope", std::string("1")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().sqlstate(), "22023");
	EXPECT_EQ(result.error().message(), "option \"nope\" = \"1\" is unknown");
	EXPECT_NE(result.error().hint().find("include-xids"), std::string::npos);
}

TEST(DecoderOptions, DuplicateIsSyntaxError) {
	auto result =
	    parse_options({RawOption {"include-xids", std::string("1")}, RawOption {"include-xids", std::string("0")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().sqlstate(), "42601");
	EXPECT_EQ(result.error().message(), "conflicting or redundant options");
}

TEST(DecoderOptions, FormatValues) {
	EXPECT_TRUE(parse_options({RawOption {"format", std::string("ndjson")}}).ok());
	EXPECT_FALSE(parse_options({RawOption {"format", std::string("xml")}}).ok());
	EXPECT_FALSE(parse_options({RawOption {"format", std::nullopt}}).ok());
}

using readscale::decoder::DecoderOptions;

TEST(DecoderOptions, Actions) {
	auto result = parse_options({RawOption {"actions", std::string("insert, delete")}});
	ASSERT_TRUE(result.ok());
	EXPECT_EQ(result.value().actions, readscale::decoder::kActionInsert | readscale::decoder::kActionDelete);
	EXPECT_EQ(DecoderOptions {}.actions, readscale::decoder::kAllActions);
	for (const char *bad : {"insert,upsert", "", "message"}) {
		auto error = parse_options({RawOption {"actions", std::string(bad)}});
		ASSERT_FALSE(error.ok()) << bad;
		EXPECT_EQ(error.error().sqlstate(), "22023");
		EXPECT_NE(error.error().hint().find("truncate"), std::string::npos);
	}
	EXPECT_FALSE(parse_options({RawOption {"actions", std::nullopt}}).ok());
}

TEST(DecoderOptions, TableListsAreParsed) {
	auto result = parse_options(
	    {RawOption {"add-tables", std::string("public.*")}, RawOption {"filter-tables", std::string("*.orders")}});
	ASSERT_TRUE(result.ok());
	EXPECT_EQ(result.value().add_tables.size(), 1u);
	EXPECT_TRUE(result.value().filter_tables[0].schema.wildcard);
	auto bad = parse_options({RawOption {"add-tables", std::string("nodot")}});
	ASSERT_FALSE(bad.ok());
	EXPECT_EQ(bad.error().sqlstate(), "22023");
	EXPECT_FALSE(parse_options({RawOption {"filter-tables", std::nullopt}}).ok());
}

TEST(DecoderOptions, MessagePrefixes) {
	auto options = parse_options({RawOption {"add-msg-prefixes", std::string("a,b")},
	                              RawOption {"filter-msg-prefixes", std::string("b")}})
	                   .take();
	EXPECT_TRUE(message_prefix_included(options, "a"));
	EXPECT_FALSE(message_prefix_included(options, "b"));
	EXPECT_FALSE(message_prefix_included(options, "c"));
	EXPECT_TRUE(message_prefix_included(DecoderOptions {}, "c"));
}

TEST(DecoderOptions, Origins) {
	auto options = parse_options({RawOption {"filter-origins", std::string("1, 7")}}).take();
	EXPECT_FALSE(origin_included(options, 7));
	EXPECT_TRUE(origin_included(options, 0));
	for (const char *bad : {"0", "x", "70000", "-1", "123456"})
		EXPECT_EQ(parse_options({RawOption {"filter-origins", std::string(bad)}}).error().sqlstate(), "22023") << bad;
}

TEST(DecoderOptions, Wal2jsonFormatDefaults) {
	auto w2j = parse_options({RawOption {"format", std::string("wal2json-v2")}}).take();
	EXPECT_EQ(w2j.format, readscale::decoder::OutputFormat::Wal2jsonV2);
	EXPECT_TRUE(w2j.include_transaction);
	EXPECT_FALSE(w2j.skip_empty_xacts);
	EXPECT_TRUE(w2j.include_types);
	auto given = parse_options({RawOption {"include-transaction", std::string("0")},
	                            RawOption {"format", std::string("wal2json-v2")},
	                            RawOption {"skip-empty-xacts", std::string("1")}})
	                 .take();
	EXPECT_FALSE(given.include_transaction);
	EXPECT_TRUE(given.skip_empty_xacts);
	auto ndjson = parse_options({}).take();
	EXPECT_FALSE(ndjson.include_transaction);
	EXPECT_NE(parse_options({RawOption {"format", std::string("wal2json")}}).error().hint().find("wal2json-v2"),
	          std::string::npos);
}

TEST(DecoderOptions, BatchBytes) {
	EXPECT_EQ(parse_options({}).value().batch_bytes, 0u);
	for (const char *good : {"0", "1024", "65536", "16777216"})
		EXPECT_TRUE(parse_options({RawOption {"batch-bytes", std::string(good)}}).ok()) << good;
	EXPECT_EQ(parse_options({RawOption {"batch-bytes", std::string("65536")}}).value().batch_bytes, 65536u);
	for (const char *bad : {"-1", "1.5", "abc", "", "1", "1023", "16777217", "999999999999"}) {
		auto result = parse_options({RawOption {"batch-bytes", std::string(bad)}});
		ASSERT_FALSE(result.ok()) << bad;
		EXPECT_NE(result.error().message().find("\"batch-bytes\""), std::string::npos) << bad;
		EXPECT_NE(result.error().hint().find("1024 to 16777216"), std::string::npos) << bad;
	}
	EXPECT_FALSE(parse_options({RawOption {"batch-bytes", std::nullopt}}).ok());
}

TEST(DecoderOptions, BatchBytesNotWithWal2json) {
	auto unbatched =
	    parse_options({RawOption {"format", std::string("wal2json-v2")}, RawOption {"batch-bytes", std::string("0")}});
	EXPECT_TRUE(unbatched.ok());
	auto result = parse_options(
	    {RawOption {"format", std::string("wal2json-v2")}, RawOption {"batch-bytes", std::string("4096")}});
	ASSERT_FALSE(result.ok());
	EXPECT_NE(result.error().message().find("wal2json-v2"), std::string::npos);
}

TEST(DecoderOptions, NumericAsStringNotWithWal2json) {
	auto result = parse_options(
	    {RawOption {"format", std::string("wal2json-v2")}, RawOption {"numeric-as-string", std::string("true")}});
	ASSERT_FALSE(result.ok());
	EXPECT_EQ(result.error().message(), "option \"numeric-as-string\" cannot be used with format wal2json-v2");
	EXPECT_EQ(result.error().sqlstate(), std::string(readscale::sqlstate::kInvalidParameterValue));
	/* off is what wal2json does anyway; ndjson honours it */
	EXPECT_TRUE(parse_options({RawOption {"format", std::string("wal2json-v2")},
	                           RawOption {"numeric-as-string", std::string("off")}})
	                .ok());
	EXPECT_TRUE(parse_options({RawOption {"numeric-as-string", std::string("true")}}).ok());
}

TEST(DecoderOptions, JsonAsString) {
	EXPECT_FALSE(DecoderOptions {}.json_as_string);
	EXPECT_TRUE(parse_options({RawOption {"json-as-string", std::nullopt}}).value().json_as_string);
	EXPECT_TRUE(parse_options({RawOption {"json-as-string", std::string("on")}}).value().json_as_string);
	EXPECT_FALSE(parse_options({RawOption {"json-as-string", std::string("0")}}).value().json_as_string);
	auto bad = parse_options({RawOption {"json-as-string", std::string("text")}});
	ASSERT_FALSE(bad.ok());
	EXPECT_EQ(bad.error().sqlstate(), "22023");
	EXPECT_EQ(bad.error().message(), "invalid value \"text\" for option \"json-as-string\"");
	EXPECT_NE(parse_options({RawOption {"nope", std::nullopt}}).error().hint().find("json-as-string"),
	          std::string::npos);
}

/* wal2json's format-version 2 already sends json and jsonb as strings: the option is accepted and changes nothing. */
TEST(DecoderOptions, JsonAsStringWithWal2json) {
	auto result =
	    parse_options({RawOption {"format", std::string("wal2json-v2")}, RawOption {"json-as-string", std::nullopt}});
	ASSERT_TRUE(result.ok());
	EXPECT_EQ(result.value().format, readscale::decoder::OutputFormat::Wal2jsonV2);
}
