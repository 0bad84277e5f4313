/*
 * slot_tracker.hpp: when each replication slot was first seen inactive
 * (see slot_tracker.cpp): in shared memory when pg_readscale is preloaded,
 * else per backend.
 */
#pragma once

#include <cstdint>

namespace readscale {
struct SlotIdentity; /* core/slot_clock.hpp; declared only, so this header may follow bridge/postgres.hpp */
} // namespace readscale

namespace readscale::pg {

/* From _PG_init while preloading: requests the shared table. */
void install_slot_tracker_hooks();

/* Reads the identity of slot name (stat of pg_replslot/<name>) into *identity. Cannot ERROR. */
void read_slot_identity(const char *name, std::uint64_t restart_lsn, std::uint64_t confirmed_flush_lsn,
                        SlotIdentity *identity);

/* One look at a slot at time now (a TimestampTz): when it was first seen inactive, 0 when active or
 * untracked (table full). May ERROR (out of memory) on the first call without preload. */
std::int64_t track_inactive(const char *name, bool active, const SlotIdentity &identity, std::int64_t now);

/* After a listing taken after listed_after: forgets slots no look has seen since then (dropped ones). */
void end_tracking(std::int64_t listed_after);

} // namespace readscale::pg
