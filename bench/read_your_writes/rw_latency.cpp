// rw_latency: read-your-writes end to end on a local primary + standby.
// For each strategy: commit a row on the primary, then read it on the standby
// so that the read must see it; report p50/p95/p99 latency from commit to a
// read that saw the row, and the number of standby queries per read.
//
// usage: rw_latency PRIMARY_CONNINFO STANDBY_CONNINFO ITERATIONS
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
	PGconn *conn;
	explicit Connection(const char *conninfo) : conn(PQconnectdb(conninfo)) {
		if (PQstatus(conn) != CONNECTION_OK) {
			std::fprintf(stderr, "connect: %s", PQerrorMessage(conn));
			std::exit(2);
		}
	}
	~Connection() { PQfinish(conn); }
	// Sends several statements in one round trip; returns the last row's value of the last result with rows.
	std::string multi(const std::string &sql) {
		if (!PQsendQuery(conn, sql.c_str())) {
			std::fprintf(stderr, "send: %s", PQerrorMessage(conn));
			std::exit(2);
		}
		std::string text;
		while (PGresult *result = PQgetResult(conn)) {
			if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0)
				text = PQgetvalue(result, 0, 0);
			else if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
				std::fprintf(stderr, "%s: %s", sql.c_str(), PQresultErrorMessage(result));
				std::exit(2);
			}
			PQclear(result);
		}
		return text;
	}
	std::string value(const std::string &sql) {
		PGresult *result = PQexec(conn, sql.c_str());
		if (PQresultStatus(result) != PGRES_TUPLES_OK) {
			std::fprintf(stderr, "%s: %s", sql.c_str(), PQerrorMessage(conn));
			std::exit(2);
		}
		std::string text = PQntuples(result) > 0 ? PQgetvalue(result, 0, PQnfields(result) - 1) : "";
		PQclear(result);
		return text;
	}
};

struct Strategy {
	const char *name;
	int poll_interval_us; // -1: server-side wait, -2: gate
};

struct Sample {
	double latency_ms;
	int queries;
};

Sample
read_after_write(Connection &primary, Connection &standby, const Strategy &strategy, int id) {
	primary.value("INSERT INTO rw_bench VALUES (" + std::to_string(id) + ") RETURNING id");
	std::string token = primary.value("SELECT readscale.current_token()");
	auto start = Clock::now();
	int queries = 0;
	std::string check = "SELECT count(*) FROM rw_bench WHERE id = " + std::to_string(id);
	if (strategy.poll_interval_us == -1) {
		// The count runs as its own statement: a statement's snapshot is taken before it starts.
		queries = 1;
		if (standby.multi("SELECT readscale.wait_for_lsn('" + token + "', '10s'); " + check) != "1")
			std::abort();
	} else if (strategy.poll_interval_us == -2) {
		queries = 1;
		if (standby.multi("BEGIN; SET LOCAL readscale.min_lsn = '" + token + "'; " + check + "; COMMIT") != "1")
			std::abort();
	} else {
		for (;;) {
			queries++;
			if (standby.value("SELECT pg_last_wal_replay_lsn() >= '" + token + "'") == "t")
				break;
			if (strategy.poll_interval_us > 0)
				std::this_thread::sleep_for(std::chrono::microseconds(strategy.poll_interval_us));
		}
		queries++;
		if (standby.value(check) != "1")
			std::abort();
	}
	double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
	return {ms, queries};
}

// CPU ticks used so far by one process.
long
process_cpu_ticks(long pid) {
	std::string path = "/proc/" + std::to_string(pid) + "/stat";
	FILE *file = std::fopen(path.c_str(), "r");
	if (file == nullptr)
		return 0;
	char buffer[1024];
	size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, file);
	std::fclose(file);
	buffer[n] = '\0';
	const char *after_name = std::strrchr(buffer, ')');
	long utime = 0, stime = 0;
	if (after_name == nullptr ||
	    std::sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime) != 2)
		return 0;
	return utime + stime;
}

// CPU ticks used so far by the standby postmaster and all its children (same machine).
long
standby_cpu_ticks(long postmaster_pid) {
	long total = 0;
	for (int pid = 1; pid < 4194304; pid++) {
		std::string path = "/proc/" + std::to_string(pid) + "/stat";
		FILE *file = std::fopen(path.c_str(), "r");
		if (file == nullptr)
			continue;
		char buffer[1024];
		size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, file);
		std::fclose(file);
		buffer[n] = '\0';
		const char *after_name = std::strrchr(buffer, ')');
		if (after_name == nullptr)
			continue;
		char state;
		long ppid, fields[11];
		if (std::sscanf(after_name + 2, "%c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &state, &ppid, &fields[0],
		                &fields[1], &fields[2], &fields[3], &fields[4], &fields[5], &fields[6], &fields[7], &fields[8],
		                &fields[9], &fields[10]) != 13)
			continue;
		if (pid == postmaster_pid || ppid == postmaster_pid)
			total += fields[9] + fields[10]; // utime + stime
	}
	return total;
}

double
percentile(std::vector<double> values, double p) {
	std::sort(values.begin(), values.end());
	return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1))];
}

} // namespace

int
main(int argc, char **argv) {
	if (argc != 5) {
		std::fprintf(stderr, "usage: %s PRIMARY_CONNINFO STANDBY_CONNINFO ITERATIONS STANDBY_POSTMASTER_PID\n", argv[0]);
		return 2;
	}
	Connection primary(argv[1]);
	Connection standby(argv[2]);
	int iterations = std::atoi(argv[3]);
	long standby_pid = std::atol(argv[4]);
	double tick_ms = 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
	primary.value("DROP TABLE IF EXISTS rw_bench; CREATE TABLE rw_bench (id int PRIMARY KEY); SELECT 1");
	const Strategy strategies[] = {{"poll tight", 0},     {"poll 1ms", 1000}, {"poll 5ms", 5000},
	                               {"poll 10ms", 10000},  {"wait_for_lsn", -1}, {"SET LOCAL gate", -2}};
	long reader_pid = std::atol(standby.value("SELECT pg_backend_pid()").c_str());
	std::printf("%-16s %8s %8s %8s %12s %18s %18s %s\n", "strategy", "p50 ms", "p95 ms", "p99 ms", "trips/read",
	            "standby CPU s/1k", "reader CPU s/1k", "p99 vs tight poll");
	int id = 0;
	double tight_p99 = 0;
	for (const auto &strategy : strategies) {
		std::vector<double> latencies;
		long queries = 0;
		long cpu_before = standby_cpu_ticks(standby_pid);
		long reader_before = process_cpu_ticks(reader_pid);
		for (int i = 0; i < iterations; i++) {
			Sample sample = read_after_write(primary, standby, strategy, ++id);
			latencies.push_back(sample.latency_ms);
			queries += sample.queries;
		}
		double cpu_s_per_1k = static_cast<double>(standby_cpu_ticks(standby_pid) - cpu_before) * tick_ms / iterations;
		double reader_s_per_1k = static_cast<double>(process_cpu_ticks(reader_pid) - reader_before) * tick_ms / iterations;
		double p99 = percentile(latencies, 0.99);
		if (strategy.poll_interval_us == 0)
			tight_p99 = p99;
		std::printf("%-16s %8.3f %8.3f %8.3f %12.2f %18.3f %18.3f %+.3f ms\n", strategy.name,
		            percentile(latencies, 0.50), percentile(latencies, 0.95), p99,
		            static_cast<double>(queries) / iterations, cpu_s_per_1k, reader_s_per_1k, p99 - tight_p99);
	}
	return 0;
}
