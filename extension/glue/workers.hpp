/*
 * workers.hpp: what the background workers (health endpoint, slot guard)
 * share: their registration, and what a PG_CATCH does with an ERROR a worker
 * survives (as autovacuum does): report it, roll the transaction back, clear
 * the error state and carry on with the next pass.
 */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::pg {

/* Registers a pg_readscale worker that connects to a database; from _PG_init while preloading. */
void register_database_worker(const char *function_name, const char *name);

/* Call in PG_CATCH; caller is the memory context from before PG_TRY. */
void report_and_roll_back(MemoryContext caller);

} // namespace readscale::pg
