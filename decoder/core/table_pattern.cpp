#include "core/table_pattern.hpp"

#include "common/sqlstate.hpp"

namespace readscale::decoder {

namespace {

Error
bad_list(std::string_view option, std::string_view text, const std::string &why) {
	return Error(sqlstate::kInvalidParameterValue,
	             "invalid value \"" + std::string(text) + "\" for option \"" + std::string(option) + "\"", why);
}

bool
is_space(char c) noexcept {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Scanner over one list. Each part keeps whether it was literal-only "*"
 * (wildcard); quoted or escaped characters never form a wildcard.
 */
class ListScanner {
public:
	ListScanner(std::string_view text, bool dots_split) : text_(text), dots_split_(dots_split) {
	}

	/* Reads one item; returns an error text, or empty when fine. */
	std::string
	next_item(std::vector<NamePart> &parts) {
		parts.assign(1, NamePart {});
		bool literal_seen = false;   /* any quoted or escaped char in the current part */
		std::size_t literal_end = 0; /* text length after the last quoted or escaped char */
		std::string raw;             /* unquoted, unescaped chars of the current part, to spot "*" */
		skip_spaces();
		while (pos_ < text_.size() && text_[pos_] != ',') {
			char c = text_[pos_++];
			if (c == '\\') {
				if (pos_ == text_.size())
					return "A backslash ends the list.";
				parts.back().text += text_[pos_++];
				literal_seen = true;
				literal_end = parts.back().text.size();
			} else if (c == '"') {
				if (auto error = read_quoted(parts.back().text); !error.empty())
					return error;
				literal_seen = true;
				literal_end = parts.back().text.size();
			} else if (c == '.' && dots_split_) {
				close_part(parts.back(), raw, literal_seen, literal_end);
				parts.emplace_back();
				raw.clear();
				literal_seen = false;
				literal_end = 0;
				skip_spaces();
			} else {
				parts.back().text += c;
				raw += c;
			}
		}
		close_part(parts.back(), raw, literal_seen, literal_end);
		if (pos_ < text_.size())
			++pos_; /* the comma */
		return {};
	}

	bool
	done() const noexcept {
		return pos_ >= text_.size();
	}

private:
	void
	skip_spaces() noexcept {
		while (pos_ < text_.size() && is_space(text_[pos_]))
			++pos_;
	}

	std::string
	read_quoted(std::string &out) {
		while (pos_ < text_.size()) {
			char c = text_[pos_++];
			if (c != '"') {
				out += c;
			} else if (pos_ < text_.size() && text_[pos_] == '"') {
				out += '"';
				++pos_;
			} else {
				return {};
			}
		}
		return "A double quote is not closed.";
	}

	/* Trailing unquoted spaces are not part of a name. */
	static void
	close_part(NamePart &part, std::string &raw, bool literal_seen, std::size_t literal_end) {
		while (part.text.size() > literal_end && is_space(part.text.back()))
			part.text.pop_back();
		while (!raw.empty() && is_space(raw.back()))
			raw.pop_back();
		part.wildcard = !literal_seen && raw == "*";
	}

	std::string_view text_;
	bool dots_split_;
	std::size_t pos_ = 0;
};

Result<std::vector<std::vector<NamePart>>>
scan(std::string_view text, std::string_view option, bool dots_split, std::size_t parts_per_item, const char *shape) {
	std::vector<std::vector<NamePart>> items;
	ListScanner scanner(text, dots_split);
	std::vector<NamePart> parts;
	while (!scanner.done()) {
		std::string error = scanner.next_item(parts);
		if (!error.empty())
			return bad_list(option, text, error);
		if (parts.size() != parts_per_item)
			return bad_list(option, text, std::string("Each item must have the form ") + shape + ".");
		for (const auto &part : parts)
			if (part.text.empty() && !part.wildcard)
				return bad_list(option, text, std::string("An item has an empty name; the form is ") + shape + ".");
		items.push_back(parts);
	}
	if (items.empty())
		return bad_list(option, text, "The list is empty.");
	return items;
}

} // namespace

Result<std::vector<std::vector<NamePart>>>
parse_name_list(std::string_view text, std::string_view option, std::size_t parts_per_item) {
	return scan(text, option, true, parts_per_item, parts_per_item == 3 ? "schema.table.column" : "schema.table");
}

Result<std::vector<TablePattern>>
parse_table_patterns(std::string_view text, std::string_view option) {
	auto items = parse_name_list(text, option, 2);
	if (!items.ok())
		return items.error();
	std::vector<TablePattern> patterns;
	for (auto &item : items.value())
		patterns.push_back(TablePattern {std::move(item[0]), std::move(item[1])});
	return patterns;
}

Result<std::vector<ColumnPattern>>
parse_column_patterns(std::string_view text, std::string_view option) {
	auto items = parse_name_list(text, option, 3);
	if (!items.ok())
		return items.error();
	std::vector<ColumnPattern> patterns;
	for (auto &item : items.value())
		patterns.push_back(ColumnPattern {TablePattern {std::move(item[0]), std::move(item[1])}, std::move(item[2])});
	return patterns;
}

Result<std::vector<std::string>>
parse_plain_list(std::string_view text, std::string_view option) {
	auto items = scan(text, option, false, 1, "name");
	if (!items.ok())
		return items.error();
	std::vector<std::string> names;
	for (auto &item : items.value())
		names.push_back(std::move(item[0].text));
	return names;
}

bool
any_matches(const std::vector<TablePattern> &patterns, std::string_view schema, std::string_view table) noexcept {
	for (const auto &pattern : patterns)
		if (pattern.matches(schema, table))
			return true;
	return false;
}

} // namespace readscale::decoder
