/*
 * health_response.cpp: what the health endpoint answers (see health_endpoint.hpp).
 *
 * /health, /primary, /replica, /read-only and /status are decided from shared
 * memory alone (recovery state, WAL receiver and replay positions, pause
 * state), without a transaction: they keep answering when max_connections is
 * exhausted or the catalogs are locked.
 *
 * /metrics runs SELECT readscale.metrics() through SPI in the worker's own
 * database connection (readscale.http_database). Why SPI and not shared memory:
 * metrics() is the definition of the exposition (per-standby series with
 * application_name labels, verdicts under readscale.lag_policy, the gate
 * counters, and sections other areas append), and policies live in a table, so
 * a shared-memory copy would drift from it and could not apply policies at
 * all. A background worker does not take one of max_connections' slots, so
 * scrapes still work when clients have used them all. The cost is bounded:
 * the worker's session runs with lock_timeout (1 s, health_worker.cpp) and
 * the query with a 2 s statement timeout armed here (postgres.c arms
 * statement_timeout only for client statements, not for a worker's SPI), so
 * a locked lag_policy or a slow catalog read delays the other connections by
 * at most that much.
 * When the extension is not installed in that database, or the query fails
 * (the error goes to the server log), /metrics falls back to this node's own
 * gauges from shared memory. An answer (or a failure) is reused for a second.
 *
 * A /replica or /read-only check that fails because replay is behind names what
 * blocks replay: it runs SELECT reason FROM readscale.replay_blockers the same
 * way (same timeouts, reused for a second). Only failing checks pay for that
 * transaction; passing ones still read shared memory only.
 *
 * Frames: respond() and fetch_metrics() are C-shaped; build_response() is the
 * one place C++ objects live, and it calls no PostgreSQL function. The SPI call
 * catches its own errors the way autovacuum's main loop does (report, abort the
 * transaction, continue): it runs in a top-level transaction of its own, so
 * aborting it leaves nothing behind.
 */
#include "core/health_state.hpp"
#include "core/http_request.hpp"
#include "core/lag_verdict.hpp"
#include "core/units.hpp"

#include <algorithm>
#include <cstdlib>

#include "bridge/postgres.hpp"
#include "glue/gucs.hpp"
#include "glue/health_endpoint.hpp"
#include "glue/staleness.hpp"
#include "glue/workers.hpp"

