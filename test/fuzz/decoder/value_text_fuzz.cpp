// libFuzzer target: the decoder's own float8, numeric and timestamptz texts (core/value_text) on
// arbitrary bytes. Each is written into a buffer of exactly the size promised (ASan catches a
// longer write); float8 text must read back as the same double (shortest round-trip), numeric
// text must have numeric_out's shape, and a timestamp must have timestamptz_out's ISO shape.
#include "core/value_text.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace rd = readscale::decoder;

namespace {

void
check(bool condition) {
	if (!condition)
		std::abort();
}

bool
is_digit(char c) {
	return c >= '0' && c <= '9';
}

void
check_float8(const std::uint8_t *data, std::size_t size) {
	if (size < sizeof(double))
		return;
	double value = 0;
	std::memcpy(&value, data, sizeof value);
	auto buffer = std::make_unique<char[]>(rd::kFloat8TextMax);
	std::size_t length = rd::format_float8(value, buffer.get());
	check(length > 0 && length < rd::kFloat8TextMax);
	std::string text(buffer.get(), length);
	double back = std::strtod(text.c_str(), nullptr);
	if (std::isnan(value))
		check(text == "NaN");
	else
		check(std::memcmp(&back, &value, sizeof value) == 0); /* same bits, -0 included */
}

/* -?D+(.D+)? or a special value, as numeric_out writes. */
void
check_numeric(const std::uint8_t *data, std::size_t size) {
	std::size_t bound = rd::numeric_text_bound(data, size);
	if (bound == 0)
		return;
	auto buffer = std::make_unique<char[]>(bound);
	std::size_t length = rd::format_numeric(data, size, buffer.get());
	check(length > 0 && length <= bound);
	std::string text(buffer.get(), length);
	auto within = std::make_unique<char[]>(bound);
	check(rd::format_numeric_within(data, size, within.get(), bound) == length);
	check(std::memcmp(within.get(), buffer.get(), length) == 0);
	check(rd::format_numeric_within(data, size, within.get(), bound - 1) == 0);
	if (text == "NaN" || text == "Infinity" || text == "-Infinity")
		return;
	std::size_t i = text[0] == '-' ? 1 : 0;
	std::size_t digits = 0;
	while (i < text.size() && is_digit(text[i]))
		++i, ++digits;
	check(digits > 0);
	if (i < text.size()) {
		check(text[i++] == '.' && i < text.size());
		while (i < text.size())
			check(is_digit(text[i++]));
	}
}

/* YYYY-MM-DD HH:MM:SS[.f{1,6}]+HH[:MM[:SS]] */
void
check_timestamp(const std::uint8_t *data, std::size_t size) {
	if (size < sizeof(std::int64_t) + sizeof(std::int32_t))
		return;
	std::int64_t stamp = 0;
	std::int32_t offset = 0;
	std::memcpy(&stamp, data, sizeof stamp);
	std::memcpy(&offset, data + sizeof stamp, sizeof offset);
	auto buffer = std::make_unique<char[]>(rd::kTimestampTextMax);
	std::size_t length = 0;
	if (!rd::format_timestamptz_iso(stamp / 1024, offset % 86401, buffer.get(), &length))
		return;
	check(length >= 22 && length <= rd::kTimestampTextMax);
	std::string text(buffer.get(), length);
	const char *shape = "DDDD-DD-DD DD:DD:DD";
	for (std::size_t i = 0; shape[i] != '\0'; ++i)
		check(shape[i] == 'D' ? is_digit(text[i]) : text[i] == shape[i]);
	check(text.find_first_of("+-", 19) != std::string::npos);
	/* a cache kept across inputs, as the decoder keeps one across rows, changes no text */
	static rd::TimestampTextCache cache;
	auto cached = std::make_unique<char[]>(rd::kTimestampTextMax);
	std::size_t cached_length = 0;
	check(rd::format_timestamptz_iso(stamp / 1024, offset % 86401, cached.get(), &cached_length, &cache));
	check(std::string(cached.get(), cached_length) == text);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	check_float8(data, size);
	check_numeric(data, size);
	check_timestamp(data, size);
	return 0;
}
