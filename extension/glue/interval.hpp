/*
 * interval.hpp: an SQL interval's fields handed to the core conversions
 * (core/units.hpp says which one rounds how, and why). A glue file includes
 * core/units.hpp itself, before bridge/postgres.hpp, as for any core header.
 */
#pragma once

#include "core/units.hpp"

#include "bridge/postgres.hpp"

namespace readscale::pg {

inline IntervalFields
interval_fields(const Interval *iv) {
	return IntervalFields {iv->month, iv->day, iv->time};
}

/* Threshold or lag (lag and slot policies): truncated, never fails. */
inline std::int64_t
interval_ms(const Interval *iv) {
	return interval_ms_truncated(interval_fields(iv));
}

} // namespace readscale::pg
