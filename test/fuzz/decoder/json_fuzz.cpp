// libFuzzer target: the decoder's JSON writer on arbitrary bytes. The buffer is exactly
// encoded_length() bytes (ASan catches a longer write), encode() must end exactly there, and the
// output must be RFC 8259 JSON whenever the column text could come from PostgreSQL (checked by an
// independent validator).
#include "core/json.hpp"
#include "json_validator.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace {

using readscale::decoder::JsonKind;
using readscale::testing::JsonValidator;

bool
is_number(std::string_view text) {
	return !text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9')) && JsonValidator::valid(text) &&
	       text.find_first_of(" \t\r\n") == std::string_view::npos;
}

bool
starts_with_nonfinite(std::string_view text) {
	auto lower = [](char c) {
		return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
	};
	auto prefix = [&](std::string_view word) {
		if (text.size() < word.size())
			return false;
		for (std::size_t i = 0; i < word.size(); ++i)
			if (lower(text[i]) != word[i])
				return false;
		return true;
	};
	return prefix("nan") || prefix("infinity") || prefix("-infinity");
}

/* Whether PostgreSQL could hand this text to the writer for this kind (its output functions are well behaved). */
bool
postgres_could_produce(JsonKind kind, std::string_view text) {
	switch (kind) {
	case JsonKind::String:
		return JsonValidator::utf8(text);
	case JsonKind::HexBytes: /* byteaout's hex format: "\x" then digits */
		return text.substr(0, 2) == "\\x" && JsonValidator::utf8(text.substr(2));
	case JsonKind::Bool:
		return true;
	case JsonKind::Integer:
		return is_number(text);
	case JsonKind::Float:
		return is_number(text) || text == "NaN" || text == "Infinity" || text == "-Infinity";
	case JsonKind::NumberOrNull:
		return is_number(text) || starts_with_nonfinite(text);
	case JsonKind::Json:
		return JsonValidator::valid(text);
	}
	return false;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	if (size == 0)
		return 0;
	auto kind = static_cast<JsonKind>(data[0] % 7);
	const char *text = reinterpret_cast<const char *>(data + 1);
	std::size_t length = size - 1;
	std::size_t expected = readscale::decoder::encoded_length(kind, text, length);
	auto out = std::make_unique<char[]>(expected + 1);
	char *end = readscale::decoder::encode(kind, text, length, out.get());
	if (end != out.get() + expected)
		__builtin_trap();
	std::string_view json(out.get(), expected);
	/* Structure holds for any bytes in a string; UTF-8 too when the input was UTF-8. */
	if ((kind == JsonKind::String || kind == JsonKind::HexBytes) && !JsonValidator::valid(json, false))
		__builtin_trap();
	if (postgres_could_produce(kind, std::string_view(text, length)) && !JsonValidator::valid(json))
		__builtin_trap();

	std::size_t quoted = readscale::decoder::quoted_length(text, length);
	auto buffer = std::make_unique<char[]>(quoted);
	if (readscale::decoder::write_quoted(text, length, buffer.get()) != buffer.get() + quoted ||
	    !JsonValidator::valid(std::string_view(buffer.get(), quoted),
	                          JsonValidator::utf8(std::string_view(text, length))))
		__builtin_trap();
	return 0;
}
