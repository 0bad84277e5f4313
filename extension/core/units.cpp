#include "common/cpp_only.hpp"
#include "core/units.hpp"

#include <limits>

namespace readscale {

namespace {

__extension__ typedef __int128 Wide; /* wide enough for any interval in microseconds */

Wide
day_microseconds(const IntervalFields &interval) noexcept {
	return (Wide {interval.months} * kDaysPerMonth + interval.days) * kMicrosecondsPerDay;
}

bool
fits_int64(Wide value) noexcept {
	return value >= std::numeric_limits<std::int64_t>::min() && value <= std::numeric_limits<std::int64_t>::max();
}

} // namespace

std::int64_t
interval_ms_truncated(const IntervalFields &interval) noexcept {
	/* |months * 30 + days| < 6.7e10 days, times 8.64e7 ms, plus int64 microseconds / 1000: below 9.2e18. */
	return static_cast<std::int64_t>((day_microseconds(interval) + interval.microseconds) / 1000);
}

std::optional<std::int64_t>
timeout_ms_rounded_up(const IntervalFields &interval) noexcept {
	/* Each step must fit in 64 bits, as in PostgreSQL's own interval arithmetic. */
	Wide us = day_microseconds(interval);
	if (!fits_int64(us))
		return std::nullopt;
	us += interval.microseconds;
	if (!fits_int64(us))
		return std::nullopt;
	Wide ms = us / 1000 + (us % 1000 > 0 ? 1 : 0); /* a negative remainder truncates toward zero */
	return static_cast<std::int64_t>(ms);
}

std::int64_t
ms_to_microseconds_saturated(std::int64_t ms) noexcept {
	Wide us = Wide {ms} * 1000;
	if (us > std::numeric_limits<std::int64_t>::max())
		return std::numeric_limits<std::int64_t>::max();
	if (us < std::numeric_limits<std::int64_t>::min())
		return std::numeric_limits<std::int64_t>::min();
	return static_cast<std::int64_t>(us);
}

} // namespace readscale
