/* workers.cpp: see workers.hpp. C-shaped: plain locals only. */
#include "glue/workers.hpp"

namespace readscale::pg {

void
register_database_worker(const char *function_name, const char *name) {
	BackgroundWorker worker {};
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = 10;
	std::snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_readscale");
	std::snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function_name);
	std::snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
	std::snprintf(worker.bgw_type, BGW_MAXLEN, "%s", name);
	RegisterBackgroundWorker(&worker);
}

void
report_and_roll_back(MemoryContext caller) {
	HOLD_INTERRUPTS();
	MemoryContextSwitchTo(caller);
	EmitErrorReport();
	AbortCurrentTransaction();
	FlushErrorState();
	pgstat_report_activity(STATE_IDLE, nullptr);
	RESUME_INTERRUPTS();
}

bool
begin_pass(const char *activity) {
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (!OidIsValid(get_extension_oid("pg_readscale", true))) {
		CommitTransactionCommand();
		return false;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, activity);
	return true;
}

void
end_pass() {
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, nullptr);
}

void
run_pass_or_report(void (*pass)()) {
	MemoryContext caller = CurrentMemoryContext;
	PG_TRY();
	{ pass(); }
	PG_CATCH();
	{ report_and_roll_back(caller); }
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
}

void
sleep_and_reload(long timeout_ms) {
	(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
	if (ConfigReloadPending) {
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
}

} // namespace readscale::pg
