/*
 * standby_lag.cpp: readscale._standby_lag(), the rows of readscale.standby_lag.
 *
 * Connected standbys come from pg_stat_replication and readscale.lag_policy
 * through SPI, as the caller: pg_stat_replication already takes the walsender
 * spinlocks and hides LSNs from roles without pg_read_all_stats, which
 * re-reading WalSndCtl here would have to duplicate. Their staleness is the
 * commit clock's (commit_clock.cpp): how long the first commit beyond
 * replay_lsn has existed, which grows while a standby is stuck, unlike
 * replay_lag, which moves only with its status replies. Without the preload
 * (no clock) staleness is replay_lag as before.
 *
 * On a primary, the expected standbys that are not connected follow as rows
 * with state "disconnected" (core/standby_roster.hpp says which).
 *
 * Every decision (policy match, NULL-when-idle, verdict, who is missing) is
 * the core's. C-shaped: SPI may ERROR; the C++ helpers run between SPI calls
 * and hold nothing across them.
 */
#include "core/commit_clock.hpp"
#include "core/standby_roster.hpp"
#include "core/units.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/commit_clock.hpp"
#include "glue/interval.hpp"
#include "glue/lag_fns.hpp"
#include "glue/gucs.hpp"
#include "glue/standby_roster.hpp"

using namespace readscale::pg;

