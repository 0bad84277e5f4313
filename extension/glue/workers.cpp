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

} // namespace readscale::pg
