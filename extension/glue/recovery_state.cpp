/*
 * recovery_state.cpp: readscale._recovery_state(), the startup process's
 * state behind local_lag's replay_pause_state, replay_timeline and
 * promote_triggered.
 *
 * On 19 it reads pg_stat_recovery (kRecoveryViewQuery, bridge/pg_compat.hpp)
 * through SPI: core's view, read under one spinlock, with core's privilege
 * rules. 15-18 have no such view, but the same shared-memory fields have
 * accessors: GetRecoveryPauseState() (pg_get_wal_replay_pause_state()),
 * GetXLogReplayRecPtr()'s timeline (pg_stat_recovery.last_replayed_tli) and
 * PromoteIsTriggered() (pg_stat_recovery.promote_triggered). So every major
 * gives the same facts; only the 19 read is one consistent snapshot.
 *
 * Everything here is C-shaped (plain locals only) and may ERROR.
 */
#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"

namespace {

struct RecoveryFacts {
	const char *pause_state; /* nullptr: unknown */
	bool has_timeline;
	int32 timeline;
	bool has_promote;
	bool promote_triggered;
};

const char *
pause_state_name(RecoveryPauseState state) {
	switch (state) {
	case RECOVERY_NOT_PAUSED:
		return "not paused";
	case RECOVERY_PAUSE_REQUESTED:
		return "pause requested";
	case RECOVERY_PAUSED:
		return "paused";
	}
	return nullptr;
}

/* 15-18: the accessors over the fields pg_stat_recovery shows on 19. */
void
read_shared_memory(RecoveryFacts *facts) {
	TimeLineID tli = 0;
	(void)GetXLogReplayRecPtr(&tli);
	facts->pause_state = pause_state_name(GetRecoveryPauseState());
	facts->has_timeline = tli != 0;
	facts->timeline = static_cast<int32>(tli);
	facts->has_promote = true;
	facts->promote_triggered = PromoteIsTriggered();
}

/* 19: one row of pg_stat_recovery (none once recovery ended). */
void
read_recovery_view(const char *query, RecoveryFacts *facts) {
	MemoryContext caller = CurrentMemoryContext; /* SPI_finish frees what SPI allocated */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(query, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_stat_recovery failed");
	if (SPI_processed == 1) {
		HeapTuple tuple = SPI_tuptable->vals[0];
		TupleDesc desc = SPI_tuptable->tupdesc;
		bool isnull;
		char *state = SPI_getvalue(tuple, desc, 1);
		facts->pause_state = state != nullptr ? MemoryContextStrdup(caller, state) : nullptr;
		Datum tli = SPI_getbinval(tuple, desc, 2, &isnull);
		facts->has_timeline = !isnull;
		facts->timeline = isnull ? 0 : DatumGetInt32(tli);
		Datum promote = SPI_getbinval(tuple, desc, 3, &isnull);
		facts->has_promote = !isnull;
		facts->promote_triggered = !isnull && DatumGetBool(promote);
	}
	SPI_finish();
}

} // namespace

/* _recovery_state() -> (replay_pause_state text, replay_timeline integer, promote_triggered boolean); NULLs on a
 * primary */
READSCALE_SQL_FUNCTION(readscale_recovery_state) {
	TupleDesc desc;
	if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	RecoveryFacts facts = {nullptr, false, 0, false, false};
	if (RecoveryInProgress()) {
		if (kRecoveryViewQuery != nullptr)
			read_recovery_view(kRecoveryViewQuery, &facts);
		else
			read_shared_memory(&facts);
	}
	Datum values[3] = {facts.pause_state != nullptr ? CStringGetTextDatum(facts.pause_state) : Datum(0),
	                   Int32GetDatum(facts.timeline), BoolGetDatum(facts.promote_triggered)};
	bool nulls[3] = {facts.pause_state == nullptr, !facts.has_timeline, !facts.has_promote};
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
