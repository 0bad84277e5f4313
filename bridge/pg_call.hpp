/*
 * pg_call.hpp: calling PostgreSQL from below C++ frames that own resources
 * (B4 b). pg::call runs fn in a PG_TRY whose frame has only trivial locals; on
 * ERROR it restores the memory context, copies and flushes the error, and
 * throws PgError so the C++ frames above unwind normally. guarded() then
 * re-throws the original error with its SQLSTATE, detail and hint (B5). Only
 * guarded_no_throw() reports it at a lower level instead: the one production
 * caller, the gate's commit callback, must not fail (B3) and logs a WARNING.
 * Costs a sigsetjmp: use it per SQL call or transaction, never per datum.
 */
#pragma once

#include "bridge/pg_error.hpp"
#include "bridge/postgres.hpp"

namespace readscale::pg {

/* C-shaped: returns the captured error, or nullptr when fn() succeeded. */
template <typename Fn>
ErrorData *
try_pg(Fn &fn) noexcept {
	MemoryContext volatile caller_context = CurrentMemoryContext;
	ErrorData *volatile captured = nullptr;
	PG_TRY();
	{ fn(); }
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller_context);
		captured = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	return captured;
}

/* Calls fn(args...) which may ereport(ERROR); such an error becomes a PgError exception. */
template <typename Result, typename... Params, typename... Args>
Result
call(Result (*fn)(Params...), Args... args) {
	static_assert(std::is_trivially_copyable_v<Result> || std::is_void_v<Result>,
	              "PostgreSQL results are plain values");
	if constexpr (std::is_void_v<Result>) {
		auto invoke = [&]() {
			fn(args...);
		};
		if (ErrorData *error = try_pg(invoke))
			throw PgError(error);
	} else {
		Result result {};
		auto invoke = [&]() {
			result = fn(args...);
		};
		if (ErrorData *error = try_pg(invoke))
			throw PgError(error);
		return result;
	}
}

} // namespace readscale::pg
