#include "core/table_pattern.hpp"

#include <gtest/gtest.h>

using namespace readscale::decoder;

TEST(TablePattern, PlainAndWildcards) {
	auto result = parse_table_patterns(" public.* , *.orders,s.t", "add-tables");
	ASSERT_TRUE(result.ok());
	const auto &p = result.value();
	ASSERT_EQ(p.size(), 3u);
	EXPECT_TRUE(p[0].matches("public", "anything"));
	EXPECT_FALSE(p[0].matches("other", "anything"));
	EXPECT_TRUE(p[1].matches("sales", "orders"));
	EXPECT_FALSE(p[1].matches("sales", "orders2"));
	EXPECT_TRUE(p[2].matches("s", "t"));
	EXPECT_FALSE(p[2].matches("s", "u"));
}

TEST(TablePattern, QuotedNamesKeepDotsCommasAndStars) {
	auto result = parse_table_patterns("\"my.schema\".\"a,b\",\"*\".x,\"q\"\"t\".y", "add-tables");
	ASSERT_TRUE(result.ok());
	const auto &p = result.value();
	ASSERT_EQ(p.size(), 3u);
	EXPECT_TRUE(p[0].matches("my.schema", "a,b"));
	EXPECT_FALSE(p[1].schema.wildcard);
	EXPECT_TRUE(p[1].matches("*", "x"));
	EXPECT_FALSE(p[1].matches("public", "x"));
	EXPECT_TRUE(p[2].matches("q\"t", "y"));
}

TEST(TablePattern, BackslashEscapes) {
	auto result = parse_table_patterns("my\\.schema.a\\,b,s.\\*", "filter-tables");
	ASSERT_TRUE(result.ok());
	const auto &p = result.value();
	ASSERT_EQ(p.size(), 2u);
	EXPECT_TRUE(p[0].matches("my.schema", "a,b"));
	EXPECT_FALSE(p[1].table.wildcard);
	EXPECT_TRUE(p[1].matches("s", "*"));
	EXPECT_FALSE(p[1].matches("s", "t"));
}

TEST(TablePattern, ErrorsNameTheOption) {
	for (const char *bad : {"public", "a.b.c", "\"open.t", "a.b\\", "", ",", ".t", "s."}) {
		auto result = parse_table_patterns(bad, "add-tables");
		ASSERT_FALSE(result.ok()) << bad;
		EXPECT_EQ(result.error().sqlstate(), "22023") << bad;
		EXPECT_NE(result.error().message().find("\"add-tables\""), std::string::npos) << bad;
		EXPECT_FALSE(result.error().detail().empty()) << bad;
	}
}

TEST(TablePattern, ColumnPatterns) {
	auto result = parse_column_patterns("public.users.email, *.*.secret", "filter-columns");
	ASSERT_TRUE(result.ok());
	const auto &p = result.value();
	ASSERT_EQ(p.size(), 2u);
	EXPECT_TRUE(p[0].table.matches("public", "users"));
	EXPECT_TRUE(p[0].column.matches("email"));
	EXPECT_FALSE(p[0].column.matches("name"));
	EXPECT_TRUE(p[1].table.matches("x", "y"));
	EXPECT_FALSE(parse_column_patterns("public.users", "filter-columns").ok());
}

TEST(TablePattern, PlainListDotsAreLiteral) {
	auto result = parse_plain_list("a.b, c\\,d ,\"e f\"", "add-msg-prefixes");
	ASSERT_TRUE(result.ok());
	EXPECT_EQ(result.value(), (std::vector<std::string> {"a.b", "c,d", "e f"}));
}

TEST(TablePattern, AnyMatches) {
	auto patterns = parse_table_patterns("public.a,*.b", "add-tables").take();
	EXPECT_TRUE(any_matches(patterns, "public", "a"));
	EXPECT_TRUE(any_matches(patterns, "x", "b"));
	EXPECT_FALSE(any_matches(patterns, "x", "a"));
	EXPECT_FALSE(any_matches({}, "x", "a"));
}
