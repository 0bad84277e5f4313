/*
 * gate.cpp: the transparent read gate (readscale.min_lsn) and the reported
 * readscale.last_commit_lsn.
 *
 * The snapshot rule: no statement may read from a snapshot older than
 * min_lsn. PostgreSQL takes a statement's snapshot in PortalStart, before
 * ExecutorStart, and a REPEATABLE READ transaction freezes its first one, so
 * waiting in ExecutorStart is too late. Waiting while holding a snapshot can
 * also stall replay (recovery conflicts). So:
 * - SET [LOCAL] readscale.min_lsn waits in ProcessUtility: a SET holds no
 *   snapshot, and every snapshot taken afterwards includes the LSN. In a
 *   REPEATABLE READ transaction that already took its snapshot it refuses.
 * - After parse analysis in READ COMMITTED (the execution snapshot comes
 *   later, in PortalStart) a min_lsn set otherwise (set_config(), connection
 *   options) is checked without waiting.
 * - ExecutorStart refuses any statement when neither check proved the LSN
 *   replayed before its snapshot.
 * - 19: after WAIT FOR LSN 'x' (replay mode) the same check as a SET runs: the
 *   WAIT leaves no snapshot, so replay having passed x now vouches for every
 *   snapshot taken afterwards (a REPEATABLE READ transaction's first one too).
 * verified_lsn only ever holds a position seen replayed *before* the
 * snapshots it vouches for, so it never lets an old snapshot through.
 */
#include "core/gate_route.hpp"
#include "core/lsn.hpp"
#include "common/sqlstate.hpp"
#include "core/wait_policy.hpp"

#include "bridge/guard.hpp"
#include "bridge/pg_call.hpp"
#include "bridge/postgres.hpp"
#include "glue/gate.hpp"
#include "glue/gucs.hpp"
#include "glue/staleness.hpp"
#include "glue/wait_loop.hpp"
#include "glue/waiters.hpp"

