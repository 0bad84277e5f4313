/*
 * slot_clock.hpp: when a replication slot became inactive (pure C++).
 *
 * PostgreSQL 15 records no inactivity time for slots, so the guard keeps its
 * own clock per slot: the first time anyone looked (slot_retention or a guard
 * pass) and saw the slot inactive. The clock belongs to one incarnation of the
 * slot, told apart by its SlotIdentity: the pg_replslot/<name> directory
 * (inode and change time: a dropped and re-created slot gets a new directory,
 * and PostgreSQL rewrites an existing one only when the slot changed) and its
 * restart_lsn and confirmed_flush_lsn (which move only while a consumer holds
 * the slot). A different identity means the slot was re-created or used in
 * the meantime, so the clock starts again; an active slot has no clock.
 * Starting late only delays drops, which is the safe direction.
 */
#pragma once

#include <cstdint>

namespace readscale {

struct SlotIdentity {
	std::uint64_t dir_inode = 0; /* 0: no directory (temporary slot) */
	std::int64_t dir_ctime_ns = 0;
	std::uint64_t restart_lsn = 0; /* 0: none */
	std::uint64_t confirmed_flush_lsn = 0;
};

bool operator==(const SlotIdentity &a, const SlotIdentity &b) noexcept;

/* Plain data, so it can live in shared memory. */
struct InactivityMark {
	bool tracked = false; /* false: active, or never seen */
	SlotIdentity identity;
	std::int64_t since = 0; /* microseconds, the caller's clock */
};

/* The mark after one look at the slot at time now. */
InactivityMark observe_slot(const InactivityMark &previous, bool active, const SlotIdentity &seen,
                            std::int64_t now) noexcept;

} // namespace readscale

#include "common/cpp_only.hpp"
