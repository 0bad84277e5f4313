#include "core/options.hpp"

#include "core/sqlstate.hpp"

#include <algorithm>
#include <cctype>

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
	             "invalid value " + quoted_value(option) + " for option \"" + option.name + "\"",
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
	return bad_value(option, "ndjson");
}

constexpr OptionSpec kOptions[] = {
    {"format", set_format},
    {"include-lsn", set_bool<&DecoderOptions::include_lsn>},
    {"include-timestamp", set_bool<&DecoderOptions::include_timestamp>},
    {"include-transaction", set_bool<&DecoderOptions::include_transaction>},
    {"include-xids", set_bool<&DecoderOptions::include_xids>},
    {"skip-empty-xacts", set_bool<&DecoderOptions::skip_empty_xacts>},
};

const OptionSpec *
find_option(std::string_view name) {
	for (const auto &spec : kOptions)
		if (name == spec.name)
			return &spec;
	return nullptr;
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
	return options;
}

} // namespace readscale::decoder
