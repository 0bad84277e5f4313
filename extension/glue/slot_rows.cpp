/*
 * slot_rows.cpp: reads one pass over the replication slots (see
 * slot_rows.hpp) and asks the core for each slot's verdict.
 *
 * Data comes from pg_replication_slots and readscale.slot_policy through SPI,
 * as the caller. The slot query's newer columns come from
 * RS_SLOT_NEWER_COLUMNS (bridge/pg_compat.hpp): typed NULLs on majors without
 * them, so _slot_retention() has the same columns on every major.
 *
 * inactive_since: from 17 the server's own (pg_replication_slots); on 15 and
 * 16, which record none, the first time any look (this view or a guard pass,
 * from any session or the worker) saw this incarnation of the slot inactive,
 * kept in shared memory when preloaded, per backend otherwise
 * (slot_tracker.cpp, core/slot_clock.hpp).
 *
 * evaluate(), evaluate_missing() and list_standby_slots() hold C++ objects and
 * call no PostgreSQL function; everything else is C-shaped (plain locals only)
 * and may ERROR.
 */
#include "core/slot_clock.hpp"
#include "core/slot_mechanism.hpp"
#include "core/slot_policy.hpp"
#include "core/units.hpp"
#include "common/failure.hpp"

#include <algorithm>
#include <sys/statvfs.h>

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/gucs.hpp"
#include "glue/interval.hpp"
#include "glue/slot_rows.hpp"
#include "glue/slot_tracker.hpp"

