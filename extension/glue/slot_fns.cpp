/*
 * slot_fns.cpp: the replication-slot retention guard's SQL functions:
 * readscale._slot_retention() (the rows of view readscale.slot_retention),
 * readscale.slot_guard_run(dry_run) and readscale.slot_guard_preview(), the
 * same pass as a dry run that writes no audit row (so pg_monitor may call it).
 *
 * Data comes from pg_replication_slots and readscale.slot_policy through SPI,
 * as the caller. Every decision (policy match, verdict, drop or not) is the
 * core's (core/slot_policy.hpp), made by evaluate(), which holds C++ objects
 * and calls no PostgreSQL function. Everything else here is C-shaped (plain
 * locals only) and may ERROR.
 *
 * inactive_since: PostgreSQL 15 records no inactivity time for slots, so it is
 * the first time any look (this view or a guard pass, from any session or the
 * worker) saw this incarnation of the slot inactive, kept in shared memory
 * when preloaded, per backend otherwise (slot_tracker.cpp, core/slot_clock.hpp).
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
#include "core/slot_clock.hpp"
#include "core/slot_policy.hpp"
#include "core/units.hpp"
#include "common/failure.hpp"
#include "common/sqlstate.hpp"

#include <algorithm>
#include <sys/statvfs.h>

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/interval.hpp"
#include "glue/gucs.hpp"
#include "glue/slot_tracker.hpp"

using readscale::pg::interval_ms;

namespace {

constexpr std::size_t kTextCapacity = 256;
constexpr int kSlotColumns = 11;

/* A policy row as plain values; -1 = NULL (inherit the GUC default or disabled). */
struct PolicyRow {
	const char *pattern;
	std::int64_t warning_bytes;
	std::int64_t critical_bytes;
	std::int64_t max_inactive_ms;
	double max_disk_share;
	bool drop;
	bool is_protected;
};

/* A slot as plain values. */
struct SlotRow {
	const char *name;
	bool active;
	bool retained_known;
	std::int64_t retained;
	const char *wal_status;
	TimestampTz inactive_since; /* 0: unknown */
	std::int64_t inactive_ms;
	bool share_known;
	double share;
};

struct Evaluation {
	int policy; /* index into the policy rows, -1: GUC defaults */
	readscale::Verdict verdict;
	readscale::SlotAction action;
	bool drop;
	char reason[kTextCapacity];
	char outcome[kTextCapacity];
};

/* No PostgreSQL calls: C++ objects live here. */
void
evaluate(const SlotRow *slot, const PolicyRow *policies, int policy_count, bool in_recovery, bool dry_run,
         Evaluation *out) {
	std::vector<std::string_view> patterns;
	for (int p = 0; p < policy_count; p++)
		patterns.emplace_back(policies[p].pattern);
	auto best = readscale::most_specific_match(patterns, slot->name);
	readscale::SlotPolicy policy;
	policy.warning_bytes = readscale::kb_to_bytes(readscale::pg::slot_warning_kb);
	policy.critical_bytes = readscale::kb_to_bytes(readscale::pg::slot_critical_kb);
	out->policy = best ? static_cast<int>(*best) : -1;
	if (best) {
		const PolicyRow &row = policies[*best];
		if (row.warning_bytes >= 0)
			policy.warning_bytes = row.warning_bytes;
		if (row.critical_bytes >= 0)
			policy.critical_bytes = row.critical_bytes;
		policy.max_inactive_ms = row.max_inactive_ms;
		policy.max_disk_share = row.max_disk_share;
		policy.action = row.drop ? readscale::SlotAction::kDrop : readscale::SlotAction::kWarn;
		policy.is_protected = row.is_protected;
		policy.names_slot = readscale::pattern_names_slot(row.pattern, slot->name);
	}
	readscale::SlotSample sample;
	sample.active = slot->active;
	if (slot->retained_known)
		sample.retained_bytes = static_cast<std::uint64_t>(slot->retained);
	if (slot->inactive_since != 0)
		sample.inactive_ms = slot->inactive_ms;
	if (slot->share_known)
		sample.disk_share = slot->share;
	sample.wal_status = slot->wal_status;
	readscale::SlotJudgement judgement = readscale::judge_slot(sample, policy);
	readscale::SlotDecision decision = readscale::decide_slot(judgement, sample, policy, in_recovery, dry_run);
	out->verdict = judgement.verdict;
	out->action = decision.action;
	out->drop = decision.drop;
	readscale::copy_truncated(out->reason, kTextCapacity, judgement.reason.data(), judgement.reason.size());
	readscale::copy_truncated(out->outcome, kTextCapacity, decision.outcome.data(), decision.outcome.size());
}

