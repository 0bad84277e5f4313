// rw_latency: read-your-writes end to end on a local primary + standby.
// For each strategy: commit a row on the primary, then read it on the standby
// so that the read must see it; report p50/p95/p99 latency from commit to a
// read that saw the row, the standby round trips and statements per read, the
// CPU of the standby (all processes) and of the reading backend alone, and how
// often that backend woke up per read. Every strategy runs with the simple
// protocol and again with prepared statements ("prep": Bind/Execute only, the
// server-side waits pipelined in one round trip), each compared with the polling
// of its own protocol.
//
// usage: rw_latency PRIMARY_CONNINFO STANDBY_CONNINFO ITERATIONS STANDBY_POSTMASTER_PID
#include <libpq-fe.h>

#include "proc_usage.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// A statement of a pipeline: SQL text without parameters, or the name of a prepared
// statement and its one parameter.
struct Step {
	const char *text;
	std::string parameter;
};

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
	// One prepared statement with one text parameter, extended protocol (Bind/Execute only).
	std::string prepared(const char *name, const std::string &parameter) {
		const char *values[] = {parameter.c_str()};
		return take(PQexecPrepared(conn, name, 1, values, nullptr, nullptr, 0), name);
	}
	// Several statements in one round trip in libpq's pipeline mode, one Sync at the
	// end; a step without a parameter is sent as it is (Parse/Bind/Execute, unnamed).
	// Returns the last row's value of the last result with rows.
	std::string pipeline(const std::vector<Step> &steps) {
		PQenterPipelineMode(conn);
		for (const Step &step : steps) {
			const char *values[] = {step.parameter.c_str()};
			int sent = step.parameter.empty() ? PQsendQueryParams(conn, step.text, 0, nullptr, nullptr, nullptr, nullptr, 0)
			                                  : PQsendQueryPrepared(conn, step.text, 1, values, nullptr, nullptr, 0);
			if (!sent)
				fail("pipeline send", PQerrorMessage(conn));
		}
		PQpipelineSync(conn);
		std::string text;
		for (size_t k = 0; k < steps.size(); k++) {
			text = take_rows(PQgetResult(conn), steps[k].text, text);
			if (PQgetResult(conn) != nullptr) // each query's results end with a null
				fail(steps[k].text, "more than one result");
		}
		PGresult *sync = PQgetResult(conn);
		if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
			fail("pipeline", "no sync");
		PQclear(sync);
		PQexitPipelineMode(conn);
		return text;
	}
	static void fail(const char *what, const char *message) {
		std::fprintf(stderr, "%s: %s\n", what, message);
		std::exit(2);
	}
	// The first value of a result (a previous value when it has no rows); fails on an error.
	static std::string take_rows(PGresult *result, const char *what, std::string text) {
		ExecStatusType status = PQresultStatus(result);
		if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
			fail(what, PQresultErrorMessage(result));
		if (status == PGRES_TUPLES_OK && PQntuples(result) > 0)
			text = PQgetvalue(result, 0, 0);
		PQclear(result);
		return text;
	}
	std::string take(PGresult *result, const char *what) { return take_rows(result, what, ""); }
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

enum class Kind { Poll, WaitForLsn, Gate, CoreWait, FloorOne, FloorPoll, FloorPair, FloorPairIdle };

struct Strategy {
	const char *name;
	Kind kind;
	int poll_interval_us; // Poll only; 0: tight loop
	// Statements prepared once and run with Bind/Execute (extended protocol); the
	// server-side waits then send their statements in one pipeline (one round trip).
	bool prepared;
};

// The prepared statements of the "prep" strategies, on the standby connection.
void
prepare_statements(Connection &standby) {
	const char *statements[][2] = {{"poll", "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn"},
	                               {"read", "SELECT count(*) FROM rw_bench WHERE id = $1::int"},
	                               {"wait", "SELECT readscale.wait_for_lsn($1::pg_lsn, '10s')"}};
	for (const auto &statement : statements)
		standby.take(PQprepare(standby.conn, statement[0], statement[1], 1, nullptr), statement[0]);
}

struct Sample {
	double latency_ms;
	int trips;      // client round trips to the standby
	int statements; // statements the standby ran
};

