/*
 * health_worker.cpp: the opt-in HTTP health endpoint, a background worker
 * serving Patroni-style GET /health /primary /replica /read-only /metrics
 * /status on readscale.http_listen (a port on 127.0.0.1, IPv4:port or
 * [IPv6]:port). This file owns the listen address check, the listening
 * socket and the loop (the settings are gucs.cpp's); connections are
 * health_conns.cpp's, answers health_response.cpp's (which says why /metrics
 * runs SQL and the rest reads shared memory only).
 *
 * The worker connects to readscale.http_database for /metrics. That database
 * must exist (otherwise the worker exits FATAL and the postmaster retries every
 * bgw_restart_time), and DROP DATABASE of it needs WITH (FORCE) while the
 * endpoint runs, as with any session.
 *
 * Frames: the loop is C-shaped (plain locals). ERROR in a background worker is
 * promoted to FATAL and exits; the postmaster restarts the worker after
 * bgw_restart_time.
 */
#include "core/health_state.hpp"
#include "common/failure.hpp"
#include "common/sqlstate.hpp"

#include <cerrno>

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/gucs.hpp"
#include "glue/health_endpoint.hpp"
#include "glue/health_worker.hpp"
#include "glue/workers.hpp"

extern "C" PGDLLEXPORT void readscale_health_worker_main(Datum arg);

namespace {

constexpr long kWakeIntervalMs = 200; /* read deadlines are checked at least this often */
constexpr int kListenBacklog = 1024;  /* the kernel caps it at net.core.somaxconn */

using readscale::pg::http_database;
using readscale::pg::http_listen;

/* No PostgreSQL calls: validates a listen address, copying what to write instead (a full sentence) into detail. */
bool
listen_address_valid(const char *text, char *detail, std::size_t capacity) {
	auto parsed = readscale::http::parse_listen_address(text);
	if (!parsed.ok())
		readscale::copy_truncated(detail, capacity, parsed.error().hint().data(), parsed.error().hint().size());
	return parsed.ok();
}

/* No PostgreSQL calls: the socket address for http_listen, or false. */
bool
listen_sockaddr(sockaddr_storage *storage, socklen_t *length) {
	auto parsed = readscale::http::parse_listen_address(http_listen);
	if (!parsed.ok())
		return false;
	const readscale::http::ListenAddress &address = parsed.value();
	*storage = {};
	if (address.ipv6) {
		auto *sa = reinterpret_cast<sockaddr_in6 *>(storage);
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(address.port);
		*length = sizeof *sa;
		return inet_pton(AF_INET6, address.host.c_str(), &sa->sin6_addr) == 1;
	}
	auto *sa = reinterpret_cast<sockaddr_in *>(storage);
	sa->sin_family = AF_INET;
	sa->sin_port = htons(address.port);
	*length = sizeof *sa;
	return inet_pton(AF_INET, address.host.c_str(), &sa->sin_addr) == 1;
}

/* A non-blocking listening socket, or throws 53000 with the reason. */
pgsocket
open_listener() {
	sockaddr_storage sa;
	socklen_t length = 0;
	bool ok = listen_sockaddr(&sa, &length);
	pgsocket fd = ok ? socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0) : PGINVALID_SOCKET;
	int one = 1;
	if (fd == PGINVALID_SOCKET || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, reinterpret_cast<sockaddr *>(&sa), length) != 0 || listen(fd, kListenBacklog) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
		throw readscale::Error(readscale::sqlstate::kInsufficientResources,
		                       "could not listen on \"" + std::string(http_listen) + "\": " + std::strerror(errno), {},
		                       "Choose a free address in \"readscale.http_listen\".");
	return fd;
}

/* C-shaped: one persistent wait set (latch, postmaster, listener, the connections' epoll descriptor). */
WaitEventSet *
create_wait_set(pgsocket listener, int connections_fd) {
	WaitEventSet *set = CreateWaitEventSet(nullptr, 4);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
	AddWaitEventToSet(set, WL_SOCKET_READABLE, listener, nullptr, nullptr);
	AddWaitEventToSet(set, WL_SOCKET_READABLE, connections_fd, nullptr, nullptr);
	return set;
}

void
worker_loop(pgsocket listener) {
	namespace health = readscale::pg::health;
	int connections_fd = health::conns_init();
	if (connections_fd < 0)
		throw readscale::Error(readscale::sqlstate::kInsufficientResources,
		                       std::string("could not create an epoll descriptor: ") + std::strerror(errno));
	WaitEventSet *set = create_wait_set(listener, connections_fd);
	WaitEvent events[4];
	while (true) {
		int count = WaitEventSetWait(set, kWakeIntervalMs, events, 4, PG_WAIT_EXTENSION);
		TimestampTz now = GetCurrentTimestamp();
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		for (int i = 0; i < count; i++) {
			if (events[i].fd == listener)
				health::conns_accept(listener, now);
			else if (events[i].fd == connections_fd)
				health::conns_serve_ready(now);
		}
		health::conns_expire(now);
	}
}

} // namespace

void
readscale_health_worker_main(Datum) {
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(http_database, nullptr, 0);
	/* /metrics must not hold up /health behind a lock on lag_policy for long (health_response.cpp). */
	SetConfigOption("lock_timeout", "1000", PGC_SUSET, PGC_S_OVERRIDE);
	pgstat_report_appname("pg_readscale health endpoint");
	readscale::pg::guarded([]() { worker_loop(open_listener()); });
}

/* GUC check hook (B3: must not ERROR; reports through GUC_check_errdetail). */
bool
readscale::pg::check_http_listen(char **newval, void **, GucSource) {
	if (*newval == nullptr || (*newval)[0] == '\0')
		return true;
	char detail[256] = "";
	bool ok = false;
	guarded_no_throw(WARNING, [&]() { ok = listen_address_valid(*newval, detail, sizeof detail); });
	if (!ok)
		GUC_check_errdetail("%s", detail[0] ? detail : "Invalid listen address.");
	return ok;
}

/* Called from _PG_init inside its guard, after the settings exist; plain locals only (Register may ERROR). */
void
readscale::pg::register_health_worker() {
	if (!process_shared_preload_libraries_in_progress || http_listen == nullptr || http_listen[0] == '\0')
		return;
	register_database_worker("readscale_health_worker_main", "pg_readscale health endpoint");
}
