/*
 * token.hpp: what a read-your-writes token is.
 *
 * current_token() on a primary returns max(session's last commit end,
 * flushed WAL position):
 * - the last commit end alone is exactly what this session's reader needs, but
 *   under transaction pooling the write may have run on another backend, and
 *   with synchronous_commit = off it may not be flushed yet;
 * - the flush position covers every commit already acknowledged with
 *   synchronous_commit on, whichever backend ran it, and is always a record
 *   end, never a position inside a page header (unlike the insert position,
 *   see lsn.hpp), so a standby always replays up to it.
 * The cost of the max is that a reader may wait for WAL flushed meanwhile by
 * others, which streams to the standby anyway.
 */
#pragma once

#include "core/lsn.hpp"

namespace readscale {

inline Lsn
choose_primary_token(Lsn session_commit_end, Lsn flushed) noexcept {
	return session_commit_end > flushed ? session_commit_end : flushed;
}

} // namespace readscale

#include "common/cpp_only.hpp"
