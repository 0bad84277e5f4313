// many_waiters: what N concurrent waits cost a hot standby.
//
// A writer commits a row on the primary every 10 ms throughout, so replay
// never stops. Over fixed windows the harness sums the CPU of the standby
// postmaster and all its children (schedstat, nanoseconds) and prints each
// window's share of one core:
//   idle      N sessions connected, doing nothing (the baseline)
//   waiting   N sessions in wait_for_lsn on a target no window reaches
//   released  N sessions in wait_for_lsn on targets spread over the window's
//             WAL, so replay releases them one by one (wake-ups + results)
//   polling   P sessions each polling pg_last_wal_replay_lsn() every 1 ms
//             (the client-side pattern), never reached
// Waits that never return are ended with pg_cancel_backend after their window.
//
// usage: many_waiters PRIMARY STANDBY STANDBY_POSTMASTER_PID WAITERS SECONDS POLLERS
#include <libpq-fe.h>

#include "proc_usage.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

void
fail(const char *what, PGconn *conn) {
	std::fprintf(stderr, "%s: %s", what, PQerrorMessage(conn));
	std::exit(2);
}

PGconn *
connect(const char *conninfo) {
	PGconn *conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		fail("connect", conn);
	return conn;
}

std::string
value(PGconn *conn, const std::string &sql) {
	PGresult *result = PQexec(conn, sql.c_str());
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		fail(sql.c_str(), conn);
	std::string text = PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
	PQclear(result);
	return text;
}

unsigned long long
parse_lsn(const std::string &text) {
	unsigned hi = 0, lo = 0;
	std::sscanf(text.c_str(), "%X/%X", &hi, &lo);
	return (static_cast<unsigned long long>(hi) << 32) | lo;
}

std::string
format_lsn(unsigned long long lsn) {
	char buffer[32];
	std::snprintf(buffer, sizeof(buffer), "%X/%X", static_cast<unsigned>(lsn >> 32), static_cast<unsigned>(lsn));
	return buffer;
}

struct Window {
	const char *name;
	double cpu_ms;
	double seconds;
};

// Measures the standby's CPU over `seconds`.
Window
measure(const char *name, long postmaster_pid, int seconds) {
	double before = cluster_cpu_ms(postmaster_pid);
	auto start = std::chrono::steady_clock::now();
	std::this_thread::sleep_for(std::chrono::seconds(seconds));
	double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	return {name, cluster_cpu_ms(postmaster_pid) - before, elapsed};
}

// Sends one wait per session without reading the answer.
void
send_waits(std::vector<PGconn *> &sessions, const std::vector<std::string> &targets) {
	for (size_t i = 0; i < sessions.size(); i++) {
		std::string sql = "SELECT readscale.wait_for_lsn('" + targets[i] + "', '1h', 'return')";
		if (!PQsendQuery(sessions[i], sql.c_str()))
			fail("send", sessions[i]);
	}
}

// Reads every session's answer; returns how many waits succeeded.
int
collect(std::vector<PGconn *> &sessions) {
	int succeeded = 0;
	for (PGconn *conn : sessions)
		while (PGresult *result = PQgetResult(conn)) {
			if (PQresultStatus(result) == PGRES_TUPLES_OK && std::strcmp(PQgetvalue(result, 0, 0), "success") == 0)
				succeeded++;
			PQclear(result);
		}
	return succeeded;
}

// Waits until `count` sessions are inside a wait (wait event of an extension).
void
await_waiting(PGconn *admin, size_t count) {
	for (int tries = 0; tries < 600; tries++) {
		std::string n = value(admin, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Extension' "
		                             "AND query LIKE '%wait_for_lsn%'");
		if (std::stoul(n) >= count)
			return;
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	std::fprintf(stderr, "the waits did not all start\n");
	std::exit(2);
}

void
cancel_waits(PGconn *admin) {
	value(admin, "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
	             "AND query LIKE '%wait_for_lsn%' AND state = 'active'");
}

} // namespace