// The floors read a row that is already visible (no wait), with the same
// statements as one read: they show what a read costs when nothing sleeps in
// the server. The idle floor first leaves the backend idle for 20 ms (outside
// the timed part), as long as a wait would: what the same statements cost on a
// process whose caches went cold while it slept.
Sample
read_after_write(Connection &primary, Connection &standby, const Strategy &strategy, int id) {
	primary.value("INSERT INTO rw_bench VALUES (" + std::to_string(id) + ") RETURNING id");
	std::string token = primary.value("SELECT readscale.current_token()");
	if (strategy.kind == Kind::FloorPairIdle)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	auto start = Clock::now();
	Sample sample{0, 1, 0};
	std::string key = std::to_string(id);
	std::string check = "SELECT count(*) FROM rw_bench WHERE id = " + key;
	std::string visible = "SELECT count(*) FROM rw_bench WHERE id = 0";
	bool prep = strategy.prepared;
	std::string got;
	switch (strategy.kind) {
	case Kind::WaitForLsn:
		// The count runs as its own statement: a statement's snapshot is taken before it starts.
		sample.statements = 2;
		got = prep ? standby.pipeline({{"wait", token}, {"read", key}})
		           : standby.multi("SELECT readscale.wait_for_lsn('" + token + "', '10s'); " + check);
		break;
	case Kind::CoreWait: // PostgreSQL 19's WAIT FOR LSN (a utility statement: simple protocol only)
		sample.statements = 2;
		got = standby.multi("WAIT FOR LSN '" + token + "' WITH (TIMEOUT '10s'); " + check);
		break;
	case Kind::Gate: {
		sample.statements = 4;
		// SET takes no parameters: the pipelined gate sends it with the token as a literal.
		std::string set = "SET LOCAL readscale.min_lsn = '" + token + "'";
		got = prep ? standby.pipeline({{"BEGIN", ""}, {set.c_str(), ""}, {"read", key}, {"COMMIT", ""}})
		           : standby.multi("BEGIN; " + set + "; " + check + "; COMMIT");
		break;
	}
	case Kind::FloorOne:
		sample.statements = 1;
		got = prep ? standby.prepared("read", "0") : standby.multi(visible);
		break;
	case Kind::FloorPoll: // one poll of a reached position, then the read
		sample.statements = 2;
		sample.trips = 2;
		got = prep ? standby.prepared("poll", "0/1") : standby.value("SELECT pg_last_wal_replay_lsn() >= '0/1'");
		got = got == "t" ? (prep ? standby.prepared("read", "0") : standby.value(visible)) : got;
		break;
	case Kind::FloorPair:
	case Kind::FloorPairIdle:
		sample.statements = 2;
		got = prep ? standby.pipeline({{"wait", "0/1"}, {"read", "0"}})
		           : standby.multi("SELECT readscale.wait_for_lsn('0/1', '10s'); " + visible);
		break;
	case Kind::Poll:
		sample.trips = 0;
		for (;;) {
			sample.trips++;
			std::string reached = prep ? standby.prepared("poll", token)
			                           : standby.value("SELECT pg_last_wal_replay_lsn() >= '" + token + "'");
			if (reached == "t")
				break;
			if (strategy.poll_interval_us > 0)
				std::this_thread::sleep_for(std::chrono::microseconds(strategy.poll_interval_us));
		}
		sample.trips++;
		sample.statements = sample.trips;
		got = prep ? standby.prepared("read", key) : standby.value(check);
		break;
	}
	if (got != "1")
		std::abort();
	sample.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
	return sample;
}

struct Totals {
	std::vector<double> latencies;
	double trips = 0, statements = 0, reader_ms = 0, wakes = 0, standby_ms = 0;
	void add(const Sample &sample, double cpu_ms, long wakeups) {
		latencies.push_back(sample.latency_ms);
		trips += sample.trips;
		statements += sample.statements;
		reader_ms += cpu_ms;
		wakes += static_cast<double>(wakeups);
	}
};

double
percentile(std::vector<double> values, double p) {
	std::sort(values.begin(), values.end());
	return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1))];
}

// True when name is one of the comma-separated names in list.
bool
named_in(const char *list, const char *name) {
	std::string names = std::string(",") + list + ",";
	return names.find(std::string(",") + name + ",") != std::string::npos;
}

} // namespace