namespace readscale::pg {

namespace {

XLogRecPtr min_lsn = InvalidXLogRecPtr; /* readscale.min_lsn, parsed by the assign hook */
XLogRecPtr verified_lsn = InvalidXLogRecPtr;
/* Replay position seen before the snapshots now in use were taken (recorded after parse analysis). */
XLogRecPtr snapshot_floor = InvalidXLogRecPtr;
XLogRecPtr reported_commit_lsn = InvalidXLogRecPtr;

ProcessUtility_hook_type prev_process_utility = nullptr;
ExecutorStart_hook_type prev_executor_start = nullptr;
post_parse_analyze_hook_type prev_post_parse_analyze = nullptr;

/* Position now, without waiting. */
XLogRecPtr
position_now() {
	return current_position(WaitMode::Replay, RecoveryInProgress(), nullptr);
}

/*
 * A snapshot taken from now on is new enough for target when replay has
 * passed it now. Only while no snapshot is active and no transaction snapshot
 * is frozen, and only in a backend (the postmaster reads GUCs before shared
 * memory exists).
 */
void
verify_if_no_snapshot(XLogRecPtr target) {
	if (!IsUnderPostmaster || MyProc == nullptr || MyBackendType != B_BACKEND || ActiveSnapshotSet() ||
	    (IsolationUsesXactSnapshot() && FirstSnapshotSet))
		return;
	XLogRecPtr position = position_now();
	if (position >= target)
		verified_lsn = Max(verified_lsn, position);
}

MinLsnSource
min_lsn_source(GucSource source) {
	if (source == PGC_S_TEST)
		return MinLsnSource::Test;
	return source == PGC_S_SESSION ? MinLsnSource::Session : MinLsnSource::Other;
}

/* Gathers what core/gate_route.hpp decides over and acts on the route. Returns false to refuse. */
bool
check_route(XLogRecPtr value, GucSource source) {
	MinLsnChange change;
	change.source = min_lsn_source(source);
	change.value = value;
	change.current = min_lsn;
	change.snapshot_floor = snapshot_floor;
	if (change.source == MinLsnSource::Session) {
		/* Not for other sources: the postmaster reads the configuration file before shared memory exists. */
		change.snapshot_active = ActiveSnapshotSet();
		change.in_recovery = RecoveryInProgress();
	}
	switch (route_min_lsn(change)) {
	case MinLsnRoute::Accept:
		return true;
	case MinLsnRoute::AcceptAtFloor:
		verified_lsn = Max(verified_lsn, snapshot_floor);
		return true;
	case MinLsnRoute::VerifyNow:
		guarded_no_throw(WARNING, [=]() { verify_if_no_snapshot(value); });
		return true;
	case MinLsnRoute::Refuse:
		break;
	}
	count(kGateRefused);
	return false;
}

constexpr const char *kUseSetHint = "Use SET or SET LOCAL readscale.min_lsn before the transaction's first query: "
                                    "it waits before the snapshot is taken.";

} // namespace

/* GUC check hook (B3: returns false, never raises). ok is set only once the value is fully accepted. */
bool
check_min_lsn(char **newval, void **extra, GucSource source) {
	bool ok = false;
	XLogRecPtr value = InvalidXLogRecPtr;
	guarded_no_throw(WARNING, [&]() {
		std::string_view text = *newval ? *newval : "";
		if (text.empty()) {
			ok = true;
			return;
		}
		auto parsed = parse_lsn(text);
		if (!parsed.ok())
			return;
		value = parsed.value();
		ok = true;
	});
	if (!ok) {
		GUC_check_errcode(sqlstate_to_errcode(sqlstate::kInvalidTextRepresentation));
		GUC_check_errdetail("\"readscale.min_lsn\" takes an LSN such as \"0/16B3748\", or an empty string.");
		return false;
	}
	if (value == InvalidXLogRecPtr)
		return true;
	if (!check_route(value, source)) {
		GUC_check_errcode(sqlstate_to_errcode(sqlstate::kReplicaNotCaughtUp));
		GUC_check_errmsg("cannot set \"readscale.min_lsn\" while a statement is running");
		GUC_check_errdetail("The running statement's snapshot was taken before the LSN was known to be replayed.");
		GUC_check_errhint("%s", kUseSetHint);
		return false;
	}
	/* GUC frees extra itself: free() on 15, guc_free() on 16+ (bridge/pg_compat.hpp). */
	auto *stored = static_cast<XLogRecPtr *>(guc_malloc(LOG, sizeof(XLogRecPtr)));
	if (stored == nullptr)
		return false;
	*stored = value;
	*extra = stored;
	return true;
}

void
assign_min_lsn(const char *, void *extra) {
	min_lsn = extra != nullptr ? *static_cast<XLogRecPtr *>(extra) : InvalidXLogRecPtr;
}

namespace {

constexpr const char *kTimeoutHint = "Read from the primary, or raise \"readscale.gate_timeout\".";

/* C-shaped: the configured reaction (readscale.gate_on_timeout) when the gate cannot prove min_lsn. */
void
gate_fail(const char *why, XLogRecPtr position, const char *hint) {
	count(kGateRefused);
	auto action = static_cast<GateOnTimeout>(gate_on_timeout);
	if (action == GateOnTimeout::Proceed)
		return;
	ereport(action == GateOnTimeout::Error ? ERROR : WARNING,
	        (errcode(sqlstate_to_errcode(sqlstate::kReplicaNotCaughtUp)),
	         errmsg("replica has not replayed LSN %s required by \"readscale.min_lsn\"", LsnText(min_lsn).text),
	         errdetail("%s Last replayed LSN is %s.", why, LsnText(position).text), errhint("%s", hint)));
}

void
gate_after_set() {
	if (min_lsn == InvalidXLogRecPtr || verified_lsn >= min_lsn)
		return;
	if (IsolationUsesXactSnapshot() && FirstSnapshotSet) {
		/* Not a timeout: no wait can make this transaction's snapshot newer. Always refused. */
		count(kGateRefused);
		ereport(ERROR,
		        (errcode(sqlstate_to_errcode(sqlstate::kObjectNotInPrerequisiteState)),
		         errmsg("cannot set \"readscale.min_lsn\" after the transaction's snapshot was taken"),
		         errdetail("A REPEATABLE READ or SERIALIZABLE transaction keeps the snapshot of its first query."),
		         errhint("%s", kUseSetHint)));
	}
	bool in_recovery = RecoveryInProgress();
	if (!in_recovery && min_lsn > GetXLogInsertRecPtr())
		ereport(ERROR, (errcode(sqlstate_to_errcode(sqlstate::kTokenNotApplicable)),
		                errmsg("LSN %s in \"readscale.min_lsn\" is ahead of this server's WAL", LsnText(min_lsn).text),
		                errdetail("This server has written WAL up to %s.", LsnText(GetXLogInsertRecPtr()).text),
		                errhint("Check that the token was taken on this cluster's primary.")));
	WaitRequest request {min_lsn, gate_timeout_ms,  in_recovery ? WaitMode::Replay : WaitMode::PrimaryFlush, true,
	                     0,       WaitPurpose::Gate};
	WaitResult result;
	wait_for_position(&request, &result);
	if (result.outcome == WaitOutcome::Success || result.outcome == WaitOutcome::NotInRecovery) {
		if (result.position >= min_lsn)
			verified_lsn = Max(verified_lsn, result.position);
		else
			gate_fail("Recovery ended before the LSN was replayed.", result.position, kTimeoutHint);
		return;
	}
	gate_fail(result.failed_fast ? result.reason : "The wait timed out.", result.position, kTimeoutHint);
}

bool
is_min_lsn_set(Node *statement) {
	if (statement == nullptr || !IsA(statement, VariableSetStmt))
		return false;
	auto *set = reinterpret_cast<VariableSetStmt *>(statement);
	return set->name != nullptr && strcmp(set->name, "readscale.min_lsn") == 0;
}

extern "C" void
readscale_process_utility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                          ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                          DestReceiver *dest, QueryCompletion *qc) {
	if (prev_process_utility)
		prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
	else
		standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
	if (is_min_lsn_set(pstmt->utilityStmt))
		guarded([]() { gate_after_set(); });
	else if (XLogRecPtr waited = rs_wait_stmt_replay_lsn(pstmt->utilityStmt); waited != InvalidXLogRecPtr)
		guarded([=]() { verify_if_no_snapshot(waited); });
}

/*
 * After parse analysis, before the statement's snapshot (READ COMMITTED) or
 * the transaction's first one (REPEATABLE READ): what replay has passed now,
 * every snapshot taken from here on includes. Not while a snapshot that is
 * read from is in use: a frozen transaction snapshot, or a running
 * statement's (a nested query). A top-level READ COMMITTED statement's
 * analysis snapshot is dropped before its execution snapshot is taken.
 */
void
record_snapshot_floor(const ParseState *pstate) {
	if (!RecoveryInProgress() || (IsolationUsesXactSnapshot() && FirstSnapshotSet))
		return;
	bool top_level = pstate != nullptr && pstate->p_sourcetext == debug_query_string;
	if (ActiveSnapshotSet() && (!top_level || IsolationUsesXactSnapshot()))
		return;
	snapshot_floor = position_now();
}

void
verify_before_snapshot() {
	if (min_lsn == InvalidXLogRecPtr || verified_lsn >= min_lsn || IsolationUsesXactSnapshot())
		return;
	/* READ COMMITTED: the execution snapshot is taken after this point. */
	XLogRecPtr position = position_now();
	if (position >= min_lsn)
		verified_lsn = position;
}

extern "C" void
readscale_post_parse_analyze(ParseState *pstate, Query *query, rs_jumble_state *jstate) {
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
	guarded([=]() {
		record_snapshot_floor(pstate);
		verify_before_snapshot();
	});
}

/* Bounded staleness: on a standby, refuse (55R02) when staler than readscale.max_staleness. */
void
check_staleness(int eflags) {
	if (max_staleness_ms < 0 || (eflags & EXEC_FLAG_EXPLAIN_ONLY) || !RecoveryInProgress())
		return;
	std::int64_t staleness_ms = 0;
	std::uint64_t unreplayed = 0;
	bool known = local_staleness(&staleness_ms, &unreplayed);
	require_fresh(known, staleness_ms, unreplayed, max_staleness_ms, -1);
}

void
check_gate(int eflags) {
	if (min_lsn != InvalidXLogRecPtr && verified_lsn < min_lsn && !(eflags & EXEC_FLAG_EXPLAIN_ONLY))
		gate_fail("The statement's snapshot may be older than the LSN (the gate was not set with SET).", position_now(),
		          kUseSetHint);
}

extern "C" void
readscale_executor_start(QueryDesc *query_desc, int eflags) {
	guarded([=]() {
		check_gate(eflags);
		check_staleness(eflags);
	});
	if (prev_executor_start)
		prev_executor_start(query_desc, eflags);
	else
		standard_ExecutorStart(query_desc, eflags);
}

/* Commit callback (B3): must not raise after the commit record; a failure is logged as a WARNING. */
void
report_commit_lsn() {
	reported_commit_lsn = XactLastCommitEnd;
	LsnText text(reported_commit_lsn);
	call(SetConfigOption, "readscale.last_commit_lsn", static_cast<const char *>(text.text), PGC_INTERNAL,
	     PGC_S_OVERRIDE);
}

extern "C" void
readscale_xact_callback(XactEvent event, void *) {
	if (event != XACT_EVENT_COMMIT || XactLastCommitEnd == reported_commit_lsn || XactLastCommitEnd == 0)
		return;
	guarded_no_throw(WARNING, []() { report_commit_lsn(); });
}

} // namespace

void
install_gate_hooks() {
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = readscale_process_utility;
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = readscale_post_parse_analyze;
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = readscale_executor_start;
	RegisterXactCallback(readscale_xact_callback, nullptr);
}

} // namespace readscale::pg
