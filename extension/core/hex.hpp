/* hex.hpp: one hexadecimal digit's value, shared by the LSN and HTTP parsers. */
#pragma once

namespace readscale {

/* 0-15, or -1 when c is not a hexadecimal digit. */
inline int
hex_digit_value(char c) noexcept {
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

} // namespace readscale

#include "common/cpp_only.hpp"
