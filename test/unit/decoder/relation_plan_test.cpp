#include "core/relation_plan.hpp"

#include <gtest/gtest.h>

using namespace readscale::decoder;

namespace {

DecoderOptions
options_of(std::vector<RawOption> raw) {
	return parse_options(raw).take();
}

std::vector<ColumnSource>
users_columns() {
	return {
	    {"id", "integer", 1, JsonKind::Integer, false, false, true, false},
	    {"........pg.dropped.2........", nullptr, 2, JsonKind::String, true, false, false, false},
	    {"email", "text", 3, JsonKind::String, false, false, false, false},
	    {"name \"n\"", "character varying(10)", 4, JsonKind::String, false, false, false, false},
	    {"total", "\"my type\"", 5, JsonKind::Float, false, true, false, false},
	};
}

} // namespace

TEST(RelationPlan, DefaultSendsEveryLiveStoredColumnPreEscaped) {
	auto columns = users_columns();
	auto plan = plan_relation(DecoderOptions{}, "public", "us\"ers", columns.data(), columns.size());
	ASSERT_TRUE(plan.included);
	EXPECT_EQ(plan.head, ",\"schema\":\"public\",\"table\":\"us\\\"ers\"");
	ASSERT_EQ(plan.columns.size(), 3u);
	EXPECT_EQ(plan.columns[0].key, "\"id\":");
	EXPECT_TRUE(plan.columns[0].identity_key);
	EXPECT_EQ(plan.columns[1].attribute_index, 2);
	EXPECT_EQ(plan.columns[1].output_function, 3u);
	EXPECT_EQ(plan.columns[2].quoted_name, "\"name \\\"n\\\"\"");
}

TEST(RelationPlan, GeneratedColumnsOnRequest) {
	auto columns = users_columns();
	auto options = options_of({{"include-generated-columns", std::nullopt}});
	auto plan = plan_relation(options, "public", "users", columns.data(), columns.size());
	ASSERT_EQ(plan.columns.size(), 4u);
	EXPECT_EQ(plan.columns[3].key, "\"total\":");
}

TEST(RelationPlan, TableFilters) {
	auto options = options_of({{"add-tables", "public.*,*.orders"}, {"filter-tables", "public.secret"}});
	EXPECT_TRUE(table_included(options, "public", "users"));
	EXPECT_TRUE(table_included(options, "sales", "orders"));
	EXPECT_FALSE(table_included(options, "sales", "items"));
	EXPECT_FALSE(table_included(options, "public", "secret"));
	auto columns = users_columns();
	auto plan = plan_relation(options, "sales", "items", columns.data(), columns.size());
	EXPECT_FALSE(plan.included);
	EXPECT_TRUE(plan.columns.empty());
	EXPECT_TRUE(plan.head.empty());
}

TEST(RelationPlan, ColumnFilters) {
	auto columns = users_columns();
	auto excluded = options_of({{"filter-columns", "public.users.email"}});
	auto plan = plan_relation(excluded, "public", "users", columns.data(), columns.size());
	ASSERT_EQ(plan.columns.size(), 2u);
	EXPECT_EQ(plan.columns[1].key, "\"name \\\"n\\\"\":");
	EXPECT_EQ(plan_relation(excluded, "public", "other", columns.data(), columns.size()).columns.size(), 3u);

	auto only = options_of({{"add-columns", "public.users.id,public.users.email"}});
	plan = plan_relation(only, "public", "users", columns.data(), columns.size());
	ASSERT_EQ(plan.columns.size(), 2u);
	EXPECT_EQ(plan.columns[1].key, "\"email\":");
	EXPECT_EQ(plan_relation(only, "public", "other", columns.data(), columns.size()).columns.size(), 3u);
}

TEST(RelationPlan, JsonQuoted) {
	EXPECT_EQ(json_quoted("a\nb"), "\"a\\nb\"");
	EXPECT_EQ(json_quoted(""), "\"\"");
}

TEST(RelationPlan, Wal2jsonColumnPrefixes) {
	auto columns = users_columns();
	auto options = options_of({{"format", "wal2json-v2"}});
	auto plan = plan_relation(options, "public", "users", columns.data(), columns.size());
	ASSERT_EQ(plan.columns.size(), 4u); /* wal2json sends generated columns */
	EXPECT_EQ(plan.columns[0].key, "{\"name\":\"id\",\"type\":\"integer\",\"value\":");
	EXPECT_EQ(plan.columns[2].key, "{\"name\":\"name \\\"n\\\"\",\"type\":\"character varying(10)\",\"value\":");
	EXPECT_EQ(plan.columns[3].key, "{\"name\":\"total\",\"type\":\"my type\",\"value\":");
	EXPECT_EQ(wal2json_column_prefix("a", "\"t\"[]", true), "{\"name\":\"a\",\"type\":\"\\\"t\\\"[]\",\"value\":");
	EXPECT_EQ(wal2json_column_prefix("a", "int", false), "{\"name\":\"a\",\"value\":");
}

TEST(RelationPlan, UnpublishedColumnsAreLeftOut) {
	auto columns = users_columns();
	columns[2].unpublished = true;
	auto plan = plan_relation(DecoderOptions{}, "public", "users", columns.data(), columns.size());
	ASSERT_EQ(plan.columns.size(), 2u);
	EXPECT_EQ(plan.columns[1].key, "\"name \\\"n\\\"\":");
	auto options = options_of({{"publication-names", "p1, \"P 2\""}});
	EXPECT_EQ(options.publication_names, (std::vector<std::string>{"p1", "P 2"}));
}
