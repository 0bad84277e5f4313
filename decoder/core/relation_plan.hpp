/*
 * relation_plan.hpp: what the decoder does with one relation's changes,
 * decided once per relation (and again only after a relcache invalidation):
 * whether the table is sent at all, which columns, and the JSON text that
 * never changes between rows (schema/table fields, column keys), escaped once.
 *
 * Glue gathers plain facts from the catalogs (ColumnSource, an array of PODs)
 * and calls plan_relation(); the cache in glue/rel_cache.cpp keeps the result.
 */
#pragma once

#include "core/json.hpp"
#include "core/options.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace readscale::decoder {

/* One attribute of the relation's tuple descriptor, as glue read it. */
struct ColumnSource {
	const char *name;
	const char *type_name;         /* format_type_with_typemod; needed in wal2json-v2 format only */
	std::uint32_t output_function; /* opaque to core: the type's output function */
	JsonKind kind;
	bool dropped;
	bool generated;
	bool identity_key;      /* part of the replica identity (DEFAULT or USING INDEX) */
	bool unpublished;       /* left out by the publications of publication-names (publication_publishes_column) */
	bool virtual_generated; /* 18+: computed when read, NULL in decoded rows: never sent */
};

/* What the publications of publication-names say about one relation's columns, as glue read them. */
struct PublicationColumns {
	bool has_list;         /* their column lists (union) decide: exactly the listed columns */
	bool stored_generated; /* without lists: publish_generated_columns = stored (18+) */
};

/*
 * pgoutput's choice of one column (18: logicalrep_should_publish_column):
 * with a column list exactly the listed ones; otherwise every non-generated
 * column, plus stored generated ones when the publications say stored;
 * never a virtual generated column. 15-17 glue passes stored_generated false
 * (their pgoutput sends no generated column; their lists cannot name one).
 */
bool publication_publishes_column(const ColumnSource &column, bool listed,
                                  const PublicationColumns &publication) noexcept;

struct ColumnPlan {
	int attribute_index; /* 0-based position in the tuple descriptor */
	std::uint32_t output_function;
	JsonKind kind;
	bool identity_key;
	std::string key;         /* "name": escaped, with the colon; wal2json-v2: {"name":..,"type":..,"value": */
	std::string quoted_name; /* "name" escaped, for the unchanged_toast list */
};

struct RelationPlan {
	bool included = false;
	std::string head; /* ,"schema":"s","table":"t" escaped */
	std::vector<ColumnPlan> columns;
};

/* add-tables / filter-tables; filter-tables wins. */
bool table_included(const DecoderOptions &options, std::string_view schema, std::string_view table) noexcept;

/*
 * add-columns / filter-columns; never virtual generated columns; generated
 * columns as the publications decide under publication-names (unpublished),
 * otherwise only with include-generated-columns (or in wal2json-v2 format).
 */
bool column_included(const DecoderOptions &options, std::string_view schema, std::string_view table,
                     const ColumnSource &column) noexcept;

/* The plan for a table (columns only when it is included). */
RelationPlan plan_relation(const DecoderOptions &options, std::string_view schema, std::string_view table,
                           const ColumnSource *columns, std::size_t count);

/* wal2json-v2's column prefix {"name":"n","type":"t","value": (type only with include-types). */
std::string wal2json_column_prefix(std::string_view name, const char *type_name, bool include_types);

/* text as a JSON string literal. */
std::string json_quoted(std::string_view text);

} // namespace readscale::decoder

#include "common/cpp_only.hpp"
