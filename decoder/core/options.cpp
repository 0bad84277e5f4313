#include "core/options.hpp"

#include "common/sqlstate.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace readscale::decoder {

namespace {

using Setter = std::optional<Error> (*)(DecoderOptions &, const RawOption &);

struct OptionSpec {
	const char *name;
	Setter set;
};

std::string
quoted_value(const RawOption &option) {
	return option.value ? "\"" + *option.value + "\"" : "(none)";
}

Error
bad_value(const RawOption &option, const char *accepted) {
	return Error(sqlstate::kInvalidParameterValue,
	             "invalid value " + quoted_value(option) + " for option \"" + option.name + "\"", {},
	             std::string("Accepted values are: ") + accepted + ".");
}

template <bool DecoderOptions::*Field>
std::optional<Error>
set_bool(DecoderOptions &options, const RawOption &option) {
	if (!option.value) {
		options.*Field = true;
		return std::nullopt;
	}
	auto parsed = parse_bool(*option.value);
	if (!parsed)
		return bad_value(option, "true, false, on, off, yes, no, 1, 0");
	options.*Field = *parsed;
	return std::nullopt;
}

std::optional<Error>
set_format(DecoderOptions &options, const RawOption &option) {
	if (option.value && *option.value == "ndjson") {
		options.format = OutputFormat::Ndjson;
		return std::nullopt;
	}
	if (option.value && *option.value == "wal2json-v2") {
		options.format = OutputFormat::Wal2jsonV2;
		return std::nullopt;
	}
	return bad_value(option, "ndjson, wal2json-v2");
}

template <std::vector<TablePattern> DecoderOptions::*Field>
std::optional<Error>
set_tables(DecoderOptions &options, const RawOption &option) {
	if (!option.value)
		return bad_value(option, "a comma-separated list of schema.table, where * matches any name");
	auto parsed = parse_table_patterns(*option.value, option.name);
	if (!parsed.ok())
		return parsed.error();
	options.*Field = std::move(parsed.value());
	return std::nullopt;
}

template <std::vector<ColumnPattern> DecoderOptions::*Field>
std::optional<Error>
set_columns(DecoderOptions &options, const RawOption &option) {
	if (!option.value)
		return bad_value(option, "a comma-separated list of schema.table.column, where * matches any name");
	auto parsed = parse_column_patterns(*option.value, option.name);
	if (!parsed.ok())
		return parsed.error();
	options.*Field = std::move(parsed.value());
	return std::nullopt;
}

template <std::vector<std::string> DecoderOptions::*Field>
std::optional<Error>
set_prefixes(DecoderOptions &options, const RawOption &option) {
	if (!option.value)
		return bad_value(option, "a comma-separated list of names");
	auto parsed = parse_plain_list(*option.value, option.name);
	if (!parsed.ok())
		return parsed.error();
	options.*Field = std::move(parsed.value());
	return std::nullopt;
}

std::optional<Error>
set_actions(DecoderOptions &options, const RawOption &option) {
	static constexpr const char *kAccepted = "a comma-separated list of insert, update, delete, truncate";
	if (!option.value)
		return bad_value(option, kAccepted);
	auto parsed = parse_plain_list(*option.value, option.name);
	if (!parsed.ok())
		return bad_value(option, kAccepted);
	static constexpr std::pair<const char *, unsigned> kNames[] = {
	    {"insert", kActionInsert}, {"update", kActionUpdate}, {"delete", kActionDelete}, {"truncate", kActionTruncate}};
	options.actions = 0;
	for (const auto &name : parsed.value()) {
		unsigned bit = 0;
		for (const auto &[known, known_bit] : kNames)
			if (name == known)
				bit = known_bit;
		if (bit == 0)
			return bad_value(option, kAccepted);
		options.actions |= bit;
	}
	return std::nullopt;
}

std::optional<Error>
set_origins(DecoderOptions &options, const RawOption &option) {
	static constexpr const char *kAccepted = "a comma-separated list of replication origin ids (1 to 65535)";
	if (!option.value)
		return bad_value(option, kAccepted);
	auto parsed = parse_plain_list(*option.value, option.name);
	if (!parsed.ok())
		return bad_value(option, kAccepted);
	for (const auto &item : parsed.value()) {
		if (item.empty() || item.size() > 5 || item.find_first_not_of("0123456789") != std::string::npos)
			return bad_value(option, kAccepted);
		unsigned long id = std::stoul(item);
		if (id == 0 || id > 65535)
			return bad_value(option, kAccepted);
		options.filter_origins.push_back(static_cast<std::uint32_t>(id));
	}
	return std::nullopt;
}

std::optional<Error>
set_batch_bytes(DecoderOptions &options, const RawOption &option) {
	static constexpr const char *kAccepted = "0 (one message per change) or an integer from 1024 to 16777216";
	/* at most 8 digits: 16777216 has 8, and stoul cannot overflow */
	if (!option.value || option.value->empty() || option.value->size() > 8 ||
	    option.value->find_first_not_of("0123456789") != std::string::npos)
		return bad_value(option, kAccepted);
	unsigned long bytes = std::stoul(*option.value);
	if (bytes != 0 && (bytes < kMinBatchBytes || bytes > kMaxBatchBytes))
		return bad_value(option, kAccepted);
	options.batch_bytes = static_cast<std::uint32_t>(bytes);
	return std::nullopt;
}

constexpr OptionSpec kOptions[] = {
    {"actions", set_actions},
    {"add-columns", set_columns<&DecoderOptions::add_columns>},
    {"add-msg-prefixes", set_prefixes<&DecoderOptions::add_msg_prefixes>},
    {"add-tables", set_tables<&DecoderOptions::add_tables>},
    {"batch-bytes", set_batch_bytes},
    {"filter-columns", set_columns<&DecoderOptions::filter_columns>},
    {"filter-msg-prefixes", set_prefixes<&DecoderOptions::filter_msg_prefixes>},
    {"filter-origins", set_origins},
    {"filter-tables", set_tables<&DecoderOptions::filter_tables>},
    {"format", set_format},
    {"include-generated-columns", set_bool<&DecoderOptions::include_generated_columns>},
    {"include-lsn", set_bool<&DecoderOptions::include_lsn>},
    {"include-origin", set_bool<&DecoderOptions::include_origin>},
    {"include-timestamp", set_bool<&DecoderOptions::include_timestamp>},
    {"include-transaction", set_bool<&DecoderOptions::include_transaction>},
    {"include-types", set_bool<&DecoderOptions::include_types>},
    {"include-xids", set_bool<&DecoderOptions::include_xids>},
    {"json-as-string", set_bool<&DecoderOptions::json_as_string>},
    {"numeric-as-string", set_bool<&DecoderOptions::numeric_as_string>},
    {"publication-names", set_prefixes<&DecoderOptions::publication_names>},
    {"skip-empty-xacts", set_bool<&DecoderOptions::skip_empty_xacts>},
    {"stream-changes", set_bool<&DecoderOptions::stream_changes>},
};

const OptionSpec *
find_option(std::string_view name) {
	for (const auto &spec : kOptions)
		if (name == spec.name)
			return &spec;
	return nullptr;
}

/* wal2json's defaults for options the user did not give. */
void
apply_format_defaults(DecoderOptions &options, const std::vector<const OptionSpec *> &seen) {
	if (options.format != OutputFormat::Wal2jsonV2)
		return;
	auto given = [&](std::string_view name) {
		return std::any_of(seen.begin(), seen.end(), [&](const OptionSpec *spec) { return name == spec->name; });
	};
	if (!given("include-transaction"))
		options.include_transaction = true;
	if (!given("skip-empty-xacts"))
		options.skip_empty_xacts = false;
}

/*
 * wal2json-v2 writes numeric as a JSON number, by wal2json's rules: numeric-as-string would be
 * silently ignored. (json-as-string is accepted: wal2json already sends json and jsonb as strings.)
 */
std::optional<Error>
as_string_with_wal2json(const DecoderOptions &options) {
	if (options.format != OutputFormat::Wal2jsonV2 || !options.numeric_as_string)
		return std::nullopt;
	return Error(sqlstate::kInvalidParameterValue,
	             "option \"numeric-as-string\" cannot be used with format wal2json-v2",
	             "wal2json's format-version 2 sends numeric values as JSON numbers.",
	             "Use format ndjson, or leave numeric-as-string off.");
}

} // namespace

