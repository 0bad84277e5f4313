/*
 * slot_worker.cpp: the slot guard background worker. When pg_readscale is
 * preloaded and readscale.slot_guard_database is set, one worker connects to
 * that database as the bootstrap superuser and runs
 * readscale.slot_guard_run(readscale.slot_guard_dry_run) every
 * readscale.slot_guard_interval, one transaction per pass, and logs a WARNING
 * for each slot in warning or critical. A pass is skipped
 * while the extension is not installed there, so the worker can start before
 * CREATE EXTENSION. The inactivity clocks it reads and updates are the
 * shared ones (slot_tracker.cpp), which this file's registration requests
 * while preloading; a server restart starts them again.
 *
 * Frames: everything here is C-shaped (plain locals only). A pass that fails
 * (say the audit table was dropped) is reported, rolled back and tried again
 * at the next interval, as autovacuum does, so a broken pass never turns into
 * a worker that exits and is restarted every bgw_restart_time.
 */
#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/gucs.hpp"
#include "glue/slot_tracker.hpp"
#include "glue/slot_worker.hpp"
#include "glue/workers.hpp"

extern "C" PGDLLEXPORT void readscale_slot_worker_main(Datum arg);

namespace {

using readscale::pg::slot_guard_database;
using readscale::pg::slot_guard_dry_run;
using readscale::pg::slot_guard_interval_ms;

/* A WARNING per slot in warning or critical, with what the pass did about it. */
void
report_slots(SPITupleTable *rows, uint64 count) {
	for (uint64 r = 0; r < count; r++) {
		TupleDesc desc = rows->tupdesc;
		ereport(WARNING, (errcode(ERRCODE_WARNING),
		                  errmsg("replication slot \"%s\" is %s", SPI_getvalue(rows->vals[r], desc, 1),
		                         SPI_getvalue(rows->vals[r], desc, 2)),
		                  errdetail("The slot guard's outcome: %s.", SPI_getvalue(rows->vals[r], desc, 3)),
		                  errhint("See readscale.slot_retention and readscale.slot_guard_log.")));
	}
}

/* One guard pass in its own transaction. C-shaped: may ERROR, which run_pass_or_report catches. */
void
run_pass() {
	if (!readscale::pg::begin_pass("readscale slot guard pass"))
		return;
	Oid argtypes[1] = {BOOLOID};
	Datum args[1] = {BoolGetDatum(slot_guard_dry_run)};
	if (SPI_execute_with_args("SELECT slot_name, verdict, outcome FROM readscale.slot_guard_run($1)"
	                          " WHERE verdict <> 'ok'",
	                          1, argtypes, args, nullptr, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "readscale.slot_guard_run failed");
	report_slots(SPI_tuptable, SPI_processed);
	readscale::pg::end_pass();
}

void
worker_loop() {
	BackgroundWorkerInitializeConnection(slot_guard_database, nullptr, 0);
	while (true) {
		readscale::pg::run_pass_or_report(run_pass);
		readscale::pg::sleep_and_reload(slot_guard_interval_ms);
	}
}

} // namespace

void
readscale_slot_worker_main(Datum) {
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	readscale::pg::guarded([]() { worker_loop(); });
}

/* Called from _PG_init inside its guard, after the settings exist; plain locals only (Register may ERROR). */
void
readscale::pg::register_slot_worker() {
	if (!process_shared_preload_libraries_in_progress)
		return;
	install_slot_tracker_hooks();
	if (slot_guard_database == nullptr || slot_guard_database[0] == '\0')
		return;
	register_database_worker("readscale_slot_worker_main", "pg_readscale slot guard");
}
