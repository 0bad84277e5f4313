/*
 * replay_blockers.cpp: readscale._replay_blockers(), the rows of the view
 * readscale.replay_blockers: on a standby, what WAL replay waits for right
 * now and which backends cause it.
 *
 * Derivation (the decisions are core/replay_blocker.hpp's):
 * - the wait: pg_stat_activity's wait event of the startup process;
 * - a lock: the startup process's ungranted lock in pg_locks, and the backends
 *   holding a granted lock on the same object (pg_blocking_pids() of the
 *   startup process is always empty: replay does not queue like a backend);
 * - a buffer pin: the buffer the startup process waits for
 *   (GetStartupBufferPinWaitBufId()), its relation by filenode, and the
 *   backends of that database in a transaction holding a lock on it; which
 *   of them pins the page is private to each backend, so they are candidates;
 * - a snapshot or tablespace conflict: the conflicting xid is private to the
 *   startup process, so every other client backend with a snapshot
 *   (backend_xmin), oldest first, is a candidate;
 * - since: the receipt time of the WAL being replayed
 *   (GetCurrentChunkReplayStartTime()), the instant PostgreSQL's own
 *   max_standby_*_delay clock starts from (GetStandbyLimitTime()); replay
 *   cannot have waited longer than that. The delay is the streaming one while
 *   the WAL receiver streams, the archive one otherwise.
 *
 * Cost: one pg_stat_activity read when replay is not blocked; pg_locks and
 * pg_stat_activity once more when it is (at most kMaxBlockers rows).
 *
 * Frames: readscale_replay_blockers_impl and put_row are C-shaped (SPI may
 * ERROR); the C++ helpers above them run between PostgreSQL calls and keep
 * nothing alive across them.
 */
#include "core/replay_blocker.hpp"
#include "common/failure.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"

