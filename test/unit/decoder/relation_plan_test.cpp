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
	    {"id", "integer", 1, JsonKind::Integer, false, false, true, false, false},
	    {"........pg.dropped.2........", nullptr, 2, JsonKind::String, true, false, false, false, false},
	    {"email", "text", 3, JsonKind::String, false, false, false, false, false},
	    {"name \"n\"", "character varying(10)", 4, JsonKind::String, false, false, false, false, false},
	    {"total", "\"my type\"", 5, JsonKind::Float, false, true, false, false, false},
	};
}

} // namespace

TEST(RelationPlan, DefaultSendsEveryLiveStoredColumnPreEscaped) {
	auto columns = users_columns();
	auto plan = plan_relation(DecoderOptions {}, "public", "us\"ers", columns.data(), columns.size());
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

ColumnSource
virtual_column() {
	return {"v", "integer", 6, JsonKind::Integer, false, true, false, false, true};
}

TEST(RelationPlan, VirtualGeneratedColumnsNeverSent) {
	auto columns = users_columns();
	columns.push_back(virtual_column());
	for (auto raw :
	     {std::vector<RawOption> {{"include-generated-columns", std::nullopt}},
	      std::vector<RawOption> {{"format", "wal2json-v2"}}, std::vector<RawOption> {{"publication-names", "p"}}}) {
		auto plan = plan_relation(options_of(raw), "public", "users", columns.data(), columns.size());
		ASSERT_FALSE(plan.columns.empty());
		EXPECT_EQ(plan.columns.back().key.find("\"v\""), std::string::npos) << raw[0].name;
	}
}

TEST(RelationPlan, PublicationsDecideGeneratedColumns) {
	auto columns = users_columns();
	auto options = options_of({{"publication-names", "p"}});
	columns[4].unpublished = true; /* the publications left "total" out */
	EXPECT_EQ(plan_relation(options, "public", "users", columns.data(), columns.size()).columns.size(), 3u);
	columns[4].unpublished = false; /* publish_generated_columns = stored: sent without include-generated-columns */
	EXPECT_EQ(plan_relation(options, "public", "users", columns.data(), columns.size()).columns.size(), 4u);
}

TEST(PublicationPublishesColumn, Pgoutput18Rule) {
	auto columns = users_columns();
	const ColumnSource &plain = columns[0];
	const ColumnSource &stored = columns[4];
	ColumnSource virtual_generated = virtual_column();
	PublicationColumns no_list {false, false};
	PublicationColumns no_list_stored {false, true};
	PublicationColumns list {true, false};
	EXPECT_TRUE(publication_publishes_column(plain, false, no_list));
	EXPECT_FALSE(publication_publishes_column(stored, false, no_list));
	EXPECT_TRUE(publication_publishes_column(stored, false, no_list_stored));
	EXPECT_FALSE(publication_publishes_column(virtual_generated, false, no_list_stored));
	/* a column list is exact, generated or not */
	EXPECT_FALSE(publication_publishes_column(plain, false, list));
	EXPECT_TRUE(publication_publishes_column(stored, true, list));
	EXPECT_TRUE(publication_publishes_column(plain, true, PublicationColumns {true, true}));
	EXPECT_FALSE(publication_publishes_column(virtual_generated, true, list));
	EXPECT_FALSE(publication_publishes_column(columns[1], true, list)) << "dropped";
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
	auto plan = plan_relation(DecoderOptions {}, "public", "users", columns.data(), columns.size());
	ASSERT_EQ(plan.columns.size(), 2u);
	EXPECT_EQ(plan.columns[1].key, "\"name \\\"n\\\"\":");
	auto options = options_of({{"publication-names", "p1, \"P 2\""}});
	EXPECT_EQ(options.publication_names, (std::vector<std::string> {"p1", "P 2"}));
}
