/*
 * guard.hpp: THE boundary between C++ and PostgreSQL. Every address handed to
 * PostgreSQL (SQL functions, plugin callbacks, hooks, worker mains) is a
 * one-line extern "C" trampoline into guarded() or guarded_no_throw().
 *
 * Why: a C++ exception reaching PostgreSQL's C frames ends in std::terminate,
 * abort() and a postmaster crash-restart of every backend; an ereport(ERROR)
 * raised from inside a catch handler longjmps out of it, leaking the
 * exception and leaving the C++ runtime's handler stack corrupt.
 *
 * How: run_body() runs the body inside try. On an exception its handler only
 * copies the description into a trivially destructible Failure (no
 * allocation) or keeps the ErrorData pointer of a captured PostgreSQL error.
 * The handler closes, the exception object and every C++ object are gone, and
 * only then does report_failure() call ereport / ReThrowError. The guard's own
 * frames hold nothing but trivially destructible locals, so a PostgreSQL
 * ERROR raised by C-shaped glue below them may longjmp through them safely.
 */
#pragma once

#include "common/failure.hpp"

#include "bridge/pg_error.hpp"
#include "bridge/postgres.hpp"

namespace readscale::pg {

/* Converts "55R01" to PostgreSQL's packed representation. */
inline int
sqlstate_to_errcode(const char *code) noexcept {
	return MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
}

/* C-shaped: reports a failure captured by run_body. May longjmp; never returns at ERROR. */
inline void
report_failure(int elevel, const Failure *failure, ErrorData *pg_error) {
	if (pg_error != nullptr) {
		if (elevel >= ERROR)
			ReThrowError(pg_error);
		pg_error->elevel = elevel;
		ThrowErrorData(pg_error);
		return;
	}
	ereport(elevel, (errcode(sqlstate_to_errcode(failure->sqlstate)), errmsg_internal("%s", failure->message),
	                 failure->detail[0] ? errdetail_internal("%s", failure->detail) : 0,
	                 failure->hint[0] ? errhint("%s", failure->hint) : 0));
}

/* Runs body() (storing its result in *out unless Out is void); on a C++ exception fills *failure or *pg_error and
 * returns false. */
template <typename Out, typename Body>
bool
run_body(Body &body, [[maybe_unused]] Out *out, Failure *failure, ErrorData **pg_error) noexcept {
	try {
		if constexpr (std::is_void_v<Out>)
			body();
		else
			*out = body();
		return true;
	} catch (const PgError &e) {
		*pg_error = e.data();
	} catch (...) {
		describe_current_exception(failure);
	}
	return false;
}

/* For entry points that may raise ERROR: SQL functions, plugin callbacks, hooks. */
template <typename Body>
auto
guarded(Body body) -> decltype(body()) {
	static_assert(std::is_trivially_destructible_v<Body>,
	              "a guarded body may be longjmp'd over: capture only plain values");
	using Out = decltype(body());
	Failure failure;
	ErrorData *pg_error = nullptr;
	if constexpr (std::is_void_v<Out>) {
		if (run_body<void>(body, nullptr, &failure, &pg_error))
			return;
	} else {
		static_assert(std::is_trivially_destructible_v<Out>, "guarded bodies return PostgreSQL values");
		Out out {};
		if (run_body(body, &out, &failure, &pg_error))
			return out;
	}
	report_failure(ERROR, &failure, pg_error);
	pg_unreachable();
}

/*
 * For callbacks that must not fail (B3): invalidation, reset, exit and commit
 * callbacks. A failure is logged at elevel (WARNING or LOG), never raised.
 */
template <typename Body>
void
guarded_no_throw(int elevel, Body body) noexcept {
	static_assert(std::is_trivially_destructible_v<Body>,
	              "a guarded body may be longjmp'd over: capture only plain values");
	Failure failure;
	ErrorData *pg_error = nullptr;
	if (!run_body<void>(body, nullptr, &failure, &pg_error))
		report_failure(elevel, &failure, pg_error);
}

} // namespace readscale::pg

/*
 * Defines an exported, guarded SQL-callable function. The body that follows
 * is the C++ implementation; it receives fcinfo as usual.
 */
#define READSCALE_SQL_FUNCTION(name)                                                                                   \
	static Datum name##_impl(FunctionCallInfo fcinfo);                                                                 \
	extern "C" {                                                                                                       \
	PGDLLEXPORT Datum name(PG_FUNCTION_ARGS);                                                                          \
	PG_FUNCTION_INFO_V1(name);                                                                                         \
	}                                                                                                                  \
	Datum name(PG_FUNCTION_ARGS) {                                                                                     \
		return ::readscale::pg::guarded([fcinfo]() -> Datum { return name##_impl(fcinfo); });                          \
	}                                                                                                                  \
	static Datum name##_impl(FunctionCallInfo fcinfo)
