#include "core/json.hpp"

#include <cstring>
#include <initializer_list>

namespace readscale::decoder {

namespace {

/* Escaped size of each byte: 1, 2 (\n, \") or 6 (\u00XX); a table, as this runs for every byte sent. */
struct EscapeTable {
	unsigned char size[256];
	constexpr EscapeTable() : size{} {
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

bool
is_non_finite(const char *text, std::size_t length) noexcept {
	auto is = [&](const char *word) { return length == std::strlen(word) && std::memcmp(text, word, length) == 0; };
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
	static constexpr char kHex[] = "0123456789abcdef";
	*dest++ = '"';
	for (std::size_t i = 0; i < length; ++i) {
		/* copy the run of bytes that need no escape in one go */
		std::size_t run = i;
		while (run < length && escaped_size(static_cast<unsigned char>(text[run])) == 1)
			++run;
		if (run > i) {
			std::memcpy(dest, text + i, run - i);
			dest += run - i;
			i = run;
			if (i == length)
				break;
		}
		auto c = static_cast<unsigned char>(text[i]);
		switch (c) {
		case '"': *dest++ = '\\'; *dest++ = '"'; break;
		case '\\': *dest++ = '\\'; *dest++ = '\\'; break;
		case '\b': *dest++ = '\\'; *dest++ = 'b'; break;
		case '\f': *dest++ = '\\'; *dest++ = 'f'; break;
		case '\n': *dest++ = '\\'; *dest++ = 'n'; break;
		case '\r': *dest++ = '\\'; *dest++ = 'r'; break;
		case '\t': *dest++ = '\\'; *dest++ = 't'; break;
		default:
			if (c < 0x20) {
				std::memcpy(dest, "\\u00", 4);
				dest[4] = kHex[c >> 4];
				dest[5] = kHex[c & 0xF];
				dest += 6;
			} else {
				*dest++ = static_cast<char>(c);
			}
		}
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
	case JsonKind::Json:
		return write_raw(text, length, dest);
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
