/*
 * budget_worker.cpp: the replay budget (readscale.replay_budget, off by
 * default). On a standby whose readscale.replica_role is oltp, a worker reads
 * readscale.replay_blockers every kPassIntervalMs in readscale.http_database
 * and, once a lock holder or buffer-pin candidate has blocked replay for the
 * budget (core/replay_blocker.hpp decides), sends it the recovery-conflict
 * signal PostgreSQL's startup process would send at max_standby_*_delay. The
 * backend then cancels its statement (or, idle in a transaction, ends its
 * session) with PostgreSQL's own "canceling statement due to conflict with
 * recovery" (SQLSTATE 40001, DETAIL naming the lock or the buffer pin), and
 * counts it in pg_stat_database_conflicts (readscale_recovery_conflicts_total).
 * Why the conflict signal and not pg_cancel_backend(): only it names the
 * reason to the client, only it is counted as a conflict, and the buffer-pin
 * one is ignored by a backend that does not pin the page replay waits for, so
 * a candidate that is not the blocker keeps running. Every cancellation is
 * logged (LOG) with the blocker's reason.
 *
 * The worker is registered only when the budget is set at server start (a
 * reload then changes or disables it). Frames: C-shaped throughout.
 */
#include "core/replay_blocker.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/budget_worker.hpp"
#include "glue/gucs.hpp"
#include "glue/workers.hpp"

extern "C" PGDLLEXPORT void readscale_budget_worker_main(Datum arg);

namespace {

constexpr long kPassIntervalMs = 100;  /* the budget's resolution */
constexpr long kIdleIntervalMs = 1000; /* off, not oltp, or a primary */

const char *const kBlockersQuery = "SELECT conflict, blocker_pid,"
                                   " (extract(epoch FROM blocked_for) * 1000)::bigint, reason"
                                   " FROM readscale.replay_blockers WHERE blocker_pid IS NOT NULL";

bool
budget_applies() {
	return RecoveryInProgress() && readscale::pg::replay_budget_ms >= 0 &&
	       readscale::pg::replica_role == static_cast<int>(readscale::pg::ReplicaRole::Oltp);
}

/* No PostgreSQL calls. */
int
budget_action(const char *conflict, std::int64_t blocked_ms) {
	return static_cast<int>(readscale::replay_budget_action(readscale::replay_conflict_from_name(conflict), blocked_ms,
	                                                        readscale::pg::replay_budget_ms, true));
}

/* The last backend signalled: a pass 100 ms later may still list it (the cancellation takes a moment). */
int last_signalled_pid = 0;
TimestampTz last_signalled_at = 0;

/* Sends the conflict signal to pid and logs it, once per second per backend at most. */
void
cancel_blocker(int action, int pid, std::int64_t blocked_ms, const char *reason) {
	TimestampTz now = GetCurrentTimestamp();
	if (pid == last_signalled_pid && !TimestampDifferenceExceeds(last_signalled_at, now, kIdleIntervalMs))
		return;
	PGPROC *proc = BackendPidGetProc(pid);
	if (proc == nullptr)
		return; /* already gone */
	last_signalled_pid = pid;
	last_signalled_at = now;
	RecoveryConflictReason conflict = action == static_cast<int>(readscale::BudgetAction::kCancelLockHolder)
	                                      ? RECOVERY_CONFLICT_LOCK
	                                      : RECOVERY_CONFLICT_BUFFERPIN;
	if (!SignalRecoveryConflict(proc, pid, conflict))
		return;
	ereport(LOG, (errmsg("readscale: cancelling the statement of pid %d: it blocked replay for %lld ms, over "
	                     "readscale.replay_budget (%d ms)",
	                     pid, static_cast<long long>(blocked_ms), readscale::pg::replay_budget_ms),
	              errdetail("%s.", reason)));
}

/* One pass in its own transaction. May ERROR, which run_pass_or_report catches. */
void
run_pass() {
	if (!readscale::pg::begin_pass("readscale replay budget pass"))
		return;
	if (SPI_execute(kBlockersQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading readscale.replay_blockers failed");
	for (uint64 r = 0; r < SPI_processed; r++) {
		HeapTuple row = SPI_tuptable->vals[r];
		TupleDesc desc = SPI_tuptable->tupdesc;
		bool isnull;
		int pid = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
		std::int64_t blocked_ms = DatumGetInt64(SPI_getbinval(row, desc, 3, &isnull));
		int action = budget_action(SPI_getvalue(row, desc, 1), isnull ? 0 : blocked_ms);
		if (action != static_cast<int>(readscale::BudgetAction::kNone))
			cancel_blocker(action, pid, blocked_ms, SPI_getvalue(row, desc, 4));
	}
	readscale::pg::end_pass();
}

void
worker_loop() {
	BackgroundWorkerInitializeConnection(readscale::pg::http_database, nullptr, 0);
	while (true) {
		bool applies = budget_applies();
		if (applies)
			readscale::pg::run_pass_or_report(run_pass);
		readscale::pg::sleep_and_reload(applies ? kPassIntervalMs : kIdleIntervalMs);
	}
}

} // namespace

void
readscale_budget_worker_main(Datum) {
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	readscale::pg::guarded([]() { worker_loop(); });
}

void
readscale::pg::register_budget_worker() {
	if (!process_shared_preload_libraries_in_progress || replay_budget_ms < 0)
		return;
	register_database_worker("readscale_budget_worker_main", "pg_readscale replay budget");
}
