/*
 * boundary_probe.cpp: functions that fail on purpose beneath live C++ objects
 * whose destructors count themselves, so sql/boundary.sql can show that each
 * failure arrives as a clean ERROR with its SQLSTATE, that the destructors
 * ran, and that the backend lives on.
 */
#include "common/error.hpp"

#include "bridge/guard.hpp"
#include "bridge/pg_call.hpp"
#include "bridge/postgres.hpp"

#include <stdexcept>

extern "C" {
PG_MODULE_MAGIC;
}

namespace {

std::int64_t destructor_runs = 0;

/* An object with a non-trivial destructor that PostgreSQL's longjmp would skip. */
struct Counted {
	std::string payload = std::string(64, 'x'); /* heap memory ASan would see leak */
	~Counted() {
		++destructor_runs;
	}
};

struct NotAStdException {
	int code;
};

/* C-shaped: may ERROR (detoasting, palloc), so it runs before any Counted exists. */
const char *
text_arg(FunctionCallInfo fcinfo, int n) {
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

Datum
parse_int4(const char *input) {
	return DirectFunctionCall1(int4in, CStringGetDatum(input));
}

} // namespace

READSCALE_SQL_FUNCTION(boundary_probe_throw_error) {
	const char *sqlstate = text_arg(fcinfo, 0);
	const char *message = text_arg(fcinfo, 1);
	const char *detail = text_arg(fcinfo, 2);
	const char *hint = text_arg(fcinfo, 3);
	Counted outer;
	std::vector<Counted> inner(2);
	throw readscale::Error(sqlstate, message, detail, hint);
}

READSCALE_SQL_FUNCTION(boundary_probe_throw_bad_alloc) {
	(void)fcinfo;
	Counted outer;
	throw std::bad_alloc();
}

READSCALE_SQL_FUNCTION(boundary_probe_throw_std_exception) {
	(void)fcinfo;
	Counted outer;
	throw std::runtime_error("probe failure");
}

READSCALE_SQL_FUNCTION(boundary_probe_throw_non_std) {
	(void)fcinfo;
	Counted outer;
	throw NotAStdException {42};
}

/* A PostgreSQL ERROR raised beneath C++ frames: pg::call turns it into PgError, the guard re-throws it. */
READSCALE_SQL_FUNCTION(boundary_probe_pg_error_under_cpp) {
	const char *raw_input = text_arg(fcinfo, 0);
	Counted outer;
	std::string input = raw_input;
	Datum parsed = readscale::pg::call(parse_int4, input.c_str());
	PG_RETURN_DATUM(parsed);
}

READSCALE_SQL_FUNCTION(boundary_probe_warn_no_throw) {
	(void)fcinfo;
	readscale::pg::guarded_no_throw(WARNING, []() {
		Counted outer;
		throw readscale::Error("55000", "probe callback failed", "Callbacks that must not fail log instead.");
	});
	PG_RETURN_VOID();
}

READSCALE_SQL_FUNCTION(boundary_probe_destructor_count) {
	(void)fcinfo;
	PG_RETURN_INT64(destructor_runs);
}
