/*
 * health_worker.cpp: the opt-in HTTP health endpoint, a background worker
 * serving Patroni-style GET /health /primary /replica /read-only /metrics
 * /status on readscale.http_listen (a port on 127.0.0.1, or IPv4:port).
 *
 * It answers from shared memory (recovery state, WAL receiver and replay
 * positions, pause state), never opening a transaction, so it keeps answering
 * while backends are busy. Parsing and routing are the core's
 * (http_request.hpp, health_state.hpp); this file owns sockets and the loop.
 *
 * Hostile clients: at most kMaxConnections at once (more get 503 and are
 * closed), kReadTimeoutMs to send a complete request head (then 408), a
 * request head of at most Limits::max_request_bytes (then 431), one request
 * per connection (Connection: close).
 *
 * Frames: the worker loop and its helpers are C-shaped (plain locals and the
 * plain-data connection table); build_response() is the one place C++
 * objects live, and it calls no PostgreSQL function. ERROR in a background
 * worker is promoted to FATAL and exits; the postmaster restarts the worker
 * after bgw_restart_time.
 */
#include "core/health_state.hpp"
#include "core/http_request.hpp"
#include "core/lag_verdict.hpp"
#include "core/sqlstate.hpp"

#include <algorithm>

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/health_worker.hpp"

#include <cerrno>

extern "C" PGDLLEXPORT void readscale_health_worker_main(Datum arg);

namespace {

constexpr int kMaxConnections = 16;
constexpr long kReadTimeoutMs = 2000;
constexpr std::size_t kRequestCapacity = 4096;
constexpr std::size_t kResponseCapacity = 8192;

char *http_listen = nullptr; /* GUC; "" is off */

struct Connection {
	pgsocket fd;
	TimestampTz deadline;
	std::size_t length;
	char buffer[kRequestCapacity];
};
Connection connections[kMaxConnections]; /* plain data (B8) */

/* No PostgreSQL calls: validates a listen address, copying what to write instead (a full sentence) into detail. */
bool
listen_address_valid(const char *text, char *detail, std::size_t capacity) {
	auto parsed = readscale::http::parse_listen_address(text);
	if (!parsed.ok())
		std::snprintf(detail, capacity, "%s", parsed.error().hint().c_str());
	return parsed.ok();
}

/* GUC check hook (B3: must not ERROR; reports through GUC_check_errdetail). */
bool
check_http_listen(char **newval, void **, GucSource) {
	if (*newval == nullptr || (*newval)[0] == '\0')
		return true;
	char detail[256] = "";
	bool ok = false;
	readscale::pg::guarded_no_throw(WARNING, [&]() { ok = listen_address_valid(*newval, detail, sizeof detail); });
	if (!ok)
		GUC_check_errdetail("%s", detail[0] ? detail : "Invalid listen address.");
	return ok;
}

/* C-shaped: the node's state from shared memory, no transaction. */
void
read_node_state(readscale::http::NodeState *node) {
	node->primary = !RecoveryInProgress();
	if (node->primary)
		return;
	SpinLockAcquire(&WalRcv->mutex);
	node->receiver_streaming = WalRcv->walRcvState == WALRCV_STREAMING;
	SpinLockRelease(&WalRcv->mutex);
	node->replay_paused = GetRecoveryPauseState() != RECOVERY_NOT_PAUSED;
	XLogRecPtr receive = GetWalRcvFlushRecPtr(nullptr, nullptr);
	XLogRecPtr replay = GetXLogReplayRecPtr(nullptr);
	TimestampTz last_xact = GetLatestXTime();
	node->unreplayed_bytes = readscale::lsn_distance(receive, replay);
	node->staleness_ms = readscale::local_staleness_ms(
	    receive, replay, GetCurrentTimestamp(), last_xact != 0 ? std::optional<std::int64_t>(last_xact) : std::nullopt);
}

/*
 * No PostgreSQL calls. Parses conn's bytes; when a response is due, writes it
 * into out and returns its length, else 0 (need more bytes).
 */
std::size_t
build_response(const Connection *conn, bool timed_out, const readscale::http::NodeState *node, char *out) {
	using namespace readscale::http;
	ParseResult parsed = parse_request(std::string_view(conn->buffer, conn->length), Limits{});
	if (parsed.status == ParseStatus::kIncomplete && !timed_out)
		return 0;
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
		if (response.needs_metrics && parsed.request.path.rfind("/status", 0) == 0) {
			response.body = node_status_json(*node);
			type = "application/json";
		} else if (response.needs_metrics) {
			response.body = node_metrics_text(*node);
			type = "text/plain; version=0.0.4; charset=utf-8";
		}
	}
	bool head = parsed.status == ParseStatus::kComplete && parsed.request.head;
	std::string text = format_response(response, head, type);
	std::size_t length = std::min(text.size(), kResponseCapacity);
	std::memcpy(out, text.data(), length);
	return length;
}

