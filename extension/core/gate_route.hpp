/*
 * gate_route.hpp: how the read gate takes a new readscale.min_lsn, decided
 * over plain values (the glue, gate.cpp, gathers them from PostgreSQL).
 *
 * A SET-like change made while a statement runs with its snapshot already
 * taken (source "session": set_config(), SET inside a function, a function's
 * SET clause) would let that statement, or a STABLE function's later queries
 * sharing the snapshot, return rows from before the LSN: refused when it
 * raises the bar on a standby (a primary's snapshots see every commit it has
 * made; CREATE FUNCTION ... SET applies the clause while validating the
 * body). A session change at or below the snapshot floor is safe: every
 * snapshot in use was taken after replay had passed it. Settings applied at
 * connection start (connection options, ALTER ROLE/DATABASE SET, the
 * configuration file) are verified at once if replay has passed them; if
 * not, ExecutorStart refuses later.
 */
#pragma once

#include "core/lsn.hpp"

namespace readscale {

/* Where a new value comes from (PostgreSQL's GucSource, reduced to what the gate distinguishes). */
enum class MinLsnSource { Test, Session, Other };

struct MinLsnChange {
	MinLsnSource source = MinLsnSource::Other;
	Lsn value = kInvalidLsn;
	Lsn current = kInvalidLsn;        /* the min_lsn in force now */
	Lsn snapshot_floor = kInvalidLsn; /* replay position seen before the snapshots in use were taken */
	bool snapshot_active = false;     /* a statement's snapshot is in use (session changes only) */
	bool in_recovery = false;         /* session changes only */
};

enum class MinLsnRoute {
	Accept,        /* nothing to prove now */
	AcceptAtFloor, /* accept: the snapshot floor proves the value (record it as verified) */
	VerifyNow,     /* accept, and verify it now if no snapshot is in use */
	Refuse,        /* a running statement's snapshot may predate the LSN */
};

MinLsnRoute route_min_lsn(const MinLsnChange &change) noexcept;

} // namespace readscale

#include "common/cpp_only.hpp"
