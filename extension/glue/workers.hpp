/*
 * worker_errors.hpp: what a background worker's PG_CATCH does with an ERROR it
 * survives (as autovacuum does): report it, roll the transaction back, clear
 * the error state and carry on with the next pass.
 */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::pg {

/* Call in PG_CATCH; caller is the memory context from before PG_TRY. */
void report_and_roll_back(MemoryContext caller);

} // namespace readscale::pg