void
send_and_close(Connection *conn, const char *data, std::size_t length) {
	while (length > 0) {
		ssize_t sent = send(conn->fd, data, length, MSG_NOSIGNAL);
		if (sent <= 0)
			break; /* EAGAIN or a gone client: a health answer is not worth waiting for */
		data += sent;
		length -= static_cast<std::size_t>(sent);
	}
	closesocket(conn->fd);
	conn->fd = PGINVALID_SOCKET;
}

/* C-shaped: reads what conn has and answers once the head is complete or the deadline passed. */
void
serve(Connection *conn, bool readable, TimestampTz now) {
	if (readable && conn->length < kRequestCapacity) {
		ssize_t got = recv(conn->fd, conn->buffer + conn->length, kRequestCapacity - conn->length, 0);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			closesocket(conn->fd);
			conn->fd = PGINVALID_SOCKET;
			return;
		}
		if (got > 0)
			conn->length += static_cast<std::size_t>(got);
	}
	readscale::http::NodeState node;
	read_node_state(&node);
	static char response[kResponseCapacity];
	std::size_t length = build_response(conn, now >= conn->deadline, &node, response);
	if (length > 0)
		send_and_close(conn, response, length);
}

/* C-shaped: accepts every pending connection; beyond the cap, answers 503 at once. */
void
accept_all(pgsocket listener, TimestampTz now) {
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n";
	while (true) {
		pgsocket fd = accept(listener, nullptr, nullptr);
		if (fd == PGINVALID_SOCKET)
			return;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		Connection *slot = nullptr;
		for (Connection &c : connections)
			if (c.fd == PGINVALID_SOCKET && slot == nullptr)
				slot = &c;
		if (slot == nullptr) {
			Connection overflow{fd, 0, 0, {}};
			send_and_close(&overflow, busy, sizeof busy - 1);
			continue;
		}
		slot->fd = fd;
		slot->length = 0;
		slot->deadline = TimestampTzPlusMilliseconds(now, kReadTimeoutMs);
	}
}

/* C-shaped: a non-blocking listening socket, or throws 53000 with the reason. */
pgsocket
open_listener() {
	auto address = readscale::http::parse_listen_address(http_listen).take();
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(address.port);
	inet_pton(AF_INET, address.host.c_str(), &sa.sin_addr);
	pgsocket fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	if (fd == PGINVALID_SOCKET || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0 || listen(fd, 64) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
		throw readscale::Error(readscale::sqlstate::kInsufficientResources,
		                       "could not listen on \"" + std::string(http_listen) + "\": " + std::strerror(errno),
		                       {}, "Choose a free address in \"readscale.http_listen\".");
	return fd;
}

void
worker_loop() {
	pgsocket listener = open_listener();
	for (Connection &c : connections)
		c.fd = PGINVALID_SOCKET;
	WaitEvent events[kMaxConnections + 3];
	while (true) {
		WaitEventSet *set = CreateWaitEventSet(CurrentMemoryContext, kMaxConnections + 3);
		AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
		AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
		AddWaitEventToSet(set, WL_SOCKET_READABLE, listener, nullptr, nullptr);
		for (Connection &c : connections)
			if (c.fd != PGINVALID_SOCKET)
				AddWaitEventToSet(set, WL_SOCKET_READABLE, c.fd, nullptr, &c);
		int count = WaitEventSetWait(set, 200, events, kMaxConnections + 3, PG_WAIT_EXTENSION);
		FreeWaitEventSet(set);
		TimestampTz now = GetCurrentTimestamp();
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		for (int i = 0; i < count; i++) {
			if (events[i].fd == listener && (events[i].events & WL_SOCKET_READABLE))
				accept_all(listener, now);
			else if (events[i].user_data != nullptr && (events[i].events & WL_SOCKET_READABLE))
				serve(static_cast<Connection *>(events[i].user_data), true, now);
		}
		for (Connection &c : connections)
			if (c.fd != PGINVALID_SOCKET && now >= c.deadline)
				serve(&c, false, now);
	}
}

} // namespace

void
readscale_health_worker_main(Datum) {
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	readscale::pg::guarded([]() { worker_loop(); });
}

/* Called from _PG_init inside its guard; plain locals only (Define/Register may ERROR). */
void
readscale_register_health_worker() {
	/* PostgreSQL ends the session (FATAL) if a PGC_POSTMASTER variable is defined after startup. */
	if (!process_shared_preload_libraries_in_progress)
		return;
	DefineCustomStringVariable("readscale.http_listen", "Sets the address of the HTTP health endpoint.",
	                           "A port (on 127.0.0.1) or an IPv4 address and port; empty disables the endpoint. "
	                           "Needs pg_readscale in shared_preload_libraries.",
	                           &http_listen, "", PGC_POSTMASTER, 0, check_http_listen, nullptr, nullptr);
	if (http_listen == nullptr || http_listen[0] == '\0')
		return;
	BackgroundWorker worker{};
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = 10;
	std::snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_readscale");
	std::snprintf(worker.bgw_function_name, BGW_MAXLEN, "readscale_health_worker_main");
	std::snprintf(worker.bgw_name, BGW_MAXLEN, "pg_readscale health endpoint");
	std::snprintf(worker.bgw_type, BGW_MAXLEN, "pg_readscale health endpoint");
	RegisterBackgroundWorker(&worker);
}
