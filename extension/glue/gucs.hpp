/*
 * gucs.hpp: the variables behind every readscale.* setting, all defined in one
 * table in gucs.cpp (name, default, range, context, unit, description, hooks).
 * Plain declarations only, so any glue file can include it. A GUC_UNIT_KB
 * setting is named *_kb here: an int of bytes would stop at 2 GB, in kB it
 * reaches 2 TB.
 */
#pragma once

namespace readscale::pg {

/* The read gate (gate.cpp). */
extern char *min_lsn_text;
extern int gate_timeout_ms;
extern int gate_on_timeout;  /* a GateOnTimeout */
extern int max_staleness_ms; /* -1: off */
extern char *last_commit_lsn_text;

/* The waiter registry's shared-memory size (waiters.cpp); defined only when preloaded. */
extern int max_waiters;

/* Default lag SLA thresholds when no readscale.lag_policy row matches; -1 disables. */
extern int lag_warning_ms;
extern int lag_critical_ms;
extern int lag_warning_kb;
extern int lag_critical_kb;
/* How long a standby seen connected stays expected after it left (standby_roster.cpp), seconds; 0 none, -1 ever. */
extern int forget_standby_after_s;

/* Default slot retention thresholds when no readscale.slot_policy row matches; -1 disables. */
extern int slot_warning_kb;
extern int slot_critical_kb;

/* The slot guard worker (slot_worker.cpp); the database is defined only when preloaded. */
extern char *slot_guard_database; /* "" is off */
extern int slot_guard_interval_ms;
extern bool slot_guard_dry_run;

/* The HTTP health endpoint (health_worker.cpp); defined only when preloaded. */
extern char *http_listen; /* "" is off */
extern char *http_database;

/* What this replica serves (docs/lag.md "OLTP and OLAP replicas"): shown by local_lag and the health
 * endpoint, judged by config_audit(). */
enum class ReplicaRole { Unset = 0, Oltp = 1, Olap = 2 };
extern int replica_role; /* a ReplicaRole */
const char *replica_role_name();

/* Off (-1) by default: on an OLTP replica, how long a query may block replay before the budget worker cancels
 * it (budget_worker.cpp, started at server start only when set then). */
extern int replay_budget_ms;

/* Defines every readscale.* setting, then reserves the prefix. Called once from _PG_init; may ERROR. */
void define_gucs();

} // namespace readscale::pg
