#include "core/lsn.hpp"

#include "core/hex.hpp"

#include "common/sqlstate.hpp"

namespace readscale {

namespace {

/* Parses 1 to 8 hex digits; false on anything else. */
bool
parse_hex32(std::string_view digits, std::uint32_t *out) noexcept {
	if (digits.empty() || digits.size() > 8)
		return false;
	std::uint32_t value = 0;
	for (char c : digits) {
		int v = hex_digit_value(c);
		if (v < 0)
			return false;
		value = (value << 4) | static_cast<std::uint32_t>(v);
	}
	*out = value;
	return true;
}

Error
bad_lsn(std::string_view text) {
	return Error(sqlstate::kInvalidTextRepresentation,
	             "invalid input syntax for type pg_lsn: \"" + std::string(text) + "\"", "",
	             "An LSN is written as two hexadecimal numbers separated by a slash, such as \"0/16B3748\".");
}

} // namespace

Result<Lsn>
parse_lsn(std::string_view text) {
	auto slash = text.find('/');
	if (slash == std::string_view::npos)
		return bad_lsn(text);
	std::uint32_t high = 0;
	std::uint32_t low = 0;
	if (!parse_hex32(text.substr(0, slash), &high) || !parse_hex32(text.substr(slash + 1), &low))
		return bad_lsn(text);
	return (static_cast<Lsn>(high) << 32) | low;
}

std::string
format_lsn(Lsn lsn, bool zero_pad) {
	char buffer[kLsnTextCapacity];
	std::size_t length = format_lsn_into(buffer, lsn, zero_pad);
	return std::string(buffer, length);
}

Lsn
effective_wait_target(Lsn target, const WalGeometry &geometry) noexcept {
	std::uint64_t in_page = target % geometry.page_size;
	if (in_page == 0)
		return target;
	bool segment_start = (target - in_page) % geometry.segment_size == 0;
	std::uint32_t header = segment_start ? geometry.long_page_header : geometry.short_page_header;
	return in_page <= header ? target - in_page : target;
}

} // namespace readscale
