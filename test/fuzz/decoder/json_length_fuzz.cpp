// libFuzzer target: the JSON value encoder's sizes on arbitrary bytes, for every kind.
// encoded_length() must equal what encode() writes, encoded_length_bound()
// must never be below it (glue sizes its buffer with either), and a String
// must come out as a quoted literal with no raw control byte or bare quote.
#include "core/json.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

using readscale::decoder::JsonKind;

void
check_string(const char *out, std::size_t n) {
	if (n < 2 || out[0] != '"' || out[n - 1] != '"')
		__builtin_trap();
	for (std::size_t i = 1; i + 1 < n; i++) {
		auto c = static_cast<unsigned char>(out[i]);
		if (c < 0x20)
			__builtin_trap();
		if (c == '\\')
			i++; /* the escaped character, or the u of \u00XX */
		else if (c == '"')
			__builtin_trap();
	}
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	const char *text = reinterpret_cast<const char *>(data);
	const JsonKind kinds[] = {JsonKind::Integer, JsonKind::Float,        JsonKind::Bool,    JsonKind::Json,
	                          JsonKind::String,  JsonKind::NumberOrNull, JsonKind::HexBytes};
	for (JsonKind kind : kinds) {
		std::size_t exact = readscale::decoder::encoded_length(kind, text, size);
		if (readscale::decoder::encoded_length_bound(kind, size) < exact)
			__builtin_trap();
		std::vector<char> out(exact + 1);
		char *end = readscale::decoder::encode(kind, text, size, out.data());
		if (static_cast<std::size_t>(end - out.data()) != exact)
			__builtin_trap();
		if (kind == JsonKind::String)
			check_string(out.data(), exact);
	}
	return 0;
}