int
main(int argc, char **argv) {
	if (argc != 7) {
		std::fprintf(stderr, "usage: %s PRIMARY STANDBY STANDBY_POSTMASTER_PID WAITERS SECONDS POLLERS\n", argv[0]);
		return 2;
	}
	const char *standby_info = argv[2];
	long postmaster_pid = std::atol(argv[3]);
	int waiters = std::atoi(argv[4]);
	int seconds = std::atoi(argv[5]);
	int pollers = std::atoi(argv[6]);

	PGconn *writer = connect(argv[1]);
	value(writer, "DROP TABLE IF EXISTS mw_bench; CREATE TABLE mw_bench (id int); SELECT 1");
	std::atomic<bool> stop{false};
	std::thread writing([&]() {
		for (int id = 0; !stop; id++) {
			value(writer, "INSERT INTO mw_bench VALUES (" + std::to_string(id) + ") RETURNING id");
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
	});
	PGconn *admin = connect(standby_info);
	std::vector<PGconn *> sessions;
	for (int i = 0; i < waiters; i++)
		sessions.push_back(connect(standby_info));
	std::this_thread::sleep_for(std::chrono::seconds(2)); // let the new backends settle

	std::vector<Window> windows;
	windows.push_back(measure("idle", postmaster_pid, seconds));

	// Never reached within the window: 1 TB ahead.
	unsigned long long replayed = parse_lsn(value(admin, "SELECT pg_last_wal_replay_lsn()"));
	std::vector<std::string> far(sessions.size(), format_lsn(replayed + (1ULL << 40)));
	send_waits(sessions, far);
	await_waiting(admin, sessions.size());
	windows.push_back(measure("waiting", postmaster_pid, seconds));
	cancel_waits(admin);
	collect(sessions);

	// WAL rate of the stream, then targets spread over the next window.
	unsigned long long a = parse_lsn(value(admin, "SELECT pg_last_wal_replay_lsn()"));
	std::this_thread::sleep_for(std::chrono::seconds(2));
	unsigned long long b = parse_lsn(value(admin, "SELECT pg_last_wal_replay_lsn()"));
	double bytes_per_s = static_cast<double>(b - a) / 2.0;
	std::vector<std::string> spread;
	for (size_t i = 0; i < sessions.size(); i++)
		spread.push_back(format_lsn(b + static_cast<unsigned long long>(bytes_per_s * seconds * 0.9 *
		                                                                 static_cast<double>(i + 1) /
		                                                                 static_cast<double>(sessions.size()))));
	send_waits(sessions, spread);
	windows.push_back(measure("released", postmaster_pid, seconds));
	cancel_waits(admin);
	int released = collect(sessions);

	std::vector<PGconn *> polling;
	for (int i = 0; i < pollers; i++)
		polling.push_back(connect(standby_info));
	std::string unreached = format_lsn(parse_lsn(value(admin, "SELECT pg_last_wal_replay_lsn()")) + (1ULL << 40));
	std::atomic<bool> stop_polling{false};
	std::vector<std::thread> threads;
	for (PGconn *conn : polling)
		threads.emplace_back([&, conn]() {
			while (!stop_polling) {
				value(conn, "SELECT pg_last_wal_replay_lsn() >= '" + unreached + "'");
				std::this_thread::sleep_for(std::chrono::milliseconds(1));
			}
		});
	std::this_thread::sleep_for(std::chrono::seconds(1));
	windows.push_back(measure("polling", postmaster_pid, seconds));
	stop_polling = true;
	for (auto &thread : threads)
		thread.join();

	stop = true;
	writing.join();
	double idle_share = windows[0].cpu_ms / (windows[0].seconds * 1000.0);
	std::printf("%-9s %8s %14s %16s %s\n", "window", "sessions", "standby CPU %", "minus idle %", "per session");
	for (const Window &w : windows) {
		double share = w.cpu_ms / (w.seconds * 1000.0);
		int count = std::strcmp(w.name, "polling") == 0 ? pollers : waiters;
		double extra = share - idle_share;
		std::printf("%-9s %8d %13.2f%% %15.2f%% %.4f%% of a core\n", w.name, count, 100.0 * share, 100.0 * extra,
		            100.0 * extra / count);
	}
	double released_extra_ms = windows[2].cpu_ms - idle_share * windows[2].seconds * 1000.0;
	std::printf("released window: %d of %d waits reached their target (WAL stream %.0f bytes/s), %.3f ms standby CPU "
	            "per released wait (statement, wait, wake-up and result)\n",
	            released, waiters, bytes_per_s, released_extra_ms / std::max(released, 1));
	for (PGconn *conn : sessions)
		PQfinish(conn);
	for (PGconn *conn : polling)
		PQfinish(conn);
	PQfinish(admin);
	PQfinish(writer);
	return 0;
}
