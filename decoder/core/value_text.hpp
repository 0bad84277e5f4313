/*
 * value_text.hpp: the text of float8, numeric and timestamptz values, byte
 * for byte what PostgreSQL 15's output functions write, without their
 * palloc and fmgr call per value (the decoder's per-row cost).
 *
 * Each function covers the common case and says when it does not, so glue
 * falls back to the output function: float8 only with extra_float_digits > 0
 * (shortest round-trip text, float8out), timestamptz only with DateStyle ISO
 * and years 1 to 9999.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace readscale::decoder {

/* float8out's text when extra_float_digits > 0 (Ryu shortest, printf's %g thresholds). */
constexpr std::size_t kFloat8TextMax = 32;
std::size_t format_float8(double value, char *dest) noexcept;

/*
 * numeric_out's text of an on-disk numeric (the bytes after the varlena
 * header: a 2-byte short or 4-byte long header, then base-10000 digits).
 * numeric_text_bound() is the room format_numeric needs, 0 when the bytes
 * are not a well-formed numeric.
 */
std::size_t numeric_text_bound(const unsigned char *data, std::size_t size) noexcept;
std::size_t format_numeric(const unsigned char *data, std::size_t size, char *dest) noexcept;
/* Both in one read: the text's length, or 0 when malformed or longer than capacity. */
std::size_t format_numeric_within(const unsigned char *data, std::size_t size, char *dest,
                                  std::size_t capacity) noexcept;

/*
 * timestamptz_out's ISO text ("2024-01-01 10:00:00.5+01"): utc_usecs since
 * 2000-01-01 00:00 UTC, shown at gmtoff seconds east of UTC. False (nothing
 * written) outside years 1 to 9999, where the output function must be used.
 */
constexpr std::size_t kTimestampTextMax = 40;
bool format_timestamptz_iso(std::int64_t utc_usecs, long gmtoff, char *dest, std::size_t *length) noexcept;

/* The texts of the last date and UTC offset written: a column's timestamps often share both. */
struct TimestampTextCache {
	bool date_valid = false; /* false also when days is outside years 1 to 9999 */
	std::int64_t days = 0;   /* local days since 2000-01-01 */
	char date[11] = {};      /* "YYYY-MM-DD " */
	bool offset_valid = false;
	long gmtoff = 0;
	char offset[10] = {}; /* "+HH[:MM[:SS]]" */
	unsigned char offset_length = 0;
};
bool format_timestamptz_iso(std::int64_t utc_usecs, long gmtoff, char *dest, std::size_t *length,
                            TimestampTextCache *cache) noexcept;

/* Seconds since 1970 of a timestamp (microseconds since 2000), rounded down, for time zone lookups. */
std::int64_t unix_seconds_of(std::int64_t utc_usecs) noexcept;

} // namespace readscale::decoder

#include "common/cpp_only.hpp"