namespace {

constexpr int kColumns = 24;
enum Column {
	kStateCol = 3,
	kReplayLagCol = 15,
	kReplyTimeCol = 16,
	kPolicyCol = 17,
	kStalenessCol = 20,
	kSinceCol = 21,
	kByCol = 22,
	kXminAgeCol = 23
};

const char *const kReplicationQuery =
    "SELECT r.pid, r.application_name, r.client_addr, r.state, r.sync_state, r.sent_lsn, r.write_lsn, r.flush_lsn,"
    " r.replay_lsn, r.write_lag, r.flush_lag, r.replay_lag, r.reply_time,"
    " CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_receive_lsn()"
    " ELSE pg_catalog.pg_current_wal_lsn() END, s.slot_name::text,"
    " a.datname IS NULL AND r.state IS DISTINCT FROM 'backup' AND s.temporary IS NOT TRUE"
    " AND r.application_name <> 'pg_basebackup',"
    " pg_catalog.age(r.backend_xmin)" /* what hot_standby_feedback holds back vacuum with */
    " FROM pg_catalog.pg_stat_replication r LEFT JOIN pg_catalog.pg_replication_slots s ON s.active_pid = r.pid"
    " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid"
    " ORDER BY r.application_name, r.pid";
const char *const kPolicyQuery =
    "SELECT application_name_pattern, warning_lag, critical_lag, warning_bytes, critical_bytes,"
    " non_streaming_is_critical, disconnected_is_critical FROM readscale.lag_policy ORDER BY application_name_pattern";
/* pg_readscale 0.1's lag_policy has no disconnected_is_critical (its standby_lag has 20 columns). */
const char *const kPolicyQuery01 =
    "SELECT application_name_pattern, warning_lag, critical_lag, warning_bytes, critical_bytes,"
    " non_streaming_is_critical, true FROM readscale.lag_policy ORDER BY application_name_pattern";
/* Names that make a standby expected besides lag_policy and the seen table: kind, name, active. */
const char *const kExpectedQuery =
    "SELECT 'slot', slot_name::text, active FROM pg_catalog.pg_replication_slots"
    " WHERE slot_type = 'physical' AND NOT temporary"
    " UNION ALL SELECT 'synchronous_standby_names', n, false"
    " FROM readscale._sync_standby_names(pg_catalog.current_setting('synchronous_standby_names')) n"
    " UNION ALL SELECT 'synchronized_standby_slots', n, false FROM readscale._sync_standby_names("
    "coalesce(pg_catalog.current_setting('synchronized_standby_slots', true), '')) n";

/* The policies read once per call. */
struct Policies {
	SPITupleTable *table;
	int count;
	const char **patterns;
	bool *nulls;
};

/* Column n (1-based) of row as a Datum; *isnull set. */
Datum
column(SPITupleTable *table, std::uint64_t row, int n, bool *isnull) {
	return SPI_getbinval(table->vals[row], table->tupdesc, n, isnull);
}

/* Thresholds of the policy matching name (none: the GUC defaults), NULL columns inheriting the GUCs. */
readscale::LagThresholds
thresholds_for(const Policies *p, const char *name, int *best) {
	readscale::LagThresholds t;
	t.warning_ms = lag_warning_ms;
	t.critical_ms = lag_critical_ms;
	t.warning_bytes = readscale::kb_to_bytes(lag_warning_kb);
	t.critical_bytes = readscale::kb_to_bytes(lag_critical_kb);
	*best = pick_policy(p->patterns, p->nulls, p->count, name);
	if (*best < 0)
		return t;
	auto row = static_cast<std::uint64_t>(*best);
	bool isnull = true;
	Datum d = column(p->table, row, 2, &isnull);
	t.warning_ms = isnull ? t.warning_ms : interval_ms(DatumGetIntervalP(d));
	d = column(p->table, row, 3, &isnull);
	t.critical_ms = isnull ? t.critical_ms : interval_ms(DatumGetIntervalP(d));
	d = column(p->table, row, 4, &isnull);
	t.warning_bytes = isnull ? t.warning_bytes : DatumGetInt64(d);
	d = column(p->table, row, 5, &isnull);
	t.critical_bytes = isnull ? t.critical_bytes : DatumGetInt64(d);
	d = column(p->table, row, 6, &isnull);
	t.non_streaming_is_critical = isnull || DatumGetBool(d);
	d = column(p->table, row, 7, &isnull);
	t.disconnected_is_critical = isnull || DatumGetBool(d);
	return t;
}

Datum
us_interval(std::int64_t us) {
	auto *iv = static_cast<Interval *>(palloc0(sizeof(Interval)));
	iv->time = us;
	return IntervalPGetDatum(iv);
}

/* Bytes columns 9..12 from the LSNs; write/flush/replay_lag 0 instead of NULL for a caught-up standby. */
void
fill_lag_columns(SPITupleTable *rep, std::uint64_t r, Datum *values, bool *nulls, XLogRecPtr *replay_out,
                 std::uint64_t *total_out) {
	bool current_null;
	Datum current = column(rep, r, 14, &current_null);
	XLogRecPtr now_lsn = current_null ? InvalidXLogRecPtr : DatumGetLSN(current);
	XLogRecPtr sent = nulls[5] ? now_lsn : DatumGetLSN(values[5]);
	XLogRecPtr flush = nulls[7] ? InvalidXLogRecPtr : DatumGetLSN(values[7]);
	XLogRecPtr replay = nulls[8] ? InvalidXLogRecPtr : DatumGetLSN(values[8]);
	std::uint64_t total = readscale::lsn_distance(now_lsn, replay);
	values[9] = Int64GetDatum(static_cast<std::int64_t>(readscale::lsn_distance(now_lsn, sent)));
	values[10] = Int64GetDatum(static_cast<std::int64_t>(readscale::lsn_distance(sent, flush)));
	values[11] = Int64GetDatum(static_cast<std::int64_t>(readscale::lsn_distance(flush, replay)));
	values[12] = Int64GetDatum(static_cast<std::int64_t>(total));
	nulls[9] = nulls[10] = nulls[11] = nulls[12] = nulls[5] || nulls[7] || nulls[8] || current_null;
	bool streaming = !nulls[3] && std::strcmp(TextDatumGetCString(values[3]), "streaming") == 0;
	bool caught_up = !nulls[8] && !current_null && replay >= now_lsn;
	for (int i = 0; i < 3; i++) {
		values[13 + i] = column(rep, r, 10 + i, &nulls[13 + i]);
		if (nulls[13 + i] && readscale::effective_time_lag_ms(std::nullopt, streaming, caught_up)) {
			values[13 + i] = ms_interval(0);
			nulls[13 + i] = false;
		}
	}
	values[16] = column(rep, r, 13, &nulls[16]);
	*replay_out = nulls[8] ? InvalidXLogRecPtr : replay;
	*total_out = total;
}

/*
 * staleness: the commit clock's bound, never below replay_lag while WAL is left to
 * replay (core/commit_clock.hpp); else (not preloaded, or no replay_lsn yet) replay_lag.
 */
void
fill_staleness(XLogRecPtr replay, bool caught_up, TimestampTz now, Datum *values, bool *nulls) {
	std::int64_t staleness = 0;
	std::optional<std::int64_t> reply;
	if (!nulls[kReplyTimeCol])
		reply = DatumGetTimestampTz(values[kReplyTimeCol]);
	if (replay != InvalidXLogRecPtr && commit_clock_staleness(replay, now, reply, &staleness)) {
		std::optional<std::int64_t> replay_lag;
		if (!nulls[kReplayLagCol])
			replay_lag = DatumGetIntervalP(values[kReplayLagCol])->time;
		values[kStalenessCol] = us_interval(readscale::reported_staleness_us(staleness, replay_lag, caught_up));
		nulls[kStalenessCol] = false;
		return;
	}
	values[kStalenessCol] = values[kReplayLagCol];
	nulls[kStalenessCol] = nulls[kReplayLagCol];
}

/* policy, verdict and reason columns from the thresholds and the staleness column. */
void
fill_verdict(const Policies *p, const char *name, const char *state, std::uint64_t total, Datum *values, bool *nulls) {
	int best;
	readscale::LagThresholds t = thresholds_for(p, name, &best);
	std::int64_t lag_ms = nulls[kStalenessCol] ? 0 : interval_ms(DatumGetIntervalP(values[kStalenessCol]));
	char reason[kReasonCapacity];
	readscale::Verdict verdict =
	    judge_sample(state, static_cast<std::int64_t>(total), nulls[kStalenessCol] ? nullptr : &lag_ms, &t, reason);
	values[kPolicyCol] = best >= 0 ? CStringGetTextDatum(p->patterns[best]) : static_cast<Datum>(0);
	nulls[kPolicyCol] = best < 0;
	values[18] = CStringGetTextDatum(readscale::verdict_name(verdict));
	values[19] = CStringGetTextDatum(reason);
	nulls[18] = nulls[19] = false;
}

/*
 * Appends the row of connected standby r, and remembers it as seen when it is
 * a streaming physical standby (column 16): not a logical walsender
 * (connected to a database), not a base backup (state backup, its temporary
 * slot or pg_basebackup's default name), which leave on purpose.
 */
void
put_connected_row(ReturnSetInfo *rsinfo, SPITupleTable *rep, std::uint64_t r, const Policies *p, TimestampTz now) {
	Datum values[kColumns];
	bool nulls[kColumns];
	for (int i = 0; i < 9; i++)
		values[i] = column(rep, r, i + 1, &nulls[i]);
	XLogRecPtr replay;
	std::uint64_t total;
	fill_lag_columns(rep, r, values, nulls, &replay, &total);
	fill_staleness(replay, total == 0, now, values, nulls);
	const char *name = nulls[1] ? "" : TextDatumGetCString(values[1]);
	const char *state = nulls[kStateCol] ? "" : TextDatumGetCString(values[kStateCol]);
	fill_verdict(p, name, state, total, values, nulls);
	nulls[kSinceCol] = nulls[kByCol] = true;
	values[kXminAgeCol] = column(rep, r, 17, &nulls[kXminAgeCol]);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	bool isnull;
	bool standby = DatumGetBool(column(rep, r, 16, &isnull));
	char *slot = SPI_getvalue(rep->vals[r], rep->tupdesc, 15);
	if (standby && !isnull)
		remember_connected(name, slot == nullptr ? "" : slot, now);
}

/* A missing standby, as plain data: filled by find_missing, read by put_missing_row. */
struct MissingRow {
	char name[readscale::kStandbyNameSize];
	char expected_by[128];
	bool has_since;
	TimestampTz since;
};

/* Inputs of find_missing, gathered with PostgreSQL calls before it runs. */
struct RosterInput {
	SPITupleTable *rep;
	std::uint64_t rep_count;
	SPITupleTable *expected;
	std::uint64_t expected_count;
	const Policies *policies;
	readscale::SeenStandby *seen;
	std::size_t seen_count;
};

/* No PostgreSQL calls (the SPI values were made C strings by the caller). Returns the rows written into out. */
std::size_t
find_missing(const RosterInput *in, char **rep_names, char **rep_slots, char **kinds, char **names, bool *active,
             MissingRow *out) {
	readscale::ExpectedSources sources;
	for (std::uint64_t i = 0; i < in->rep_count; i++)
		sources.connected.push_back({rep_names[i] ? rep_names[i] : "", rep_slots[i] ? rep_slots[i] : ""});
	for (std::uint64_t i = 0; i < in->expected_count; i++) {
		std::string kind = kinds[i];
		if (kind == "slot")
			sources.slots.push_back({names[i], active[i]});
		else if (kind == "synchronous_standby_names")
			sources.synchronous_names.emplace_back(names[i]);
		else
			sources.synchronized_slots.emplace_back(names[i]);
	}
	for (int i = 0; i < in->policies->count; i++)
		if (auto name = readscale::exact_pattern_name(in->policies->patterns[i]))
			sources.policy_names.push_back(*name);
	sources.seen.assign(in->seen, in->seen + in->seen_count);
	std::size_t n = 0;
	for (const auto &m : readscale::missing_standbys(sources)) {
		MissingRow &row = out[n++];
		readscale::copy_truncated(row.name, sizeof row.name, m.name.data(), m.name.size());
		readscale::copy_truncated(row.expected_by, sizeof row.expected_by, m.expected_by.data(), m.expected_by.size());
		row.has_since = m.last_seen_us.has_value();
		row.since = m.last_seen_us.value_or(0);
	}
	return n;
}

/* Column n of every row of table as a palloc'd array of C strings (NULL stays nullptr). */
char **
text_column(SPITupleTable *table, std::uint64_t count, int n) {
	auto **out = static_cast<char **>(palloc0(sizeof(char *) * (count + 1)));
	for (std::uint64_t i = 0; i < count; i++)
		out[i] = SPI_getvalue(table->vals[i], table->tupdesc, n);
	return out;
}

/* No PostgreSQL calls: C++ objects live here. */
readscale::Verdict
judge_missing_row(const char *name, const char *expected_by, bool disconnected_is_critical, char *reason) {
	readscale::MissingStandby missing;
	missing.name = name;
	missing.expected_by = expected_by;
	readscale::LagJudgement j = readscale::judge_missing(missing, disconnected_is_critical);
	readscale::copy_truncated(reason, kReasonCapacity, j.reason.data(), j.reason.size());
	return j.verdict;
}

void
put_missing_row(ReturnSetInfo *rsinfo, const MissingRow *m, const Policies *p) {
	Datum values[kColumns] = {};
	bool nulls[kColumns];
	for (int i = 0; i < kColumns; i++)
		nulls[i] = true;
	values[1] = CStringGetTextDatum(m->name);
	values[kStateCol] = CStringGetTextDatum("disconnected");
	nulls[1] = nulls[kStateCol] = false;
	int best;
	readscale::LagThresholds t = thresholds_for(p, m->name, &best);
	char reason[kReasonCapacity];
	readscale::Verdict verdict = judge_missing_row(m->name, m->expected_by, t.disconnected_is_critical, reason);
	values[kPolicyCol] = best >= 0 ? CStringGetTextDatum(p->patterns[best]) : static_cast<Datum>(0);
	nulls[kPolicyCol] = best < 0;
	values[18] = CStringGetTextDatum(readscale::verdict_name(verdict));
	values[19] = CStringGetTextDatum(reason);
	values[kSinceCol] = TimestampTzGetDatum(m->since);
	values[kByCol] = CStringGetTextDatum(m->expected_by);
	nulls[18] = nulls[19] = nulls[kByCol] = false;
	nulls[kSinceCol] = !m->has_since;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* Appends a row per expected standby that is not connected (columns past the caller's are ignored). */
void
put_missing_rows(ReturnSetInfo *rsinfo, SPITupleTable *rep, std::uint64_t rep_count, const Policies *p,
                 TimestampTz now) {
	if (SPI_execute(kExpectedQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the expected standbys failed");
	RosterInput in {rep, rep_count, SPI_tuptable, SPI_processed, p, nullptr, 0};
	in.seen = static_cast<readscale::SeenStandby *>(palloc0(sizeof(readscale::SeenStandby) * (seen_capacity() + 1)));
	in.seen_count = copy_seen(in.seen, now);
	auto *active = static_cast<bool *>(palloc0(sizeof(bool) * (in.expected_count + 1)));
	for (std::uint64_t i = 0; i < in.expected_count; i++) {
		bool isnull;
		active[i] = DatumGetBool(column(in.expected, i, 3, &isnull)) && !isnull;
	}
	std::size_t capacity = in.seen_count + in.expected_count + static_cast<std::size_t>(p->count) + 1;
	auto *rows = static_cast<MissingRow *>(palloc0(sizeof(MissingRow) * capacity));
	std::size_t n = find_missing(&in, text_column(rep, rep_count, 2), text_column(rep, rep_count, 15),
	                             text_column(in.expected, in.expected_count, 1),
	                             text_column(in.expected, in.expected_count, 2), active, rows);
	for (std::size_t i = 0; i < n; i++)
		put_missing_row(rsinfo, &rows[i], p);
}

Policies
read_policies(bool version_01) {
	if (SPI_execute(version_01 ? kPolicyQuery01 : kPolicyQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading readscale.lag_policy failed");
	Policies p {SPI_tuptable, static_cast<int>(SPI_processed), nullptr, nullptr};
	p.patterns = static_cast<const char **>(palloc0(sizeof(char *) * (p.count + 1)));
	p.nulls = static_cast<bool *>(palloc0(sizeof(bool) * (p.count + 1)));
	for (int i = 0; i < p.count; i++)
		p.patterns[i] = SPI_getvalue(p.table->vals[i], p.table->tupdesc, 1);
	return p;
}

} // namespace

READSCALE_SQL_FUNCTION(readscale_standby_lag) {
	InitMaterializedSRF(fcinfo, 0);
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	Policies policies = read_policies(rsinfo->setDesc->natts < kColumns);
	if (SPI_execute(kReplicationQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_stat_replication failed");
	SPITupleTable *rep = SPI_tuptable;
	std::uint64_t rep_count = SPI_processed;
	TimestampTz now = GetCurrentTimestamp();
	for (std::uint64_t r = 0; r < rep_count; r++)
		put_connected_row(rsinfo, rep, r, &policies, now);
	if (!RecoveryInProgress())
		put_missing_rows(rsinfo, rep, rep_count, &policies, now);
	SPI_finish();
	return static_cast<Datum>(0);
}
