/*
 * pg_error.hpp: a PostgreSQL error captured by pg::call (pg_call.hpp) and
 * carried through C++ frames as an exception, so their destructors run; the
 * guard re-throws the original ErrorData with ReThrowError, keeping SQLSTATE,
 * detail, hint and context (B4, B5).
 */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::pg {

class PgError {
public:
	explicit PgError(ErrorData *data) noexcept : data_(data) {
	}
	ErrorData *
	data() const noexcept {
		return data_;
	}

private:
	ErrorData *data_; /* palloc'd in the caller's memory context by CopyErrorData */
};

} // namespace readscale::pg
