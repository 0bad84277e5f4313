// libFuzzer target: the decoder option parser on arbitrary name/value pairs (split at NUL bytes).
#include "core/options.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	std::vector<std::string> parts(1);
	for (std::size_t i = 0; i < size; ++i) {
		if (data[i] == 0)
			parts.emplace_back();
		else
			parts.back().push_back(static_cast<char>(data[i]));
	}
	std::vector<readscale::decoder::RawOption> raw;
	for (std::size_t i = 0; i + 1 < parts.size(); i += 2)
		raw.push_back({parts[i], parts[i + 1] == "\x01" ? std::nullopt : std::optional<std::string>(parts[i + 1])});
	auto result = readscale::decoder::parse_options(raw);
	if (!result.ok() && result.error().sqlstate().size() != 5)
		__builtin_trap();
	return 0;
}
