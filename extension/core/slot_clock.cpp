/*
 * slot_clock.cpp: the per-slot inactivity clock; see slot_clock.hpp.
 */
#include "core/slot_clock.hpp"

namespace readscale {

bool
operator==(const SlotIdentity &a, const SlotIdentity &b) noexcept {
	return a.dir_inode == b.dir_inode && a.dir_ctime_ns == b.dir_ctime_ns && a.restart_lsn == b.restart_lsn &&
	       a.confirmed_flush_lsn == b.confirmed_flush_lsn;
}

InactivityMark
observe_slot(const InactivityMark &previous, bool active, const SlotIdentity &seen, std::int64_t now) noexcept {
	if (active)
		return InactivityMark {};
	if (previous.tracked && previous.identity == seen)
		return previous;
	return InactivityMark {true, seen, now};
}

} // namespace readscale
