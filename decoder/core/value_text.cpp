#include "core/value_text.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace readscale::decoder {

namespace {

char *
put(char *dest, const char *text, std::size_t length) noexcept {
	std::memcpy(dest, text, length);
	return dest + length;
}

/* "00" to "99": two digits a step, as this runs per field per row. */
struct DigitPairs {
	char text[200];
	constexpr DigitPairs() : text {} {
		for (int i = 0; i < 100; ++i) {
			text[2 * i] = static_cast<char>('0' + i / 10);
			text[2 * i + 1] = static_cast<char>('0' + i % 10);
		}
	}
};
constexpr DigitPairs kDigitPairs;

/* value (0 <= value < 10^width, width <= 9) as exactly width digits; 32-bit divisions. */
char *
put_padded(char *dest, std::int64_t value, int width) noexcept {
	auto rest = static_cast<std::uint32_t>(value);
	int i = width;
	for (; i >= 2; i -= 2) {
		std::memcpy(dest + i - 2, kDigitPairs.text + 2 * (rest % 100), 2);
		rest /= 100;
	}
	if (i == 1)
		dest[0] = static_cast<char>('0' + rest % 10);
	return dest + width;
}

std::int64_t
floor_div(std::int64_t a, std::int64_t b) noexcept {
	std::int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The shortest round-trip digits of a finite, non-zero |value| and its decimal exponent (d.ddd x 10^exponent). */
std::size_t
shortest_digits(double value, char *digits, int *exponent) noexcept {
	char text[kFloat8TextMax];
	std::to_chars_result result =
	    std::to_chars(text, text + sizeof text, std::fabs(value), std::chars_format::scientific);
	std::size_t count = 0;
	const char *p = text;
	for (; p < result.ptr && *p != 'e'; ++p)
		if (*p != '.')
			digits[count++] = *p;
	std::from_chars(p + (p[1] == '+' ? 2 : 1), result.ptr, *exponent);
	return count;
}

} // namespace

/*
 * PostgreSQL's layout of the shortest digits (common/d2s.c): fixed point
 * when -4 <= exponent < 15, as printf's %g; otherwise d.ddde+XX with at
 * least two exponent digits. NaN, [-]Infinity and [-]0 as float8out.
 */
std::size_t
format_float8(double value, char *dest) noexcept {
	char *out = dest;
	if (std::isnan(value))
		return static_cast<std::size_t>(put(out, "NaN", 3) - dest);
	if (std::signbit(value))
		*out++ = '-';
	if (std::isinf(value))
		return static_cast<std::size_t>(put(out, "Infinity", 8) - dest);
	if (value == 0.0) {
		*out++ = '0';
		return static_cast<std::size_t>(out - dest);
	}
	/*
	 * Inside %g's fixed range the shortest fixed text is the same bytes (no
	 * double below 1e-4 or from 1e15 up has its shortest digits on the other
	 * side), in one call instead of digits, re-parse and layout.
	 */
	if (std::fabs(value) >= 1e-4 && std::fabs(value) < 1e15)
		return static_cast<std::size_t>(
		    std::to_chars(dest, dest + kFloat8TextMax, value, std::chars_format::fixed).ptr - dest);
	char digits[kFloat8TextMax];
	int exponent = 0;
	auto count = static_cast<int>(shortest_digits(value, digits, &exponent));
	if (exponent >= -4 && exponent < 15) {
		int before_point = exponent + 1;
		if (before_point <= 0) {
			out = put(out, "0.", 2);
			for (int i = 0; i < -before_point; ++i)
				*out++ = '0';
			out = put(out, digits, static_cast<std::size_t>(count));
		} else if (before_point < count) {
			out = put(out, digits, static_cast<std::size_t>(before_point));
			*out++ = '.';
			out = put(out, digits + before_point, static_cast<std::size_t>(count - before_point));
		} else {
			out = put(out, digits, static_cast<std::size_t>(count));
			for (int i = count; i < before_point; ++i)
				*out++ = '0';
		}
		return static_cast<std::size_t>(out - dest);
	}
	*out++ = digits[0];
	if (count > 1) {
		*out++ = '.';
		out = put(out, digits + 1, static_cast<std::size_t>(count - 1));
	}
	*out++ = 'e';
	*out++ = exponent < 0 ? '-' : '+';
	int magnitude = exponent < 0 ? -exponent : exponent;
	out = put_padded(out, magnitude, magnitude >= 100 ? 3 : 2);
	return static_cast<std::size_t>(out - dest);
}

namespace {

/* An on-disk numeric, read (utils/adt/numeric.c: NumericShort, NumericLong, the special values). */
struct NumericView {
	const char *special = nullptr; /* "NaN", "Infinity", "-Infinity", or nullptr */
	bool negative = false;
	int weight = 0; /* of the first base-10000 digit */
	int dscale = 0; /* decimal digits shown after the point */
	const unsigned char *digits = nullptr;
	std::size_t ndigits = 0;
};

int
digit_at(const NumericView &n, int index) noexcept {
	if (index < 0 || static_cast<std::size_t>(index) >= n.ndigits)
		return 0;
	std::uint16_t digit = 0;
	std::memcpy(&digit, n.digits + 2 * static_cast<std::size_t>(index), 2);
	return digit;
}

bool
read_numeric(const unsigned char *data, std::size_t size, NumericView *n) noexcept {
	if (size < 2)
		return false;
	std::uint16_t header = 0;
	std::memcpy(&header, data, 2);
	std::size_t header_size = 2;
	if ((header & 0xC000) == 0xC000) {
		n->special = header == 0xC000   ? "NaN"
		             : header == 0xD000 ? "Infinity"
		             : header == 0xF000 ? "-Infinity"
		                                : nullptr;
		return n->special != nullptr;
	}
	if ((header & 0x8000) != 0) { /* short: sign 0x2000, dscale 0x1F80, weight 7 bits with sign 0x0040 */
		n->negative = (header & 0x2000) != 0;
		n->dscale = (header & 0x1F80) >> 7;
		n->weight = (header & 0x0040) != 0 ? (header & 0x3F) - 64 : (header & 0x3F);
	} else {
		if (size < 4)
			return false;
		std::int16_t weight = 0;
		std::memcpy(&weight, data + 2, 2);
		n->negative = (header & 0xC000) == 0x4000;
		n->dscale = header & 0x3FFF;
		n->weight = weight;
		header_size = 4;
	}
	if ((size - header_size) % 2 != 0)
		return false;
	n->digits = data + header_size;
	n->ndigits = (size - header_size) / 2;
	for (std::size_t i = 0; i < n->ndigits; ++i)
		if (digit_at(*n, static_cast<int>(i)) > 9999)
			return false;
	return true;
}

} // namespace

namespace {

std::size_t
bound_of(const NumericView &n) noexcept {
	if (n.special != nullptr)
		return std::strlen(n.special);
	int before_point = (n.weight + 1) * 4;
	return static_cast<std::size_t>(before_point > 0 ? before_point : 1) + static_cast<std::size_t>(n.dscale) + 6;
}

/* get_str_from_var: base-10000 digits to decimal, leading zeros of the first group dropped, dscale digits after the
 * point. */
std::size_t
write_numeric(const NumericView &n, char *dest) noexcept {
	if (n.special != nullptr)
		return static_cast<std::size_t>(put(dest, n.special, std::strlen(n.special)) - dest);
	char *out = dest;
	if (n.negative)
		*out++ = '-';
	int d = 0;
	if (n.weight < 0) {
		d = n.weight + 1;
		*out++ = '0';
	} else {
		for (d = 0; d <= n.weight; ++d) {
			int digit = digit_at(n, d);
			if (d > 0 || digit >= 1000)
				out = put_padded(out, digit, 4);
			else
				out = put_padded(out, digit, digit >= 100 ? 3 : digit >= 10 ? 2 : 1);
		}
	}
	if (n.dscale > 0) {
		*out++ = '.';
		char *end = out + n.dscale;
		for (int i = 0; i < n.dscale; ++d, i += 4)
			out = put_padded(out, digit_at(n, d), 4);
		out = end;
	}
	return static_cast<std::size_t>(out - dest);
}

} // namespace

std::size_t
numeric_text_bound(const unsigned char *data, std::size_t size) noexcept {
	NumericView n;
	return read_numeric(data, size, &n) ? bound_of(n) : 0;
}

std::size_t
format_numeric(const unsigned char *data, std::size_t size, char *dest) noexcept {
	NumericView n;
	return read_numeric(data, size, &n) ? write_numeric(n, dest) : 0;
}

std::size_t
format_numeric_within(const unsigned char *data, std::size_t size, char *dest, std::size_t capacity) noexcept {
	NumericView n;
	if (!read_numeric(data, size, &n) || bound_of(n) > capacity)
		return 0;
	return write_numeric(n, dest);
}

std::int64_t
unix_seconds_of(std::int64_t utc_usecs) noexcept {
	constexpr std::int64_t kUnixTo2000 = 946684800; /* seconds from 1970-01-01 to 2000-01-01 */
	return floor_div(utc_usecs, 1000000) + kUnixTo2000;
}

namespace {

/* "YYYY-MM-DD " of local days since 1970 (H. Hinnant's civil_from_days, as j2date); false outside years 1 to 9999. */
bool
write_date(std::int64_t days, char *dest) noexcept {
	std::int64_t z = days + 719468;
	std::int64_t era = floor_div(z, 146097);
	std::int64_t doe = z - era * 146097;
	std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	std::int64_t mp = (5 * doy + 2) / 153;
	std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
	std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
	std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
	if (year < 1 || year > 9999)
		return false;
	char *out = put_padded(dest, year, 4);
	*out++ = '-';
	out = put_padded(out, month, 2);
	*out++ = '-';
	out = put_padded(out, day, 2);
	*out = ' ';
	return true;
}

/* EncodeTimezone: +HH, +HH:MM or +HH:MM:SS; returns its length. */
std::size_t
write_offset(long gmtoff, char *dest) noexcept {
	char *out = dest;
	*out++ = gmtoff >= 0 ? '+' : '-';
	long offset = gmtoff < 0 ? -gmtoff : gmtoff;
	out = put_padded(out, offset / 3600, 2);
	if (offset % 3600 != 0) {
		*out++ = ':';
		out = put_padded(out, offset / 60 % 60, 2);
		if (offset % 60 != 0) {
			*out++ = ':';
			out = put_padded(out, offset % 60, 2);
		}
	}
	return static_cast<std::size_t>(out - dest);
}

} // namespace

/*
 * EncodeDateTime with USE_ISO_DATES: date, time, fractional seconds without
 * trailing zeros, then the offset as +HH, +HH:MM or +HH:MM:SS (EncodeTimezone).
 * The date's and the offset's texts are kept in cache for the next value.
 */
bool
format_timestamptz_iso(std::int64_t utc_usecs, long gmtoff, char *dest, std::size_t *length,
                       TimestampTextCache *cache) noexcept {
	constexpr std::int64_t kUsecsPerDay = 86400000000;
	constexpr std::int64_t kLimit = 320000000000000000; /* about 10,000 years: no overflow below */
	if (utc_usecs > kLimit || utc_usecs < -kLimit || gmtoff > 86400 || gmtoff < -86400)
		return false;
	std::int64_t local = utc_usecs + static_cast<std::int64_t>(gmtoff) * 1000000;
	std::int64_t days = floor_div(local, kUsecsPerDay);
	std::int64_t time = local - days * kUsecsPerDay;
	if (!cache->date_valid || cache->days != days) {
		cache->date_valid = write_date(days + 10957, cache->date);
		cache->days = days;
	}
	if (!cache->date_valid)
		return false;
	if (!cache->offset_valid || cache->gmtoff != gmtoff) {
		cache->offset_length = static_cast<unsigned char>(write_offset(gmtoff, cache->offset));
		cache->gmtoff = gmtoff;
		cache->offset_valid = true;
	}
	char *out = put(dest, cache->date, sizeof cache->date);
	auto seconds = static_cast<std::uint32_t>(time / 1000000);
	auto fraction = static_cast<std::uint32_t>(time % 1000000);
	out = put_padded(out, seconds / 3600, 2);
	*out++ = ':';
	out = put_padded(out, seconds / 60 % 60, 2);
	*out++ = ':';
	out = put_padded(out, seconds % 60, 2);
	if (fraction != 0) {
		*out++ = '.';
		int width = 6;
		while (fraction % 10 == 0) {
			fraction /= 10;
			--width;
		}
		out = put_padded(out, fraction, width);
	}
	out = put(out, cache->offset, cache->offset_length);
	*length = static_cast<std::size_t>(out - dest);
	return true;
}

bool
format_timestamptz_iso(std::int64_t utc_usecs, long gmtoff, char *dest, std::size_t *length) noexcept {
	TimestampTextCache cache;
	return format_timestamptz_iso(utc_usecs, gmtoff, dest, length, &cache);
}

} // namespace readscale::decoder
