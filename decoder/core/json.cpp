#include "core/json.hpp"

#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace readscale::decoder {

namespace {

/* Escaped size of each byte: 1, 2 (\n, \") or 6 (\u00XX); a table, as this runs for every byte sent. */
struct EscapeTable {
	unsigned char size[256];
	constexpr EscapeTable() : size {} {
		for (int c = 0; c < 256; ++c)
			size[c] = c < 0x20 ? 6 : 1;
		for (char c : {'"', '\\', '\b', '\f', '\n', '\r', '\t'})
			size[static_cast<unsigned char>(c)] = 2;
	}
};
constexpr EscapeTable kEscape;

std::size_t
escaped_size(unsigned char c) noexcept {
	return kEscape.size[c];
}

/* Whether any of 8 bytes needs escaping: below 0x20, '"' or '\\' (bytes from 0x80, UTF-8's, need none). */
bool
any_to_escape(std::uint64_t bytes) noexcept {
	constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
	constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
	std::uint64_t quote = bytes ^ (kOnes * '"');
	std::uint64_t backslash = bytes ^ (kOnes * '\\');
	std::uint64_t found =
	    ((bytes - kOnes * 0x20) & ~bytes) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
	return (found & kHighs) != 0;
}

/* One byte as JSON string content. */
char *
put_escaped(unsigned char c, char *dest) noexcept {
	static constexpr char kHex[] = "0123456789abcdef";
	if (escaped_size(c) == 1) {
		*dest = static_cast<char>(c);
		return dest + 1;
	}
	dest[0] = '\\';
	switch (c) {
	case '"':
		dest[1] = '"';
		return dest + 2;
	case '\\':
		dest[1] = '\\';
		return dest + 2;
	case '\b':
		dest[1] = 'b';
		return dest + 2;
	case '\f':
		dest[1] = 'f';
		return dest + 2;
	case '\n':
		dest[1] = 'n';
		return dest + 2;
	case '\r':
		dest[1] = 'r';
		return dest + 2;
	case '\t':
		dest[1] = 't';
		return dest + 2;
	default:
		std::memcpy(dest + 1, "u00", 3);
		dest[4] = kHex[c >> 4];
		dest[5] = kHex[c & 0xF];
		return dest + 6;
	}
}

bool
is_non_finite(const char *text, std::size_t length) noexcept {
	auto is = [&](const char *word) {
		return length == std::strlen(word) && std::memcmp(text, word, length) == 0;
	};
	return is("NaN") || is("Infinity") || is("-Infinity");
}

bool
starts_with_ci(const char *text, std::size_t length, const char *word) noexcept {
	std::size_t n = std::strlen(word);
	if (length < n)
		return false;
	for (std::size_t i = 0; i < n; ++i) {
		char c = text[i];
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
		char w = word[i];
		if (w >= 'A' && w <= 'Z')
			w = static_cast<char>(w - 'A' + 'a');
		if (c != w)
			return false;
	}
	return true;
}

/* wal2json's test: strncasecmp against NaN, Infinity, -Infinity. */
bool
is_wal2json_null_number(const char *text, std::size_t length) noexcept {
	return starts_with_ci(text, length, "NaN") || starts_with_ci(text, length, "Infinity") ||
	       starts_with_ci(text, length, "-Infinity");
}

std::size_t
hex_skip(std::size_t length) noexcept {
	return length >= 2 ? 2 : length;
}

char *
write_raw(const char *text, std::size_t length, char *dest) noexcept {
	std::memcpy(dest, text, length);
	return dest + length;
}

/*
 * JSON text embedded in a record that must stay on one line. json keeps its
 * input's whitespace, line breaks included; a valid JSON text has them only
 * between tokens (a raw control byte inside a string is an error), where a
 * space means the same.
 */
void
replace_all(char *begin, char *end, char from, char to) noexcept {
	while (begin < end) {
		auto *found = static_cast<char *>(std::memchr(begin, from, static_cast<std::size_t>(end - begin)));
		if (found == nullptr)
			return;
		*found = to;
		begin = found + 1;
	}
}

char *
write_one_line(const char *text, std::size_t length, char *dest) noexcept {
	std::memcpy(dest, text, length);
	replace_all(dest, dest + length, '\n', ' ');
	replace_all(dest, dest + length, '\r', ' ');
	return dest + length;
}

} // namespace

std::size_t
quoted_length(const char *text, std::size_t length) noexcept {
	std::size_t total = 2;
	for (std::size_t i = 0; i < length; ++i)
		total += escaped_size(static_cast<unsigned char>(text[i]));
	return total;
}

char *
write_quoted(const char *text, std::size_t length, char *dest) noexcept {
	*dest++ = '"';
	std::size_t i = 0;
	while (i < length) {
		if (length - i < 8) {
			dest = put_escaped(static_cast<unsigned char>(text[i++]), dest);
			continue;
		}
		std::uint64_t bytes = 0;
		std::memcpy(&bytes, text + i, 8);
		if (!any_to_escape(bytes)) {
			std::memcpy(dest, &bytes, 8);
			dest += 8;
			i += 8;
			continue;
		}
		for (std::size_t end = i + 8; i < end; ++i)
			dest = put_escaped(static_cast<unsigned char>(text[i]), dest);
	}
	*dest++ = '"';
	return dest;
}

std::size_t
encoded_length(JsonKind kind, const char *text, std::size_t length) noexcept {
	switch (kind) {
	case JsonKind::Integer:
	case JsonKind::Json:
		return length;
	case JsonKind::Float:
		return is_non_finite(text, length) ? length + 2 : length;
	case JsonKind::Bool:
		return length == 1 && text[0] == 't' ? 4 : 5;
	case JsonKind::NumberOrNull:
		return is_wal2json_null_number(text, length) ? 4 : length;
	case JsonKind::HexBytes:
		return quoted_length(text + hex_skip(length), length - hex_skip(length));
	case JsonKind::String:
		break;
	}
	return quoted_length(text, length);
}

std::size_t
encoded_length_bound(JsonKind kind, std::size_t length) noexcept {
	switch (kind) {
	case JsonKind::Integer:
	case JsonKind::Json:
		return length;
	case JsonKind::Float:
		return length + 2;
	case JsonKind::Bool:
		return 5;
	case JsonKind::NumberOrNull:
		return length < 4 ? 4 : length;
	case JsonKind::HexBytes:
	case JsonKind::String:
		break;
	}
	return 6 * length + 2;
}

char *
encode(JsonKind kind, const char *text, std::size_t length, char *dest) noexcept {
	switch (kind) {
	case JsonKind::Integer:
		return write_raw(text, length, dest);
	case JsonKind::Json:
		return write_one_line(text, length, dest);
	case JsonKind::Float:
		return is_non_finite(text, length) ? write_quoted(text, length, dest) : write_raw(text, length, dest);
	case JsonKind::Bool:
		return length == 1 && text[0] == 't' ? write_raw("true", 4, dest) : write_raw("false", 5, dest);
	case JsonKind::NumberOrNull:
		return is_wal2json_null_number(text, length) ? write_raw("null", 4, dest) : write_raw(text, length, dest);
	case JsonKind::HexBytes:
		return write_quoted(text + hex_skip(length), length - hex_skip(length), dest);
	case JsonKind::String:
		break;
	}
	return write_quoted(text, length, dest);
}

} // namespace readscale::decoder