std::string
accepted_option_names() {
	std::string names;
	for (const auto &spec : kOptions) {
		if (!names.empty())
			names += ", ";
		names += spec.name;
	}
	return names;
}

bool
message_prefix_included(const DecoderOptions &options, std::string_view prefix) noexcept {
	for (const auto &excluded : options.filter_msg_prefixes)
		if (prefix == excluded)
			return false;
	if (options.add_msg_prefixes.empty())
		return true;
	for (const auto &included : options.add_msg_prefixes)
		if (prefix == included)
			return true;
	return false;
}

bool
origin_included(const DecoderOptions &options, std::uint32_t origin) noexcept {
	return std::find(options.filter_origins.begin(), options.filter_origins.end(), origin) ==
	       options.filter_origins.end();
}

std::optional<bool>
parse_bool(std::string_view text) {
	std::string lower(text);
	std::transform(lower.begin(), lower.end(), lower.begin(),
	               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	if (lower == "true" || lower == "on" || lower == "yes" || lower == "1" || lower == "t" || lower == "y")
		return true;
	if (lower == "false" || lower == "off" || lower == "no" || lower == "0" || lower == "f" || lower == "n")
		return false;
	return std::nullopt;
}

Result<DecoderOptions>
parse_options(const std::vector<RawOption> &raw) {
	DecoderOptions options;
	std::vector<const OptionSpec *> seen;
	for (const auto &option : raw) {
		const OptionSpec *spec = find_option(option.name);
		if (spec == nullptr)
			return Error(sqlstate::kInvalidParameterValue,
			             "option \"" + option.name + "\" = " + quoted_value(option) + " is unknown", "",
			             "Valid options are: " + accepted_option_names() + ".");
		if (std::find(seen.begin(), seen.end(), spec) != seen.end())
			return Error(sqlstate::kSyntaxError, "conflicting or redundant options",
			             "Option \"" + option.name + "\" is given more than once.");
		seen.push_back(spec);
		if (auto error = spec->set(options, option))
			return *error;
	}
	apply_format_defaults(options, seen);
	/* wal2json sends one message per change; its consumers would not split ours */
	if (options.format == OutputFormat::Wal2jsonV2 && options.batch_bytes != 0)
		return Error(sqlstate::kInvalidParameterValue, "option \"batch-bytes\" cannot be used with format wal2json-v2",
		             "wal2json's format-version 2 sends one message per change.",
		             "Use format ndjson, or batch-bytes 0.");
	if (auto error = as_string_with_wal2json(options))
		return *error;
	return options;
}

} // namespace readscale::decoder
