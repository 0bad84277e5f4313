/*
 * units.hpp: the unit conversions glue needs, once, as plain arithmetic.
 *
 * An SQL interval arrives as its three fields (months, days, microseconds);
 * a month counts as 30 days, as interval comparison does. Two conversions to
 * milliseconds, on purpose:
 * - a threshold or lag (lag and slot policies) truncates toward zero and
 *   never fails: computed in 128 bits, since the microseconds of '178000000
 *   years' overflow an int64 (they must not wrap into a negative lag) while
 *   its milliseconds always fit (at most about 5.8e18);
 * - a wait timeout rounds a sub-millisecond remainder up, so '0.5 ms' still
 *   waits instead of meaning "check once", and refuses what does not fit
 *   (the caller reports "too large" rather than waiting a different time).
 */
#pragma once

#include <cstdint>
#include <optional>

namespace readscale {

struct IntervalFields {
	std::int32_t months = 0;
	std::int32_t days = 0;
	std::int64_t microseconds = 0;
};

inline constexpr std::int64_t kDaysPerMonth = 30;
inline constexpr std::int64_t kMicrosecondsPerDay = 86400LL * 1000 * 1000;

/* Threshold or lag in milliseconds: truncated toward zero; every interval fits. */
std::int64_t interval_ms_truncated(const IntervalFields &interval) noexcept;

/* Wait timeout in milliseconds: a positive sub-millisecond remainder rounds up; nothing when it overflows. */
std::optional<std::int64_t> timeout_ms_rounded_up(const IntervalFields &interval) noexcept;

/* Milliseconds as an interval's microseconds, saturated at the int64 range (a lag is never negative). */
std::int64_t ms_to_microseconds_saturated(std::int64_t ms) noexcept;

/* A GUC_UNIT_KB setting in bytes; a negative setting (disabled) stays -1. */
constexpr std::int64_t
kb_to_bytes(int kb) noexcept {
	return kb < 0 ? -1 : std::int64_t {kb} * 1024;
}

} // namespace readscale

#include "common/cpp_only.hpp"
