/*
 * slot_worker.hpp: the slot guard background worker (readscale.slot_guard_database,
 * readscale.slot_guard_interval, readscale.slot_guard_dry_run). Plain declarations only.
 */
#pragma once

namespace readscale::pg {

/* When preloading: requests the shared slot inactivity clocks and (with a database set) registers the worker.
 * Called from _PG_init after define_gucs(). */
void register_slot_worker();

} // namespace readscale::pg