int
main(int argc, char **argv) {
	if (argc != 5) {
		std::fprintf(stderr, "usage: %s PRIMARY_CONNINFO STANDBY_CONNINFO ITERATIONS STANDBY_POSTMASTER_PID\n", argv[0]);
		return 2;
	}
	Connection primary(argv[1]);
	int iterations = std::atoi(argv[3]);
	long standby_pid = std::atol(argv[4]);
	primary.value("DROP TABLE IF EXISTS rw_bench; CREATE TABLE rw_bench (id int PRIMARY KEY); "
	              "INSERT INTO rw_bench VALUES (0); SELECT 1");
	// Row 0, read by the floors, visible on the standby; polled on a connection of its
	// own, so that the reading backend's work does not depend on how long that takes.
	{
		Connection probe(argv[2]);
		for (int tries = 0;; tries++) {
			PGresult *result = PQexec(probe.conn, "SELECT count(*) FROM rw_bench WHERE id = 0");
			bool seen = PQresultStatus(result) == PGRES_TUPLES_OK && std::strcmp(PQgetvalue(result, 0, 0), "1") == 0;
			PQclear(result);
			if (seen)
				break;
			if (tries == 10000) {
				std::fprintf(stderr, "the standby never replayed the table\n");
				return 2;
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
		}
	}
	Connection standby(argv[2]);
	const Strategy strategies[] = {{"floor: 1 stmt", Kind::FloorOne, 0, false},
	                               {"floor: poll+read", Kind::FloorPoll, 0, false},
	                               {"floor: wait+read", Kind::FloorPair, 0, false},
	                               {"floor: idle 20ms", Kind::FloorPairIdle, 0, false},
	                               {"poll tight", Kind::Poll, 0, false},
	                               {"poll 1ms", Kind::Poll, 1000, false},
	                               {"poll 5ms", Kind::Poll, 5000, false},
	                               {"poll 10ms", Kind::Poll, 10000, false},
	                               {"wait_for_lsn", Kind::WaitForLsn, 0, false},
	                               {"SET LOCAL gate", Kind::Gate, 0, false},
	                               {"prep floor: 1", Kind::FloorOne, 0, true},
	                               {"prep floor: poll", Kind::FloorPoll, 0, true},
	                               {"prep floor: wait", Kind::FloorPair, 0, true},
	                               {"prep floor: idle", Kind::FloorPairIdle, 0, true},
	                               {"prep poll tight", Kind::Poll, 0, true},
	                               {"prep poll 1ms", Kind::Poll, 1000, true},
	                               {"prep wait pipe", Kind::WaitForLsn, 0, true},
	                               {"prep gate pipe", Kind::Gate, 0, true},
	                               {"WAIT FOR LSN", Kind::CoreWait, 0, false}};
	prepare_statements(standby);
	long reader_pid = std::atol(standby.value("SELECT pg_backend_pid()").c_str());
	// RW_ONLY: strategies by name, separated by commas, e.g. for callgrind. Unset: all but
	// "WAIT FOR LSN", which needs PostgreSQL 19.
	const char *only = std::getenv("RW_ONLY");
	const char *mode = std::getenv("RW_MODE");  // "blocks": each strategy's reads in one block
	bool blocks = mode != nullptr && std::strcmp(mode, "blocks") == 0;
	std::fprintf(stderr, "reading backend pid %ld\n", reader_pid);
	std::vector<const Strategy *> chosen;
	for (const auto &strategy : strategies)
		if (only == nullptr ? strategy.kind != Kind::CoreWait : named_in(only, strategy.name))
			chosen.push_back(&strategy);
	std::vector<Totals> totals(chosen.size());
	int id = 0;
	// Interleaved (default): read i of every strategy runs before read i + 1 of any, so
	// the noise of a shared machine falls on all strategies alike. The standby-wide CPU
	// is then only measured in blocks mode.
	for (size_t block = 0; block < (blocks ? chosen.size() : 1); block++) {
		double cpu_before = blocks ? cluster_cpu_ms(standby_pid) : 0;
		for (int i = 0; i < iterations; i++)
			for (size_t k = 0; k < chosen.size(); k++) {
				if (blocks && k != block)
					continue;
				ProcessUsage before = process_usage(reader_pid);
				Sample sample = read_after_write(primary, standby, *chosen[k], ++id);
				ProcessUsage after = process_usage(reader_pid);
				totals[k].add(sample, after.cpu_ms - before.cpu_ms, after.wakeups - before.wakeups);
			}
		if (blocks)
			totals[block].standby_ms = cluster_cpu_ms(standby_pid) - cpu_before;
	}
	double tight_p99[2] = {0, 0}; // per protocol: simple, prepared
	for (size_t k = 0; k < chosen.size(); k++)
		if (chosen[k]->kind == Kind::Poll && chosen[k]->poll_interval_us == 0)
			tight_p99[chosen[k]->prepared] = percentile(totals[k].latencies, 0.99);
	std::printf("%-16s %8s %8s %8s %8s %10s %12s %12s %10s %s\n", "strategy", "p50 ms", "p95 ms", "p99 ms", "stmts",
	            "trips/read", "standby s/1k", "reader s/1k", "wakes/read", "p99 vs tight poll (same protocol)");
	for (size_t k = 0; k < chosen.size(); k++) {
		const Totals &t = totals[k];
		double p99 = percentile(t.latencies, 0.99);
		char standby_column[32] = "-"; // ms per read == s per 1,000 reads
		if (blocks)
			std::snprintf(standby_column, sizeof(standby_column), "%.3f", t.standby_ms / iterations);
		std::printf("%-16s %8.3f %8.3f %8.3f %8.2f %10.2f %12s %12.3f %10.2f %+.3f ms\n", chosen[k]->name,
		            percentile(t.latencies, 0.50), percentile(t.latencies, 0.95), p99, t.statements / iterations,
		            t.trips / iterations, standby_column, t.reader_ms / iterations, t.wakes / iterations,
		            p99 - tight_p99[chosen[k]->prepared]);
	}
	return 0;
}
