// last_commit_token: shows that readscale.last_commit_lsn reaches the client in
// the ParameterStatus message that comes with a commit's response, with no
// second query. Prints "<before>|<after>|<server flush LSN queried afterwards>".
// usage: last_commit_token CONNINFO
#include <libpq-fe.h>

#include <cstdio>
#include <string>

namespace {

std::string
parameter(PGconn *conn) {
	const char *value = PQparameterStatus(conn, "readscale.last_commit_lsn");
	return value != nullptr ? value : "(not reported)";
}

bool
run(PGconn *conn, const char *sql) {
	PGresult *result = PQexec(conn, sql);
	bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
	if (!ok)
		std::fprintf(stderr, "%s: %s", sql, PQerrorMessage(conn));
	PQclear(result);
	return ok;
}

} // namespace

int
main(int argc, char **argv) {
	if (argc != 2)
		return 2;
	PGconn *conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK) {
		std::fprintf(stderr, "%s", PQerrorMessage(conn));
		return 2;
	}
	std::string before = parameter(conn); // as reported at connection start
	if (!run(conn, "CREATE TABLE IF NOT EXISTS token_probe (id int)") ||
	    !run(conn, "INSERT INTO token_probe VALUES (1)"))
		return 1;
	std::string after = parameter(conn); // read before sending anything else
	PGresult *result = PQexec(conn, "SELECT readscale.current_token() >= "
	                                "current_setting('readscale.last_commit_lsn')::pg_lsn");
	std::string covered = PQresultStatus(result) == PGRES_TUPLES_OK ? PQgetvalue(result, 0, 0) : "error";
	PQclear(result);
	std::printf("%s|%s|%s\n", before.c_str(), after.c_str(), covered.c_str());
	PQfinish(conn);
	return 0;
}
