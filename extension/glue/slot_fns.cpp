/*
 * slot_fns.cpp: the replication-slot retention guard's SQL functions:
 * readscale._slot_retention() (the rows of view readscale.slot_retention),
 * readscale.slot_guard_run(dry_run) and readscale.slot_guard_preview(), the
 * same pass as a dry run that writes no audit row (so pg_monitor may call it).
 *
 * The slots and policies are read, and every decision (policy match,
 * verdict, drop or not, which mechanism acts first) made by the core, in
 * slot_rows.cpp. Everything here is C-shaped (plain locals only) and may
 * ERROR. A pass on a primary also reports each slot synchronized_standby_slots
 * lists that does not exist (critical: logical walsenders wait for it).
 *
 * Drops and audit rows run as the bootstrap superuser once the caller passed
 * the privilege check (superuser or member of readscale_slot_admin), so the
 * admin role needs neither REPLICATION nor INSERT on the log; the statements
 * are fixed texts with every object and cast schema-qualified and values
 * passed as typed parameters, so the caller's search_path cannot redirect
 * them. Each drop runs in an internal subtransaction (B5): a slot that became
 * active in the meantime fails with 55006 and is reported as
 * "skipped: became active"; any other failure is reported as "failed: ...",
 * and the pass goes on.
 */
#include "core/slot_policy.hpp"
#include "common/failure.hpp"
#include "common/sqlstate.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/slot_rows.hpp"
#include "glue/slot_tracker.hpp"

using readscale::pg::Evaluation;
using readscale::pg::GuardPass;
using readscale::pg::SlotRow;

