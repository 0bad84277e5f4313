// libFuzzer target: the table/column/plain list parsers on arbitrary bytes.
#include "core/table_pattern.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	std::string_view text(reinterpret_cast<const char *>(data), size);
	auto tables = readscale::decoder::parse_table_patterns(text, "add-tables");
	if (tables.ok()) {
		for (const auto &pattern : tables.value())
			if (pattern.schema.text.empty() && !pattern.schema.wildcard)
				__builtin_trap();
	} else if (tables.error().sqlstate() != "22023") {
		__builtin_trap();
	}
	auto columns = readscale::decoder::parse_column_patterns(text, "filter-columns");
	auto plain = readscale::decoder::parse_plain_list(text, "add-msg-prefixes");
	if ((!columns.ok() && columns.error().sqlstate() != "22023") ||
	    (!plain.ok() && plain.error().sqlstate() != "22023"))
		__builtin_trap();
	return 0;
}