const char *const kSlotQuery =
    "SELECT s.slot_name::pg_catalog.text, s.slot_type, s.plugin::pg_catalog.text, s.database::pg_catalog.text,"
    " s.active, s.active_pid, s.restart_lsn, s.confirmed_flush_lsn,"
    " GREATEST(pg_catalog.pg_wal_lsn_diff(CASE WHEN pg_catalog.pg_is_in_recovery()"
    " THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END, s.restart_lsn), "
    "0)::pg_catalog.int8,"
    " s.wal_status, s.safe_wal_size"
    " FROM pg_catalog.pg_replication_slots s ORDER BY 1";
const char *const kPolicyQuery =
    "SELECT slot_name_pattern, warning_bytes, critical_bytes, max_inactive, max_disk_share, action, protected"
    " FROM readscale.slot_policy ORDER BY slot_name_pattern";

/* The policy rows, palloc'd. C-shaped: SPI may ERROR. */
PolicyRow *
load_policies(int *count) {
	if (SPI_execute(kPolicyQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading readscale.slot_policy failed");
	SPITupleTable *table = SPI_tuptable;
	*count = static_cast<int>(SPI_processed);
	auto *rows = static_cast<PolicyRow *>(palloc0(sizeof(PolicyRow) * (*count + 1)));
	for (int p = 0; p < *count; p++) {
		HeapTuple tuple = table->vals[p];
		bool isnull;
		rows[p].pattern = SPI_getvalue(tuple, table->tupdesc, 1);
		Datum d = SPI_getbinval(tuple, table->tupdesc, 2, &isnull);
		rows[p].warning_bytes = isnull ? -1 : DatumGetInt64(d);
		d = SPI_getbinval(tuple, table->tupdesc, 3, &isnull);
		rows[p].critical_bytes = isnull ? -1 : DatumGetInt64(d);
		d = SPI_getbinval(tuple, table->tupdesc, 4, &isnull);
		rows[p].max_inactive_ms = isnull ? -1 : std::max<std::int64_t>(0, interval_ms(DatumGetIntervalP(d)));
		d = SPI_getbinval(tuple, table->tupdesc, 5, &isnull);
		rows[p].max_disk_share = isnull ? -1.0 : DatumGetFloat4(d);
		d = SPI_getbinval(tuple, table->tupdesc, 6, &isnull);
		rows[p].drop = !isnull && std::strcmp(TextDatumGetCString(d), "drop") == 0;
		d = SPI_getbinval(tuple, table->tupdesc, 7, &isnull);
		rows[p].is_protected = !isnull && DatumGetBool(d);
	}
	return rows;
}

/* Size of the filesystem holding pg_wal in bytes, 0 when unknown. */
std::uint64_t
wal_filesystem_bytes() {
	struct statvfs fs;
	char path[MAXPGPATH];
	snprintf(path, sizeof path, "%s/%s", DataDir, XLOGDIR);
	if (statvfs(path, &fs) != 0)
		return 0;
	return static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
}

/* Reads slot row r into values[0..10] and *slot. C-shaped. */
void
read_slot(SPITupleTable *table, std::uint64_t r, TimestampTz now, std::uint64_t fs_bytes, Datum *values, bool *nulls,
          SlotRow *slot) {
	for (int i = 0; i < kSlotColumns; i++)
		values[i] = SPI_getbinval(table->vals[r], table->tupdesc, i + 1, &nulls[i]);
	slot->name = TextDatumGetCString(values[0]);
	slot->active = !nulls[4] && DatumGetBool(values[4]);
	slot->retained_known = !nulls[8];
	slot->retained = nulls[8] ? 0 : DatumGetInt64(values[8]);
	slot->wal_status = nulls[9] ? "" : TextDatumGetCString(values[9]);
	readscale::SlotIdentity identity;
	readscale::pg::read_slot_identity(slot->name, nulls[6] ? 0 : DatumGetLSN(values[6]),
	                                  nulls[7] ? 0 : DatumGetLSN(values[7]), &identity);
	slot->inactive_since = readscale::pg::track_inactive(slot->name, slot->active, identity, now);
	slot->inactive_ms = slot->inactive_since == 0 ? 0 : (now - slot->inactive_since) / 1000;
	slot->share_known = slot->retained_known && fs_bytes > 0;
	slot->share = slot->share_known ? static_cast<double>(slot->retained) / static_cast<double>(fs_bytes) : 0.0;
}

SPITupleTable *
load_slots(std::uint64_t *count) {
	if (SPI_execute(kSlotQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_replication_slots failed");
	*count = SPI_processed;
	return SPI_tuptable;
}

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

/* What one pass over the slots reads first (C-shaped: SPI and catalog access may ERROR). */
struct GuardPass {
	ReturnSetInfo *rsinfo;
	PolicyRow *policies;
	int policy_count;
	SPITupleTable *slots;
	std::uint64_t count;
	std::uint64_t fs_bytes;
	TimestampTz listed_after; /* taken before the listing, to forget dropped slots */
	TimestampTz now;
	bool in_recovery;
};

void
begin_pass(FunctionCallInfo fcinfo, GuardPass *pass) {
	InitMaterializedSRF(fcinfo, 0);
	pass->rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pass->policies = load_policies(&pass->policy_count);
	pass->listed_after = GetCurrentTimestamp();
	pass->slots = load_slots(&pass->count);
	pass->fs_bytes = wal_filesystem_bytes();
	pass->now = GetCurrentTimestamp();
	pass->in_recovery = RecoveryInProgress();
}

} // namespace

/* _slot_retention(): one row per replication slot with its policy and verdict. */
READSCALE_SQL_FUNCTION(readscale_slot_retention) {
	GuardPass pass;
	begin_pass(fcinfo, &pass);
	for (std::uint64_t r = 0; r < pass.count; r++) {
		Datum values[16];
		bool nulls[16];
		SlotRow slot;
		Evaluation e;
		read_slot(pass.slots, r, pass.now, pass.fs_bytes, values, nulls, &slot);
		evaluate(&slot, pass.policies, pass.policy_count, pass.in_recovery, true, &e);
		values[11] = TimestampTzGetDatum(slot.inactive_since);
		nulls[11] = slot.inactive_since == 0;
		values[12] = Float8GetDatum(slot.share);
		nulls[12] = !slot.share_known;
		values[13] = e.policy >= 0 ? CStringGetTextDatum(pass.policies[e.policy].pattern) : static_cast<Datum>(0);
		nulls[13] = e.policy < 0;
		values[14] = CStringGetTextDatum(readscale::verdict_name(e.verdict));
		values[15] = CStringGetTextDatum(e.reason);
		nulls[14] = nulls[15] = false;
		tuplestore_putvalues(pass.rsinfo->setResult, pass.rsinfo->setDesc, values, nulls);
	}
	readscale::pg::end_tracking(pass.listed_after);
	SPI_finish();
	return static_cast<Datum>(0);
}

namespace {

/* One guard pass returning (slot_name, verdict, action, outcome) rows. C-shaped: SPI may ERROR. */
Datum
guard_pass(FunctionCallInfo fcinfo, bool dry_run, bool audit) {
	GuardPass pass;
	begin_pass(fcinfo, &pass);
	for (std::uint64_t r = 0; r < pass.count; r++) {
		Datum values[kSlotColumns];
		bool nulls[kSlotColumns];
		SlotRow slot;
		Evaluation e;
		read_slot(pass.slots, r, pass.now, pass.fs_bytes, values, nulls, &slot);
		evaluate(&slot, pass.policies, pass.policy_count, pass.in_recovery, dry_run, &e);
		const char *outcome = e.drop ? drop_slot(slot.name) : pstrdup(e.outcome);
		if (audit && !pass.in_recovery) /* a standby cannot write the log; its decisions are returned only */
			log_decision(&slot, &e, outcome, dry_run);
		Datum out[4] = {CStringGetTextDatum(slot.name), CStringGetTextDatum(readscale::verdict_name(e.verdict)),
		                CStringGetTextDatum(readscale::slot_action_name(e.action)), CStringGetTextDatum(outcome)};
		bool out_nulls[4] = {false, false, false, false};
		tuplestore_putvalues(pass.rsinfo->setResult, pass.rsinfo->setDesc, out, out_nulls);
	}
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
