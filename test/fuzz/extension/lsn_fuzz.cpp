// libFuzzer target: parse_lsn and effective_wait_target on arbitrary bytes.
#include "core/lsn.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	std::string_view text(reinterpret_cast<const char *>(data), size);
	auto parsed = readscale::parse_lsn(text);
	if (parsed.ok()) {
		if (readscale::parse_lsn(readscale::format_lsn(parsed.value(), size % 2 == 0)).value() != parsed.value())
			__builtin_trap();
		if (readscale::effective_wait_target(parsed.value(), readscale::WalGeometry {}) > parsed.value())
			__builtin_trap();
	}
	return 0;
}
