/*
 * interval.hpp: an SQL interval in milliseconds for the lag and slot policies,
 * a month counted as 30 days (as interval comparison does), saturated:
 * '178000000 years' must not overflow into a negative lag.
 */
#pragma once

#include <cstdint>

#include "bridge/postgres.hpp"

namespace readscale::pg {

inline std::int64_t
interval_ms(const Interval *iv) {
	__int128 us = static_cast<__int128>(iv->time) +
	              (static_cast<__int128>(iv->month) * DAYS_PER_MONTH + iv->day) * USECS_PER_DAY;
	__int128 ms = us / 1000;
	if (ms > INT64_MAX)
		return INT64_MAX;
	if (ms < INT64_MIN)
		return INT64_MIN;
	return static_cast<std::int64_t>(ms);
}

} // namespace readscale::pg
