/*
 * failover_fns.cpp: readscale._failover_readiness(), what view
 * failover_candidates adds to standby_lag: per walsender, whether it is a
 * physical standby (logical walsenders and base backups are no candidates),
 * its physical slot and, on a 17+ primary, whether promoting it keeps the
 * consumers of this primary's failover slots (core/failover_readiness.hpp
 * decides, from what the primary can see; the synced flags live on the
 * standby).
 *
 * The standby's slot sync worker connects here as an ordinary backend
 * (walrcv_connect without replication) to the dbname of primary_conninfo,
 * with primary_conninfo's application_name, else "<cluster_name>_slotsync
 * worker" or "slotsync worker" (the walreceiver's default is cluster_name or
 * "walreceiver"), and periodically runs the fixed query below over
 * pg_replication_slots (the same text on 17, 18 and 19), so its connection is
 * recognised by client address, application name and that query, and its
 * query_start is when it last read the failover slots.
 *
 * The data comes from pg_stat_replication, pg_stat_activity and
 * pg_replication_slots through SPI, as the caller; failover and
 * invalidation_reason are named through RS_VALID_FAILOVER_SLOT
 * (bridge/pg_compat.hpp), so the query runs on 15 and 16 too (no failover
 * slots there: the failover columns are NULL). C-shaped (plain locals, may
 * ERROR) except judge(), which holds C++ objects and calls no PostgreSQL
 * function.
 */
#include "core/failover_readiness.hpp"
#include "core/slot_policy.hpp"
#include "common/failure.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"

namespace {

constexpr int kColumns = 8;
constexpr std::size_t kReasonCapacity = 256;

const char *const kStandbyQuery =
    "WITH fs AS (SELECT s.confirmed_flush_lsn FROM pg_catalog.pg_replication_slots s"
    " WHERE s.slot_type = 'logical' AND NOT s.temporary AND " RS_VALID_FAILOVER_SLOT ")"
    " SELECT r.pid,"
    " a.datname IS NULL AND r.state IS DISTINCT FROM 'backup' AND r.application_name <> 'pg_basebackup'"
    " AND ps.temporary IS NOT TRUE,"
    " ps.slot_name::pg_catalog.text, ps.xmin IS NOT NULL, ps.catalog_xmin IS NOT NULL,"
    " (SELECT pg_catalog.max(w.query_start) FROM pg_catalog.pg_stat_activity w"
    "  WHERE w.backend_type = 'client backend' AND w.client_addr IS NOT DISTINCT FROM r.client_addr"
    "  AND (w.application_name IN (r.application_name, r.application_name || '_slotsync worker')"
    "       OR (r.application_name = 'walreceiver' AND w.application_name = 'slotsync worker'))"
    "  AND w.query LIKE '%FROM pg_catalog.pg_replication_slots WHERE failover and NOT temporary%'),"
    " (SELECT pg_catalog.count(*) FROM fs)::pg_catalog.int4,"
    " (SELECT pg_catalog.count(*) FROM fs"
    "  WHERE fs.confirmed_flush_lsn > COALESCE(r.flush_lsn, '0/0'::pg_catalog.pg_lsn))::pg_catalog.int4"
    " FROM pg_catalog.pg_stat_replication r"
    " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid"
    " LEFT JOIN pg_catalog.pg_replication_slots ps ON ps.active_pid = r.pid AND ps.slot_type = 'physical'"
    " ORDER BY r.pid";

/* Query columns (1-based). */
enum QueryColumn {
	kPid = 1,
	kIsStandby = 2,
	kPhysicalSlot = 3,
	kXminSet = 4,
	kCatalogXminSet = 5,
	kLastFetch = 6,
	kFailoverSlots = 7,
	kSlotsAhead = 8
};

/* The core's verdict: 1 ready, 0 not, -1 unknown; the reason into reason. No PostgreSQL calls. */
int
judge(const readscale::FailoverFacts *facts, const char *listed_setting, const char *slot_name, char *reason) {
	readscale::FailoverFacts f = *facts;
	for (const std::string &name : readscale::parse_slot_list(listed_setting))
		f.listed = f.listed || (slot_name != nullptr && name == slot_name);
	readscale::FailoverReadiness r = readscale::judge_failover_readiness(f);
	readscale::copy_truncated(reason, kReasonCapacity, r.reason.data(), r.reason.size());
	return r.ready.has_value() ? static_cast<int>(*r.ready) : -1;
}

bool
bool_at(SPITupleTable *t, std::uint64_t r, int n) {
	bool isnull;
	Datum d = SPI_getbinval(t->vals[r], t->tupdesc, n, &isnull);
	return !isnull && DatumGetBool(d);
}

/* Columns failover_slots .. failover_slots_reason (3..7) of a standby row, on a 17+ primary. C-shaped. */
void
fill_readiness(SPITupleTable *t, std::uint64_t r, Datum *values, bool *nulls) {
	bool isnull;
	readscale::FailoverFacts facts;
	facts.failover_slots = DatumGetInt32(SPI_getbinval(t->vals[r], t->tupdesc, kFailoverSlots, &isnull));
	facts.slots_ahead = DatumGetInt32(SPI_getbinval(t->vals[r], t->tupdesc, kSlotsAhead, &isnull));
	facts.feedback_xmin = bool_at(t, r, kXminSet);
	facts.holds_logical_slots = bool_at(t, r, kCatalogXminSet);
	values[5] = SPI_getbinval(t->vals[r], t->tupdesc, kLastFetch, &nulls[5]);
	facts.slot_sync_connected = !nulls[5];
	char *slot = SPI_getvalue(t->vals[r], t->tupdesc, kPhysicalSlot);
	facts.has_physical_slot = slot != nullptr;
	char reason[kReasonCapacity];
	int ready = judge(&facts, rs_synchronized_standby_slots(), slot, reason);
	values[3] = Int32GetDatum(facts.failover_slots);
	values[4] = Int32GetDatum(facts.slots_ahead);
	values[6] = BoolGetDatum(ready == 1);
	values[7] = CStringGetTextDatum(reason);
	nulls[3] = nulls[7] = false;
	nulls[4] = facts.failover_slots == 0;
	nulls[6] = ready < 0;
}

} // namespace

/* _failover_readiness(): one row per walsender, with the failover-slot facts of each physical standby. */
READSCALE_SQL_FUNCTION(readscale_failover_readiness) {
	InitMaterializedSRF(fcinfo, 0);
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(kStandbyQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_stat_replication failed");
	SPITupleTable *t = SPI_tuptable;
	bool failover_slots_apply = kServerHasFailoverSlots && !RecoveryInProgress(); /* a standby's are synced copies */
	for (std::uint64_t r = 0; r < SPI_processed; r++) {
		Datum values[kColumns] = {};
		bool nulls[kColumns];
		for (int i = 0; i < kColumns; i++)
			nulls[i] = true;
		values[0] = SPI_getbinval(t->vals[r], t->tupdesc, kPid, &nulls[0]);
		values[1] = BoolGetDatum(bool_at(t, r, kIsStandby));
		nulls[1] = false;
		values[2] = SPI_getbinval(t->vals[r], t->tupdesc, kPhysicalSlot, &nulls[2]);
		if (failover_slots_apply && bool_at(t, r, kIsStandby))
			fill_readiness(t, r, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	return static_cast<Datum>(0);
}
