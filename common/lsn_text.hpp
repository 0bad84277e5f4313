/*
 * lsn_text.hpp: an LSN's text as the server prints pg_lsn, without allocating
 * (header-only: the extension's messages and the decoder's per-change "lsn"
 * fields both use it). PostgreSQL 15-18 print "%X/%X" ("0/302DB00"); 19
 * zero-pads the low half, "%X/%08X" ("0/0302DB00"). Glue passes the running
 * major's choice, kServerLsnZeroPadded (bridge/pg_compat.hpp).
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace readscale {

/* "FFFFFFFF/FFFFFFFF" and its NUL. */
inline constexpr std::size_t kLsnTextCapacity = 18;

namespace lsn_text_detail {

/* Upper-case hex of value, at least min_digits long (leading zeros), as printf's "%0*X"; returns the length. */
inline std::size_t
append_hex32(char *out, std::uint32_t value, std::size_t min_digits) noexcept {
	constexpr char kDigits[] = "0123456789ABCDEF";
	std::size_t digits = 1;
	while (digits < 8 && (value >> (4 * digits)) != 0)
		++digits;
	if (digits < min_digits)
		digits = min_digits;
	for (std::size_t i = 0; i < digits; ++i)
		out[i] = kDigits[(value >> (4 * (digits - 1 - i))) & 0xFu];
	return digits;
}

} // namespace lsn_text_detail

/* Writes the text and a NUL into buffer; returns the length. */
inline std::size_t
format_lsn_into(char (&buffer)[kLsnTextCapacity], std::uint64_t lsn, bool zero_pad) noexcept {
	std::size_t length = lsn_text_detail::append_hex32(buffer, static_cast<std::uint32_t>(lsn >> 32), 1);
	buffer[length++] = '/';
	length +=
	    lsn_text_detail::append_hex32(buffer + length, static_cast<std::uint32_t>(lsn & 0xFFFFFFFFu), zero_pad ? 8 : 1);
	buffer[length] = '\0';
	return length;
}

} // namespace readscale

#include "common/cpp_only.hpp"
