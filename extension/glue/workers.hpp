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

/*
 * A pass's SQL transaction: begin_pass() starts it with SPI connected and a snapshot, or returns false (after
 * committing) when pg_readscale is not installed in the worker's database; end_pass() commits. May ERROR.
 */
bool begin_pass(const char *activity);
void end_pass();

/* Runs one worker pass; an ERROR in it is reported and rolled back, and the worker goes on. */
void run_pass_or_report(void (*pass)());

/* Sleeps up to timeout_ms (or until the latch is set), then handles interrupts and a pending reload. */
void sleep_and_reload(long timeout_ms);

} // namespace readscale::pg