namespace readscale::pg::health {

namespace {

/*
 * A /metrics answer is reused for kMetricsReuseMs: a flood of /metrics then costs
 * formatting, not a transaction each, and cannot crowd out health checks.
 * Scrapers poll every few seconds at most, so they still get fresh data.
 */
constexpr long kMetricsReuseMs = 1000;
constexpr int kMetricsStatementTimeoutMs = 2000;

/*
 * One SQL answer reused for kMetricsReuseMs. Plain data (B8): the buffer is
 * grown with realloc, never freed (one worker, lives as long as it).
 */
struct CachedText {
	const char *sql; /* one row, one text column; no row or NULL is a failure */
	TimestampTz fetched_at;
	bool ok;
	char *buffer;
	std::size_t capacity;
	std::size_t length;
};

CachedText metrics_cache = {"SELECT readscale.metrics()", 0, false, nullptr, 0, 0};
/* Asked only for a /replica or /read-only that fails because replay is behind (see respond()). */
CachedText blocker_cache = {"SELECT reason FROM readscale.replay_blockers LIMIT 1", 0, false, nullptr, 0, 0};
char *response_buffer = nullptr;
std::size_t response_capacity = 0;

bool
reserve(char **buffer, std::size_t *capacity, std::size_t wanted) {
	if (wanted <= *capacity)
		return true;
	std::size_t size = std::max<std::size_t>(wanted, 2 * *capacity);
	char *grown = static_cast<char *>(std::realloc(*buffer, size));
	if (grown == nullptr)
		return false;
	*buffer = grown;
	*capacity = size;
	return true;
}

enum class Need { kMore, kMetrics, kState };

/* No PostgreSQL calls. */
Need
classify(const char *request, std::size_t length, bool timed_out) {
	using namespace readscale::http;
	ParseResult parsed = parse_request(std::string_view(request, length), Limits {});
	if (parsed.status == ParseStatus::kIncomplete)
		return timed_out ? Need::kState : Need::kMore;
	return parsed.status == ParseStatus::kComplete && parsed.request.path == "/metrics" ? Need::kMetrics : Need::kState;
}

/* C-shaped: the node's state from shared memory, no transaction. */
void
read_node_state(readscale::http::NodeState *node) {
	node->primary = !RecoveryInProgress();
	if (node->primary)
		return;
	SpinLockAcquire(&WalRcv->mutex);
	node->receiver_streaming = WalRcv->walRcvState == WALRCV_STREAMING;
	node->receiver_connecting = rs_walrcv_is_connecting(WalRcv->walRcvState);
	SpinLockRelease(&WalRcv->mutex);
	node->replay_paused = GetRecoveryPauseState() != RECOVERY_NOT_PAUSED;
	node->connecting_max_ms = lag_critical_ms;
	node->connecting_max_bytes = readscale::kb_to_bytes(lag_critical_kb);
	std::int64_t staleness_ms = 0;
	bool known = local_staleness(&staleness_ms, &node->unreplayed_bytes); /* as local_lag and the gate see it */
	node->staleness_ms = known ? std::optional<std::int64_t>(staleness_ms) : std::nullopt;
}

/*
 * No PostgreSQL calls; an incomplete request here has timed out. metrics is
 * readscale.metrics()'s text, or null for the shared-memory gauges.
 */
std::size_t
build_response(const char *request, std::size_t length, const readscale::http::NodeState *node, const char *metrics,
               std::size_t metrics_size, const char **out) {
	using namespace readscale::http;
	static const char failed[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	ParseResult parsed = parse_request(std::string_view(request, length), Limits {});
	Response response;
	const char *type = "text/plain; charset=utf-8";
	if (parsed.status == ParseStatus::kIncomplete) {
		response.status = 408;
		response.body = "request timed out\n";
	} else if (parsed.status == ParseStatus::kError) {
		response.status = parsed.error_status;
		response.body = parsed.error_reason + "\n";
	} else {
		response = route(parsed.request, *node);
		if (response.needs_metrics && parsed.request.path == "/status") {
			response.body = node_status_json(*node);
			type = "application/json";
		} else if (response.needs_metrics) {
			response.body = metrics ? std::string(metrics, metrics_size) : node_metrics_text(*node);
			type = "text/plain; version=0.0.4; charset=utf-8";
		}
	}
	bool head = parsed.status == ParseStatus::kComplete && parsed.request.head;
	std::string text = format_response(response, head, type);
	if (!reserve(&response_buffer, &response_capacity, text.size())) {
		*out = failed;
		return sizeof failed - 1;
	}
	std::memcpy(response_buffer, text.data(), text.size());
	*out = response_buffer;
	return text.size();
}

/* May ERROR (caught by fetch_cached): copies the answer of cache->sql into cache->buffer. */
bool
run_text_query(CachedText *cache) {
	if (!OidIsValid(get_extension_oid("pg_readscale", true)))
		return false;
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, cache->sql);
	int rc = SPI_execute(cache->sql, true, 1);
	bool ok = rc == SPI_OK_SELECT && SPI_processed == 1;
	bool isnull = true;
	Datum value = ok ? SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull) : Datum(0);
	ok = ok && !isnull;
	if (ok) {
		text *t = DatumGetTextPP(value);
		std::size_t size = VARSIZE_ANY_EXHDR(t);
		ok = reserve(&cache->buffer, &cache->capacity, size);
		if (ok) {
			std::memcpy(cache->buffer, VARDATA_ANY(t), size);
			cache->length = size;
		}
	}
	SPI_finish();
	PopActiveSnapshot();
	pgstat_report_activity(STATE_IDLE, nullptr);
	return ok;
}

/* The cached answer, fetched again when older than kMetricsReuseMs; false when it failed. */
bool
fetch_cached(CachedText *cache, const char **text, std::size_t *length) {
	*text = cache->buffer;
	*length = cache->length;
	TimestampTz now = GetCurrentTimestamp();
	if (cache->fetched_at != 0 && !TimestampDifferenceExceeds(cache->fetched_at, now, kMetricsReuseMs))
		return cache->ok;
	cache->fetched_at = now;
	MemoryContext caller = CurrentMemoryContext;
	volatile bool ok = false;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	enable_timeout_after(STATEMENT_TIMEOUT, kMetricsStatementTimeoutMs);
	PG_TRY();
	{
		ok = run_text_query(cache);
		disable_timeout(STATEMENT_TIMEOUT, false);
		CommitTransactionCommand();
		pgstat_report_stat(false); /* a long-lived session flushes its statistics itself, as worker_spi does */
	}
	PG_CATCH();
	{
		disable_timeout(STATEMENT_TIMEOUT, false);
		readscale::pg::report_and_roll_back(caller);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(caller);
	cache->ok = ok;
	*text = cache->buffer;
	*length = cache->length;
	return ok;
}

/* No PostgreSQL calls: whether the request is a read check this node fails because replay is behind. */
bool
fails_for_staleness(const char *request, std::size_t length, const readscale::http::NodeState *node) {
	using namespace readscale::http;
	ParseResult parsed = parse_request(std::string_view(request, length), Limits {});
	return parsed.status == ParseStatus::kComplete && route(parsed.request, *node).stale;
}

} // namespace

bool
fetch_metrics(const char **text, std::size_t *length) {
	return fetch_cached(&metrics_cache, text, length);
}

std::size_t
respond(const char *request, std::size_t length, bool timed_out, const char **response) {
	Need need = classify(request, length, timed_out);
	if (need == Need::kMore)
		return 0;
	readscale::http::NodeState node;
	read_node_state(&node);
	node.replica_role = readscale::pg::replica_role_name();
	const char *metrics = nullptr;
	std::size_t metrics_size = 0;
	if (need == Need::kMetrics && !fetch_metrics(&metrics, &metrics_size))
		metrics = nullptr;
	/* Only a failing read check pays for a transaction: the passing ones stay shared-memory only. */
	const char *blocker = nullptr;
	std::size_t blocker_size = 0;
	if (need == Need::kState && !node.primary && fails_for_staleness(request, length, &node) &&
	    fetch_cached(&blocker_cache, &blocker, &blocker_size))
		node.replay_blocker = std::string_view(blocker, blocker_size);
	return build_response(request, length, &node, metrics, metrics_size, response);
}

} // namespace readscale::pg::health
