/*
 * table_pattern.hpp: the list syntax of the table, column and prefix filter
 * options, parsed once at slot start-up.
 *
 * A list is comma-separated (wal2json's add-tables / filter-tables): spaces
 * around items are ignored; a backslash escapes the next character; a
 * double-quoted part is taken literally ("" inside quotes is one quote), so
 * names holding dots or commas can be written either way. Within an item,
 * unescaped dots separate schema, table and (for column patterns) column. A
 * part that is exactly an unquoted, unescaped "*" matches any name:
 * "public.*", "*.orders", "*.*.email".
 */
#pragma once

#include "common/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace readscale::decoder {

/* One name part: a literal, or the wildcard. */
struct NamePart {
	std::string text;
	bool wildcard = false;

	bool
	matches(std::string_view name) const noexcept {
		return wildcard || text == name;
	}
};

/* schema.table */
struct TablePattern {
	NamePart schema;
	NamePart table;

	bool
	matches(std::string_view schema_name, std::string_view table_name) const noexcept {
		return schema.matches(schema_name) && table.matches(table_name);
	}
};

/* schema.table.column */
struct ColumnPattern {
	TablePattern table;
	NamePart column;
};

/*
 * Splits a list into items of dot-separated parts. option names the option in
 * errors (22023). Each item must have exactly parts_per_item parts.
 */
Result<std::vector<std::vector<NamePart>>> parse_name_list(std::string_view text, std::string_view option,
                                                           std::size_t parts_per_item);

Result<std::vector<TablePattern>> parse_table_patterns(std::string_view text, std::string_view option);
Result<std::vector<ColumnPattern>> parse_column_patterns(std::string_view text, std::string_view option);

/* A plain comma list (message prefixes, actions): escapes and quotes as above, dots not special. */
Result<std::vector<std::string>> parse_plain_list(std::string_view text, std::string_view option);

/* True when any pattern matches. */
bool any_matches(const std::vector<TablePattern> &patterns, std::string_view schema, std::string_view table) noexcept;

} // namespace readscale::decoder

#include "common/cpp_only.hpp"
