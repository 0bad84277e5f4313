#include "core/relation_plan.hpp"

namespace readscale::decoder {

namespace {

/* Among patterns, does any name this table (for add-columns: is the table listed at all)? */
bool
lists_table(const std::vector<ColumnPattern> &patterns, std::string_view schema, std::string_view table) noexcept {
	for (const auto &pattern : patterns)
		if (pattern.table.matches(schema, table))
			return true;
	return false;
}

bool
lists_column(const std::vector<ColumnPattern> &patterns, std::string_view schema, std::string_view table,
             std::string_view column) noexcept {
	for (const auto &pattern : patterns)
		if (pattern.table.matches(schema, table) && pattern.column.matches(column))
			return true;
	return false;
}

} // namespace

std::string
json_quoted(std::string_view text) {
	std::string out(quoted_length(text.data(), text.size()), '\0');
	write_quoted(text.data(), text.size(), out.data());
	return out;
}

/*
 * format_type_with_typemod quotes names that need it; wal2json then writes
 * them as they are, unless an array's brackets sit outside the quotes.
 */
std::string
wal2json_column_prefix(std::string_view name, const char *type_name, bool include_types) {
	std::string prefix = "{\"name\":" + json_quoted(name);
	if (include_types) {
		std::string_view type = type_name != nullptr ? type_name : "";
		bool quoted = !type.empty() && type.front() == '"' && type.back() != ']';
		prefix += ",\"type\":";
		prefix += quoted ? std::string(type) : json_quoted(type);
	}
	prefix += ",\"value\":";
	return prefix;
}

bool
table_included(const DecoderOptions &options, std::string_view schema, std::string_view table) noexcept {
	if (any_matches(options.filter_tables, schema, table))
		return false;
	return options.add_tables.empty() || any_matches(options.add_tables, schema, table);
}

bool
column_included(const DecoderOptions &options, std::string_view schema, std::string_view table,
                const ColumnSource &column) noexcept {
	bool generated_sent = options.include_generated_columns || options.format == OutputFormat::Wal2jsonV2 ||
	                      !options.publication_names.empty();
	if (column.dropped || column.unpublished || column.virtual_generated || (column.generated && !generated_sent))
		return false;
	if (lists_column(options.filter_columns, schema, table, column.name))
		return false;
	if (lists_table(options.add_columns, schema, table))
		return lists_column(options.add_columns, schema, table, column.name);
	return true;
}

bool
publication_publishes_column(const ColumnSource &column, bool listed, const PublicationColumns &publication) noexcept {
	if (column.dropped || column.virtual_generated)
		return false;
	if (publication.has_list)
		return listed;
	return !column.generated || publication.stored_generated;
}

RelationPlan
plan_relation(const DecoderOptions &options, std::string_view schema, std::string_view table,
              const ColumnSource *columns, std::size_t count) {
	RelationPlan plan;
	plan.included = table_included(options, schema, table);
	if (!plan.included)
		return plan;
	plan.head = ",\"schema\":" + json_quoted(schema) + ",\"table\":" + json_quoted(table);
	for (std::size_t i = 0; i < count; ++i) {
		const ColumnSource &column = columns[i];
		if (!column_included(options, schema, table, column))
			continue;
		ColumnPlan entry {static_cast<int>(i), column.output_function, column.kind, column.identity_key, {}, {}};
		entry.quoted_name = json_quoted(column.name);
		if (options.format == OutputFormat::Wal2jsonV2)
			entry.key = wal2json_column_prefix(column.name, column.type_name, options.include_types);
		else
			entry.key = entry.quoted_name + ":";
		plan.columns.push_back(std::move(entry));
	}
	return plan;
}

} // namespace readscale::decoder