namespace {

constexpr std::size_t kQueryTextBytes = 256;
constexpr std::size_t kReasonBytes = 512;
constexpr int kColumns = 21;

const char *const kStartupQuery = "SELECT pid, wait_event_type, wait_event FROM pg_catalog.pg_stat_activity"
                                  " WHERE backend_type = 'startup'";

/* Every blockers query returns these columns: pid, mode held, usename, application_name, client_addr,
 * backend_xmin age, xact_start, query_start, query, relation. */
#define READSCALE_BLOCKER_COLUMNS                                                                                      \
	" a.usename::text, a.application_name, a.client_addr, pg_catalog.age(a.backend_xmin), a.xact_start,"               \
	" a.query_start, a.query,"
#define READSCALE_RELATION_NAME " CASE WHEN c.oid IS NOT NULL THEN pg_catalog.format('%I.%I', n.nspname, c.relname) END"

/* $1 startup pid, $2 this database. */
const char *const kLockQuery =
    "WITH l AS MATERIALIZED (SELECT locktype, database, relation, pid, mode, granted FROM pg_catalog.pg_locks),"
    " w AS (SELECT locktype, database, relation FROM l WHERE pid = $1 AND NOT granted LIMIT 1),"
    " h AS (SELECT l.pid, pg_catalog.string_agg(l.mode, ', ' ORDER BY l.mode) AS mode FROM l JOIN w"
    "  ON l.locktype = w.locktype AND l.database IS NOT DISTINCT FROM w.database"
    "  AND l.relation IS NOT DISTINCT FROM w.relation WHERE l.granted AND l.pid <> $1 GROUP BY l.pid)"
    " SELECT h.pid, h.mode," READSCALE_BLOCKER_COLUMNS " coalesce(" READSCALE_RELATION_NAME
    ", CASE WHEN w.relation IS NOT NULL THEN"
    "  pg_catalog.format('relation %s of database %s', w.relation, w.database) END)"
    " FROM w LEFT JOIN h ON true LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = h.pid"
    " LEFT JOIN pg_catalog.pg_class c ON c.oid = w.relation AND w.database = $2"
    " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " ORDER BY a.xact_start NULLS LAST, h.pid LIMIT 100";

/* $1 startup pid, $2 this database, $3 the buffer's database, $4 its tablespace, $5 its filenode (0: unknown). */
const char *const kBufferPinQuery =
    "WITH w AS (SELECT CASE WHEN $3 = $2 AND $5 <> 0 THEN pg_catalog.pg_filenode_relation($4, $5) END AS relation),"
    " h AS (SELECT l.pid, pg_catalog.string_agg(l.mode, ', ' ORDER BY l.mode) AS mode FROM pg_catalog.pg_locks l"
    "  JOIN w ON l.relation = w.relation WHERE l.granted AND l.locktype = 'relation' AND l.database = $3"
    "  AND l.pid <> $1 GROUP BY l.pid)"
    " SELECT a.pid, h.mode," READSCALE_BLOCKER_COLUMNS " coalesce(" READSCALE_RELATION_NAME ", CASE WHEN $5 <> 0 THEN"
    "  pg_catalog.format('relation with filenode %s of database %s', $5, $3) END)"
    " FROM w LEFT JOIN (pg_catalog.pg_stat_activity a LEFT JOIN h ON h.pid = a.pid)"
    "  ON a.pid <> $1 AND a.pid <> pg_catalog.pg_backend_pid() AND a.backend_type = 'client backend'"
    "  AND a.datid = $3 AND a.xact_start IS NOT NULL AND (w.relation IS NULL OR h.pid IS NOT NULL)"
    " LEFT JOIN pg_catalog.pg_class c ON c.oid = w.relation"
    " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " ORDER BY a.xact_start NULLS LAST, a.pid LIMIT 100";

/* $1 startup pid. */
const char *const kSnapshotQuery =
    "SELECT a.pid, NULL::text," READSCALE_BLOCKER_COLUMNS " NULL::text"
    " FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_stat_activity a"
    "  ON a.pid <> $1 AND a.pid <> pg_catalog.pg_backend_pid() AND a.backend_type = 'client backend'"
    "  AND a.backend_xmin IS NOT NULL"
    " ORDER BY pg_catalog.age(a.backend_xmin) DESC NULLS LAST, a.pid LIMIT 100";

/* What one row's reason is made of (plain data: PostgreSQL strings and numbers). */
struct RowFacts {
	int conflict;
	std::int64_t blocked_ms;
	bool has_pid;
	std::int32_t pid;
	const char *application_name;
	const char *held_mode;
	const char *relation;
	bool has_xmin_age;
	std::int64_t xmin_age;
};

/* No PostgreSQL calls. */
int
classify(const char *type, const char *event) {
	return static_cast<int>(readscale::classify_replay_wait(type, event));
}

/* No PostgreSQL calls: the row's reason into out (kReasonBytes). */
void
format_reason(const RowFacts *f, char *out) {
	readscale::BlockerFacts facts;
	facts.conflict = static_cast<readscale::ReplayConflict>(f->conflict);
	facts.blocked_ms = f->blocked_ms;
	if (f->has_pid)
		facts.pid = f->pid;
	facts.application_name = f->application_name;
	facts.held_mode = f->held_mode;
	facts.relation = f->relation;
	if (f->has_xmin_age)
		facts.xmin_age = f->xmin_age;
	std::string text = readscale::truncate_utf8(readscale::replay_blocker_reason(facts), kReasonBytes - 1);
	readscale::copy_truncated(out, kReasonBytes, text.data(), text.size());
}

/* No PostgreSQL calls: query text cut to kQueryTextBytes at a character boundary, into out. */
void
truncate_query(const char *query, char *out) {
	std::string text = readscale::truncate_utf8(query, kQueryTextBytes);
	readscale::copy_truncated(out, kQueryTextBytes + 1, text.data(), text.size());
}

/* No PostgreSQL calls: the cancel deadline, false for never. */
bool
cancel_deadline(TimestampTz received_at, bool from_stream, TimestampTz *deadline, const char **setting) {
	readscale::CancelClock clock;
	clock.received_at_us = received_at;
	clock.from_stream = from_stream;
	clock.streaming_delay_ms = max_standby_streaming_delay;
	clock.archive_delay_ms = max_standby_archive_delay;
	*setting = readscale::cancel_setting_name(clock);
	auto at = readscale::cancel_deadline_us(clock);
	if (at)
		*deadline = *at;
	return at.has_value();
}

Datum
ms_interval(std::int64_t ms) {
	auto *iv = static_cast<Interval *>(palloc0(sizeof(Interval)));
	iv->time = ms * 1000;
	return IntervalPGetDatum(iv);
}

const char *
text_or_empty(SPITupleTable *t, std::uint64_t row, int n) {
	char *value = SPI_getvalue(t->vals[row], t->tupdesc, n);
	return value ? value : "";
}

/* The startup process's pid and wait, or false when there is none (not a standby). */
bool
read_startup_wait(std::int32_t *pid, int *conflict, char **type, char **event) {
	if (SPI_execute(kStartupQuery, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading pg_stat_activity failed");
	if (SPI_processed != 1)
		return false;
	bool isnull;
	*pid = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*type = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	*event = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	*conflict = classify(*type ? *type : "", *event ? *event : "");
	return true;
}

/* Runs the blockers query for conflict; its rows are in SPI_tuptable. */
void
run_blockers_query(int conflict, std::int32_t startup_pid) {
	Oid types[5] = {INT4OID, OIDOID, OIDOID, OIDOID, OIDOID};
	Datum args[5] = {Int32GetDatum(startup_pid), ObjectIdGetDatum(MyDatabaseId), ObjectIdGetDatum(InvalidOid),
	                 ObjectIdGetDatum(InvalidOid), ObjectIdGetDatum(InvalidOid)};
	const char *sql = kSnapshotQuery;
	int nargs = 1;
	if (conflict == static_cast<int>(readscale::ReplayConflict::kLock)) {
		sql = kLockQuery;
		nargs = 2;
	} else if (conflict == static_cast<int>(readscale::ReplayConflict::kBufferPin)) {
		sql = kBufferPinQuery;
		nargs = 5;
		int buffer = GetStartupBufferPinWaitBufId();
		if (buffer >= 0) { /* the startup process pins it while waiting, so its tag is stable */
			RsBufferFile file = rs_buffer_tag_file(&GetBufferDescriptor(buffer)->tag);
			args[2] = ObjectIdGetDatum(file.database);
			args[3] = ObjectIdGetDatum(file.tablespace);
			args[4] = ObjectIdGetDatum(file.file_number);
		}
	}
	if (SPI_execute_with_args(sql, nargs, types, args, nullptr, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the replay blockers failed");
}

/* The columns every row of one wait shares. */
struct WaitRow {
	int conflict;
	std::int32_t startup_pid;
	const char *type;
	const char *event;
	TimestampTz received_at;
	TimestampTz now;
	bool has_deadline;
	TimestampTz deadline;
	const char *setting;
};

/* Appends the view row for blockers row r (NULL blocker columns when the query found none). */
void
put_row(ReturnSetInfo *rsinfo, const WaitRow *w, SPITupleTable *t, std::uint64_t r) {
	Datum values[kColumns];
	bool nulls[kColumns] = {};
	bool pid_null, age_null;
	Datum pid = SPI_getbinval(t->vals[r], t->tupdesc, 1, &pid_null);
	Datum age = SPI_getbinval(t->vals[r], t->tupdesc, 6, &age_null);
	values[0] =
	    CStringGetTextDatum(readscale::replay_conflict_name(static_cast<readscale::ReplayConflict>(w->conflict)));
	values[1] = Int32GetDatum(w->startup_pid);
	values[2] = CStringGetTextDatum(w->type);
	values[3] = CStringGetTextDatum(w->event);
	values[4] = SPI_getbinval(t->vals[r], t->tupdesc, 10, &nulls[4]);
	values[5] = TimestampTzGetDatum(w->received_at);
	nulls[5] = w->received_at == 0;
	std::int64_t blocked_ms = w->received_at == 0 ? 0 : readscale::ms_since(w->received_at, w->now);
	values[6] = ms_interval(blocked_ms);
	nulls[6] = nulls[5];
	values[7] = CStringGetTextDatum(w->setting);
	values[8] = TimestampTzGetDatum(w->deadline);
	values[9] = ms_interval(w->has_deadline ? readscale::ms_until(w->deadline, w->now) : 0);
	nulls[8] = nulls[9] = !w->has_deadline;
	values[10] = pid;
	nulls[10] = pid_null;
	values[11] = CStringGetTextDatum(
	    readscale::replay_blockers_certain(static_cast<readscale::ReplayConflict>(w->conflict)) ? "holder"
	                                                                                            : "candidate");
	nulls[11] = pid_null;
	for (int i = 0; i < 8; i++) /* held mode, usename .. query */
		values[12 + i] = SPI_getbinval(t->vals[r], t->tupdesc, 2 + i, &nulls[12 + i]);
	char *query = nulls[19] ? nullptr : TextDatumGetCString(values[19]);
	char *cut = static_cast<char *>(palloc(kQueryTextBytes + 1));
	if (query != nullptr) {
		truncate_query(query, cut);
		values[19] = CStringGetTextDatum(cut);
	}
	RowFacts f = {w->conflict,
	              blocked_ms,
	              !pid_null,
	              pid_null ? 0 : DatumGetInt32(pid),
	              text_or_empty(t, r, 4),
	              text_or_empty(t, r, 2),
	              text_or_empty(t, r, 10),
	              !age_null,
	              age_null ? 0 : DatumGetInt32(age)};
	char *reason = static_cast<char *>(palloc(kReasonBytes));
	format_reason(&f, reason);
	values[20] = CStringGetTextDatum(reason);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

} // namespace

READSCALE_SQL_FUNCTION(readscale_replay_blockers) {
	InitMaterializedSRF(fcinfo, 0);
	auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	if (!RecoveryInProgress())
		return static_cast<Datum>(0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	WaitRow w = {};
	char *type = nullptr;
	char *event = nullptr;
	if (read_startup_wait(&w.startup_pid, &w.conflict, &type, &event) &&
	    w.conflict != static_cast<int>(readscale::ReplayConflict::kNone)) {
		w.type = type;
		w.event = event;
		w.received_at = GetCurrentChunkReplayStartTime();
		w.now = GetCurrentTimestamp();
		w.has_deadline = cancel_deadline(w.received_at, WalRcvStreaming(), &w.deadline, &w.setting);
		run_blockers_query(w.conflict, w.startup_pid);
		SPITupleTable *t = SPI_tuptable;
		for (std::uint64_t r = 0; r < SPI_processed; r++)
			put_row(rsinfo, &w, t, r);
	}
	SPI_finish();
	return static_cast<Datum>(0);
}