namespace readscale::pg {

namespace {

const char *const kSlotQuery =
    "SELECT s.slot_name::pg_catalog.text, s.slot_type, s.plugin::pg_catalog.text, s.database::pg_catalog.text,"
    " s.active, s.active_pid, s.restart_lsn, s.confirmed_flush_lsn,"
    " GREATEST(pg_catalog.pg_wal_lsn_diff(CASE WHEN pg_catalog.pg_is_in_recovery()"
    " THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END, s.restart_lsn), "
    "0)::pg_catalog.int8,"
    " s.wal_status, s.safe_wal_size, s.temporary, pg_catalog.age(s.catalog_xmin), " RS_SLOT_NEWER_COLUMNS
    " FROM pg_catalog.pg_replication_slots s ORDER BY 1";
const char *const kPolicyQuery =
    "SELECT slot_name_pattern, warning_bytes, critical_bytes, max_inactive, max_disk_share, action, protected"
    " FROM readscale.slot_policy ORDER BY slot_name_pattern";

/* Query columns (0-based) read by name; _slot_retention() returns 0..10 as they are (see retention_row). */
enum SlotColumn {
	kType = 1,
	kActive = 4,
	kRestartLsn = 6,
	kConfirmedFlush = 7,
	kRetained = 8,
	kWalStatus = 9,
	kTemporary = 11,
	kFailover = 13,
	kSynced = 14,
	kConflicting = 15,
	kInvalidation = 16,
	kInactiveSince = 17
};

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

/* The names in a synchronized_standby_slots value (core parses). No PostgreSQL calls. */
void
list_standby_slots(const char *setting, StandbySlotList *out) {
	out->count = 0;
	for (const std::string &name : readscale::parse_slot_list(setting)) {
		if (out->count == kMaxStandbySlots)
			break;
		readscale::copy_truncated(out->names[out->count++], NAMEDATALEN, name.data(), name.size());
	}
}

bool
bool_column(SPITupleTable *table, std::uint64_t r, int column) {
	bool isnull;
	Datum d = SPI_getbinval(table->vals[r], table->tupdesc, column + 1, &isnull);
	return !isnull && DatumGetBool(d);
}

/* Valid logical slots: with wal_level = replica on 19, logical decoding stays on while one exists. C-shaped. */
int
count_valid_logical(SPITupleTable *table, std::uint64_t count) {
	int valid = 0;
	for (std::uint64_t r = 0; r < count; r++) {
		bool isnull;
		SPI_getbinval(table->vals[r], table->tupdesc, kInvalidation + 1, &isnull);
		char *type = SPI_getvalue(table->vals[r], table->tupdesc, kType + 1);
		if (isnull && type != nullptr && std::strcmp(type, "logical") == 0)
			valid++;
	}
	return valid;
}

bool
listed(const StandbySlotList *list, const char *name) {
	for (int i = 0; i < list->count; i++)
		if (std::strcmp(list->names[i], name) == 0)
			return true;
	return false;
}

} // namespace

void
begin_pass(FunctionCallInfo fcinfo, GuardPass *pass) {
	InitMaterializedSRF(fcinfo, 0);
	pass->rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	pass->policies = load_policies(&pass->policy_count);
	pass->listed_after = GetCurrentTimestamp();
	if (SPI_execute(kSlotQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_replication_slots failed");
	pass->count = SPI_processed;
	pass->slots = SPI_tuptable;
	pass->fs_bytes = wal_filesystem_bytes();
	pass->now = GetCurrentTimestamp();
	pass->in_recovery = RecoveryInProgress();
	pass->standby_slots = static_cast<StandbySlotList *>(palloc0(sizeof(StandbySlotList)));
	if (!pass->in_recovery) /* only a primary's walsenders wait for them */
		list_standby_slots(rs_synchronized_standby_slots(), pass->standby_slots);
	pass->valid_logical_slots = count_valid_logical(pass->slots, pass->count);
	pass->logical_decoding_follows_slots = rs_logical_decoding_follows_slots();
	pass->keep_size_bytes =
	    max_slot_wal_keep_size_mb < 0 ? -1 : static_cast<std::int64_t>(max_slot_wal_keep_size_mb) * 1024 * 1024;
	pass->idle_timeout_ms = static_cast<std::int64_t>(idle_replication_slot_timeout_secs) * 1000;
}

void
read_slot(const GuardPass *pass, std::uint64_t r, Datum *values, bool *nulls, SlotRow *slot) {
	SPITupleTable *table = pass->slots;
	for (int i = 0; i < kSlotQueryColumns; i++)
		values[i] = SPI_getbinval(table->vals[r], table->tupdesc, i + 1, &nulls[i]);
	slot->name = TextDatumGetCString(values[0]);
	slot->active = bool_column(table, r, kActive);
	slot->retained_known = !nulls[kRetained];
	slot->retained = nulls[kRetained] ? 0 : DatumGetInt64(values[kRetained]);
	slot->wal_status = nulls[kWalStatus] ? "" : TextDatumGetCString(values[kWalStatus]);
	slot->invalidation_reason = nulls[kInvalidation] ? "" : TextDatumGetCString(values[kInvalidation]);
	/* 16 has conflicting but no invalidation_reason: its conflicting slots are invalidated too. */
	if (nulls[kInvalidation] && bool_column(table, r, kConflicting))
		slot->invalidation_reason = "conflicting";
	slot->temporary = bool_column(table, r, kTemporary);
	slot->failover = bool_column(table, r, kFailover);
	slot->synced = bool_column(table, r, kSynced);
	bool logical = std::strcmp(TextDatumGetCString(values[kType]), "logical") == 0;
	slot->listed_standby_slot = !logical && listed(pass->standby_slots, slot->name);
	slot->keeps_logical_decoding_on = pass->logical_decoding_follows_slots && !pass->in_recovery && logical &&
	                                  slot->invalidation_reason[0] == '\0' && pass->valid_logical_slots == 1;
	if (kServerRecordsSlotInactiveSince) {
		slot->inactive_since = nulls[kInactiveSince] ? 0 : DatumGetTimestampTz(values[kInactiveSince]);
	} else {
		readscale::SlotIdentity identity;
		read_slot_identity(slot->name, nulls[kRestartLsn] ? 0 : DatumGetLSN(values[kRestartLsn]),
		                   nulls[kConfirmedFlush] ? 0 : DatumGetLSN(values[kConfirmedFlush]), &identity);
		slot->inactive_since = track_inactive(slot->name, slot->active, identity, pass->now);
	}
	slot->inactive_ms = slot->inactive_since == 0 ? 0 : Max(0, (pass->now - slot->inactive_since) / 1000);
	slot->share_known = slot->retained_known && pass->fs_bytes > 0;
	slot->share = slot->share_known ? static_cast<double>(slot->retained) / static_cast<double>(pass->fs_bytes) : 0.0;
}

bool
slot_listed(const GuardPass *pass, const char *name) {
	for (std::uint64_t r = 0; r < pass->count; r++) {
		char *slot_name = SPI_getvalue(pass->slots->vals[r], pass->slots->tupdesc, 1);
		if (slot_name != nullptr && std::strcmp(slot_name, name) == 0)
			return true;
	}
	return false;
}

void
evaluate(const SlotRow *slot, const GuardPass *pass, bool dry_run, Evaluation *out) {
	std::vector<std::string_view> patterns;
	for (int p = 0; p < pass->policy_count; p++)
		patterns.emplace_back(pass->policies[p].pattern);
	auto best = readscale::most_specific_match(patterns, slot->name);
	readscale::SlotPolicy policy;
	policy.warning_bytes = readscale::kb_to_bytes(slot_warning_kb);
	policy.critical_bytes = readscale::kb_to_bytes(slot_critical_kb);
	out->policy = best ? static_cast<int>(*best) : -1;
	if (best) {
		const PolicyRow &row = pass->policies[*best];
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
	if (slot->inactive_since != 0 && !slot->active)
		sample.inactive_ms = slot->inactive_ms;
	if (slot->share_known)
		sample.disk_share = slot->share;
	sample.wal_status = slot->wal_status;
	sample.invalidation_reason = slot->invalidation_reason;
	sample.temporary = slot->temporary;
	sample.synced = slot->synced;
	sample.failover = slot->failover;
	sample.listed_in_synchronized_standby_slots = slot->listed_standby_slot;
	sample.keeps_logical_decoding_on = slot->keeps_logical_decoding_on;
	readscale::SlotJudgement judgement = readscale::judge_slot(sample, policy);
	readscale::SlotDecision decision = readscale::decide_slot(judgement, sample, policy, pass->in_recovery, dry_run);
	readscale::CoreSlotLimits limits;
	limits.keep_size_bytes = pass->keep_size_bytes;
	limits.idle_timeout_ms = pass->idle_timeout_ms;
	out->acts_first =
	    readscale::slot_mechanism_name(readscale::first_mechanism(sample, policy, limits, pass->in_recovery));
	out->verdict = judgement.verdict;
	out->action = decision.action;
	out->drop = decision.drop;
	readscale::copy_truncated(out->reason, kSlotTextCapacity, judgement.reason.data(), judgement.reason.size());
	readscale::copy_truncated(out->outcome, kSlotTextCapacity, decision.outcome.data(), decision.outcome.size());
}

void
evaluate_missing(const char *name, Evaluation *out) {
	readscale::SlotJudgement judgement = readscale::judge_missing_standby_slot(name);
	out->policy = -1;
	out->verdict = judgement.verdict;
	out->action = readscale::SlotAction::kWarn;
	out->drop = false;
	out->acts_first = nullptr;
	readscale::copy_truncated(out->reason, kSlotTextCapacity, judgement.reason.data(), judgement.reason.size());
	readscale::copy_truncated(out->outcome, kSlotTextCapacity, "warned", 6);
}

} // namespace readscale::pg