namespace {

constexpr int kRetentionColumns = 24;
constexpr int kSlotsyncSkipColumn = 18; /* in the slot query: 19's slotsync_skip_reason */

/* Raises 42501 unless the caller is a superuser or has the privileges of readscale_slot_admin. */
void
require_slot_admin() {
	Oid admin = get_role_oid("readscale_slot_admin", true);
	if (superuser() || (OidIsValid(admin) && has_privs_of_role(GetUserId(), admin)))
		return;
	throw readscale::Error(readscale::sqlstate::kInsufficientPrivilege, "permission denied to drop replication slots",
	                       "Only superusers and members of role \"readscale_slot_admin\" may run the slot guard "
	                       "without a dry run.",
	                       "Call readscale.slot_guard_preview() to see what it would do.");
}

/* Drops the slot in a subtransaction as the bootstrap superuser; returns the outcome. C-shaped (PG_TRY). */
const char *
drop_slot(const char *name) {
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	Oid save_userid;
	int save_sec;
	const char *volatile outcome = "dropped";
	GetUserIdAndSecContext(&save_userid, &save_sec);
	BeginInternalSubTransaction(nullptr);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		Oid argtypes[1] = {NAMEOID};
		Datum args[1] = {DirectFunctionCall1(namein, CStringGetDatum(name))};
		if (SPI_execute_with_args("SELECT pg_catalog.pg_drop_replication_slot($1)", 1, argtypes, args, nullptr, false,
		                          0) != SPI_OK_SELECT)
			elog(ERROR, "pg_drop_replication_slot failed");
		SetUserIdAndSecContext(save_userid, save_sec);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		ErrorData *edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		SetUserIdAndSecContext(save_userid, save_sec);
		outcome = edata->sqlerrcode == ERRCODE_OBJECT_IN_USE ? "skipped: became active"
		                                                     : psprintf("failed: %s", edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return outcome;
}

/* Appends the decision to readscale.slot_guard_log as the bootstrap superuser. C-shaped. */
void
log_decision(const SlotRow *slot, const Evaluation *e, const char *outcome, bool dry_run) {
	Oid save_userid;
	int save_sec;
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	Oid argtypes[8] = {TEXTOID, INT8OID, INTERVALOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID, TEXTOID};
	auto *inactive = static_cast<Interval *>(palloc0(sizeof(Interval)));
	inactive->time = slot->inactive_ms * 1000;
	Datum args[8] = {CStringGetTextDatum(slot->name),
	                 Int64GetDatum(slot->retained),
	                 IntervalPGetDatum(inactive),
	                 CStringGetTextDatum(readscale::verdict_name(e->verdict)),
	                 CStringGetTextDatum(readscale::slot_action_name(e->action)),
	                 CStringGetTextDatum(outcome),
	                 BoolGetDatum(dry_run),
	                 CStringGetTextDatum(e->reason)};
	char nulls[9] = "        ";
	nulls[1] = slot->retained_known ? ' ' : 'n';
	nulls[2] = slot->inactive_since != 0 ? ' ' : 'n';
	if (SPI_execute_with_args("INSERT INTO readscale.slot_guard_log (slot_name, retained_bytes, inactive_for, verdict,"
	                          " action, outcome, dry_run, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
	                          8, argtypes, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "writing readscale.slot_guard_log failed");
	SetUserIdAndSecContext(save_userid, save_sec);
}

/* Copies what _slot_retention() returns for one slot into out[]. C-shaped. */
void
retention_row(const GuardPass *pass, const SlotRow *slot, const Evaluation *e, const Datum *values, const bool *nulls,
              Datum *out, bool *out_nulls) {
	static const int newer[6] = {13, 14, 15,
	                             16, 12, 11}; /* failover .. invalidation_reason, catalog_xmin age, temporary */
	for (int i = 0; i < 11; i++) {
		out[i] = values[i];
		out_nulls[i] = nulls[i];
	}
	out[11] = TimestampTzGetDatum(slot->inactive_since);
	out_nulls[11] = slot->inactive_since == 0;
	out[12] = Float8GetDatum(slot->share);
	out_nulls[12] = !slot->share_known;
	out[13] = e->policy >= 0 ? CStringGetTextDatum(pass->policies[e->policy].pattern) : static_cast<Datum>(0);
	out_nulls[13] = e->policy < 0;
	out[14] = CStringGetTextDatum(readscale::verdict_name(e->verdict));
	out[15] = CStringGetTextDatum(e->reason);
	out_nulls[14] = out_nulls[15] = false;
	for (int i = 0; i < 6; i++) {
		out[16 + i] = values[newer[i]];
		out_nulls[16 + i] = nulls[newer[i]];
	}
	out[22] = e->acts_first != nullptr ? CStringGetTextDatum(e->acts_first) : static_cast<Datum>(0);
	out_nulls[22] = e->acts_first == nullptr;
	out[23] = values[kSlotsyncSkipColumn];
	out_nulls[23] = nulls[kSlotsyncSkipColumn];
}

} // namespace

/* _slot_retention(): one row per replication slot with its policy and verdict. */
READSCALE_SQL_FUNCTION(readscale_slot_retention) {
	GuardPass pass;
	readscale::pg::begin_pass(fcinfo, &pass);
	for (std::uint64_t r = 0; r < pass.count; r++) {
		Datum values[readscale::pg::kSlotQueryColumns];
		bool nulls[readscale::pg::kSlotQueryColumns];
		Datum out[kRetentionColumns];
		bool out_nulls[kRetentionColumns];
		SlotRow slot;
		Evaluation e;
		readscale::pg::read_slot(&pass, r, values, nulls, &slot);
		readscale::pg::evaluate(&slot, &pass, true, &e);
		retention_row(&pass, &slot, &e, values, nulls, out, out_nulls);
		tuplestore_putvalues(pass.rsinfo->setResult, pass.rsinfo->setDesc, out, out_nulls);
	}
	readscale::pg::end_tracking(pass.listed_after);
	SPI_finish();
	return static_cast<Datum>(0);
}

namespace {

/* One (slot_name, verdict, action, outcome) row of a guard pass, logged when audit is set (primary only). */
void
put_guard_row(const GuardPass *pass, const SlotRow *slot, const Evaluation *e, const char *outcome, bool dry_run,
              bool audit) {
	if (audit && !pass->in_recovery) /* a standby cannot write the log; its decisions are returned only */
		log_decision(slot, e, outcome, dry_run);
	Datum out[4] = {CStringGetTextDatum(slot->name), CStringGetTextDatum(readscale::verdict_name(e->verdict)),
	                CStringGetTextDatum(readscale::slot_action_name(e->action)), CStringGetTextDatum(outcome)};
	bool out_nulls[4] = {false, false, false, false};
	tuplestore_putvalues(pass->rsinfo->setResult, pass->rsinfo->setDesc, out, out_nulls);
}

/* Rows for the slots synchronized_standby_slots lists that do not exist. C-shaped. */
void
report_missing_standby_slots(const GuardPass *pass, bool dry_run, bool audit) {
	for (int i = 0; i < pass->standby_slots->count; i++) {
		const char *name = pass->standby_slots->names[i];
		if (readscale::pg::slot_listed(pass, name))
			continue;
		SlotRow slot {};
		slot.name = name;
		Evaluation e;
		readscale::pg::evaluate_missing(name, &e);
		put_guard_row(pass, &slot, &e, e.outcome, dry_run, audit);
	}
}

/* One guard pass returning (slot_name, verdict, action, outcome) rows. C-shaped: SPI may ERROR. */
Datum
guard_pass(FunctionCallInfo fcinfo, bool dry_run, bool audit) {
	GuardPass pass;
	readscale::pg::begin_pass(fcinfo, &pass);
	for (std::uint64_t r = 0; r < pass.count; r++) {
		Datum values[readscale::pg::kSlotQueryColumns];
		bool nulls[readscale::pg::kSlotQueryColumns];
		SlotRow slot;
		Evaluation e;
		readscale::pg::read_slot(&pass, r, values, nulls, &slot);
		readscale::pg::evaluate(&slot, &pass, dry_run, &e);
		const char *outcome = e.drop ? drop_slot(slot.name) : pstrdup(e.outcome);
		put_guard_row(&pass, &slot, &e, outcome, dry_run, audit);
	}
	report_missing_standby_slots(&pass, dry_run, audit);
	readscale::pg::end_tracking(pass.listed_after);
	SPI_finish();
	return static_cast<Datum>(0);
}

} // namespace

/* slot_guard_run(dry_run boolean DEFAULT true): one guard pass; every decision is logged (on a primary). */
READSCALE_SQL_FUNCTION(readscale_slot_guard_run) {
	bool dry_run = PG_ARGISNULL(0) || PG_GETARG_BOOL(0);
	if (!dry_run)
		require_slot_admin();
	return guard_pass(fcinfo, dry_run, true);
}

/* slot_guard_preview(): what slot_guard_run(true) would return, with nothing dropped or logged. */
READSCALE_SQL_FUNCTION(readscale_slot_guard_preview) {
	return guard_pass(fcinfo, true, false);
}
