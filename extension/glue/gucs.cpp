/*
 * gucs.cpp: every readscale.* setting in one table per type, defined by one
 * loop per type, then MarkGUCPrefixReserved("readscale").
 *
 * Contexts follow pg_stat_statements: USERSET for the per-session read gate
 * (it must work with SET LOCAL under transaction pooling), SUSET for the
 * thresholds (they decide verdicts other roles see and which slots the guard
 * may drop), SIGHUP for worker knobs, POSTMASTER for shared-memory sizes and
 * listeners. A POSTMASTER setting is defined only while preloading:
 * PostgreSQL ends the session (FATAL) if one is defined after startup.
 * Byte thresholds count kB (GUC_UNIT_KB, as max_slot_wal_keep_size counts
 * MB) so that limits above 2 GB fit an int.
 */
#include "core/wait_policy.hpp"

#include "bridge/postgres.hpp"
#include "glue/gate.hpp"
#include "glue/gucs.hpp"
#include "glue/health_worker.hpp"

namespace readscale::pg {

char *min_lsn_text = nullptr;
int gate_timeout_ms = 1000;
int gate_on_timeout = static_cast<int>(GateOnTimeout::Error);
int max_staleness_ms = -1;
char *last_commit_lsn_text = nullptr;
int max_waiters = 1000;
int lag_warning_ms = 10000;
int lag_critical_ms = 60000;
int lag_warning_kb = 16 * 1024;
int lag_critical_kb = 256 * 1024;
int forget_standby_after_s = 86400;
int slot_warning_kb = 1024 * 1024;      /* 1 GB */
int slot_critical_kb = 4 * 1024 * 1024; /* 4 GB */
char *slot_guard_database = nullptr;
int slot_guard_interval_ms = 60000;
bool slot_guard_dry_run = true;
char *http_listen = nullptr;
char *http_database = nullptr;
int replica_role = static_cast<int>(ReplicaRole::Unset);
int replay_budget_ms = -1;

namespace {

/* What every setting has; preload_only marks the PGC_POSTMASTER ones. */
struct GucText {
	const char *name;
	const char *short_desc;
	const char *long_desc;
	GucContext context;
	int flags;
	bool preload_only;
};

struct IntGuc {
	GucText text;
	int *variable;
	int boot, min, max;
};

struct BoolGuc {
	GucText text;
	bool *variable;
	bool boot;
};

struct StringGuc {
	GucText text;
	char **variable;
	const char *boot;
	GucStringCheckHook check;
	GucStringAssignHook assign;
};

struct EnumGuc {
	GucText text;
	int *variable;
	int boot;
	const config_enum_entry *options;
};

constexpr const char *kLagPolicyFallback =
    "Applies when no row of readscale.lag_policy matches the standby; -1 disables.";
constexpr const char *kSlotPolicyFallback =
    "Applies when no row of readscale.slot_policy matches the slot; -1 disables.";

const IntGuc kIntGucs[] = {
    {{"readscale.gate_timeout", "Sets how long the gate waits for readscale.min_lsn.", nullptr, PGC_USERSET,
      GUC_UNIT_MS, false},
     &gate_timeout_ms,
     1000,
     0,
     INT_MAX},
    {{"readscale.max_staleness", "Sets the largest staleness a standby may serve reads with; -1 disables the check.",
      "Staleness is 0 when everything received is replayed, else the time since the last replayed commit (see "
      "docs/reads.md).",
      PGC_USERSET, GUC_UNIT_MS, false},
     &max_staleness_ms,
     -1,
     -1,
     INT_MAX},
    {{"readscale.max_waiters", "Sets the maximum number of sessions waiting for an LSN at once.",
      "Each waiting session holds one slot in shared memory.", PGC_POSTMASTER, 0, true},
     &max_waiters,
     1000,
     1,
     100000},
    {{"readscale.lag_warning", "Sets the replay lag above which a standby is in warning.", kLagPolicyFallback,
      PGC_SUSET, GUC_UNIT_MS, false},
     &lag_warning_ms,
     10000,
     -1,
     INT_MAX},
    {{"readscale.lag_critical", "Sets the replay lag above which a standby is critical.", kLagPolicyFallback, PGC_SUSET,
      GUC_UNIT_MS, false},
     &lag_critical_ms,
     60000,
     -1,
     INT_MAX},
    {{"readscale.lag_warning_bytes", "Sets the amount of unreplayed WAL above which a standby is in warning.",
      kLagPolicyFallback, PGC_SUSET, GUC_UNIT_KB, false},
     &lag_warning_kb,
     16 * 1024,
     -1,
     INT_MAX},
    {{"readscale.lag_critical_bytes", "Sets the amount of unreplayed WAL above which a standby is critical.",
      kLagPolicyFallback, PGC_SUSET, GUC_UNIT_KB, false},
     &lag_critical_kb,
     256 * 1024,
     -1,
     INT_MAX},
    {{"readscale.forget_standby_after", "Sets how long a primary keeps expecting a standby it saw connected.",
      "Until then a standby that left shows in readscale.standby_lag as disconnected; 0 remembers none, -1 keeps "
      "them until readscale.forget_standby() or a restart.",
      PGC_SUSET, GUC_UNIT_S, false},
     &forget_standby_after_s,
     86400,
     -1,
     INT_MAX},
    {{"readscale.slot_warning_bytes", "Sets the amount of retained WAL above which a replication slot is in warning.",
      kSlotPolicyFallback, PGC_SUSET, GUC_UNIT_KB, false},
     &slot_warning_kb,
     1024 * 1024,
     -1,
     INT_MAX},
    {{"readscale.slot_critical_bytes", "Sets the amount of retained WAL above which a replication slot is critical.",
      kSlotPolicyFallback, PGC_SUSET, GUC_UNIT_KB, false},
     &slot_critical_kb,
     4 * 1024 * 1024,
     -1,
     INT_MAX},
    {{"readscale.slot_guard_interval", "Sets the time between two slot guard passes.", nullptr, PGC_SIGHUP, GUC_UNIT_MS,
      false},
     &slot_guard_interval_ms,
     60000,
     100,
     INT_MAX},
    {{"readscale.replay_budget",
      "Sets how long a query may block replay on an OLTP replica before it is cancelled; -1 disables.",
      "Cancels lock and buffer-pin blockers before max_standby_streaming_delay would, as PostgreSQL does (SQLSTATE "
      "40001). The worker starts only when this is set at server start; needs pg_readscale in "
      "shared_preload_libraries.",
      PGC_SIGHUP, GUC_UNIT_MS, false},
     &replay_budget_ms,
     -1,
     -1,
     INT_MAX},
};

const BoolGuc kBoolGucs[] = {
    {{"readscale.slot_guard_dry_run", "Sets whether the slot guard worker only reports.",
      "When off, the worker drops the slots readscale.slot_policy allows it to drop.", PGC_SIGHUP, 0, false},
     &slot_guard_dry_run,
     true},
};

const StringGuc kStringGucs[] = {
    {{"readscale.min_lsn", "Sets the LSN this standby must have replayed before a statement reads.",
      "SET and SET LOCAL wait for it (up to readscale.gate_timeout); empty means no gate.", PGC_USERSET, 0, false},
     &min_lsn_text,
     "",
     check_min_lsn,
     assign_min_lsn},
    {{"readscale.last_commit_lsn", "Shows the end LSN of this session's last committed write transaction.",
      "Reported to the client with each commit, so drivers get a token without a query.", PGC_INTERNAL,
      GUC_REPORT | GUC_NOT_IN_SAMPLE, false},
     &last_commit_lsn_text,
     "",
     nullptr,
     nullptr},
    {{"readscale.slot_guard_database", "Sets the database the slot guard worker connects to.",
      "Empty disables the worker. Needs pg_readscale in shared_preload_libraries and the extension created in "
      "that database.",
      PGC_POSTMASTER, 0, true},
     &slot_guard_database,
     "",
     nullptr,
     nullptr},
    {{"readscale.http_listen", "Sets the address of the HTTP health endpoint.",
      "A port (on 127.0.0.1), IPv4:port or [IPv6]:port; empty disables the endpoint. Needs pg_readscale in "
      "shared_preload_libraries.",
      PGC_POSTMASTER, 0, true},
     &http_listen,
     "",
     check_http_listen,
     nullptr},
    {{"readscale.http_database", "Sets the database in which the HTTP health endpoint runs readscale.metrics().",
      "/metrics falls back to this node's own gauges when pg_readscale is not installed there.", PGC_POSTMASTER, 0,
      true},
     &http_database,
     "postgres",
     nullptr,
     nullptr},
};

const config_enum_entry kGateOnTimeoutOptions[] = {
    {"error", static_cast<int>(GateOnTimeout::Error), false},
    {"warning", static_cast<int>(GateOnTimeout::Warning), false},
    {"proceed", static_cast<int>(GateOnTimeout::Proceed), false},
    {nullptr, 0, false},
};

const config_enum_entry kReplicaRoleOptions[] = {
    {"unset", static_cast<int>(ReplicaRole::Unset), false},
    {"oltp", static_cast<int>(ReplicaRole::Oltp), false},
    {"olap", static_cast<int>(ReplicaRole::Olap), false},
    {nullptr, 0, false},
};

const EnumGuc kEnumGucs[] = {
    {{"readscale.gate_on_timeout", "Sets what the gate does when readscale.min_lsn is not replayed in time.", nullptr,
      PGC_USERSET, 0, false},
     &gate_on_timeout,
     static_cast<int>(GateOnTimeout::Error),
     kGateOnTimeoutOptions},
    {{"readscale.replica_role", "Sets what this replica serves: oltp (short reads, low lag) or olap (analytics).",
      "Shown by readscale.local_lag and the health endpoint; readscale.config_audit() judges the replication "
      "settings by it. unset: no role.",
      PGC_SIGHUP, 0, false},
     &replica_role,
     static_cast<int>(ReplicaRole::Unset),
     kReplicaRoleOptions},
};

} // namespace

const char *
replica_role_name() {
	for (const config_enum_entry *e = kReplicaRoleOptions; e->name != nullptr; e++)
		if (e->val == replica_role)
			return e->name;
	return "unset";
}

namespace {

bool
wanted(const GucText &text) {
	return !text.preload_only || process_shared_preload_libraries_in_progress;
}

} // namespace

/* Plain locals only: every DefineCustom*Variable may ERROR. */
void
define_gucs() {
	for (const IntGuc &g : kIntGucs)
		if (wanted(g.text))
			DefineCustomIntVariable(g.text.name, g.text.short_desc, g.text.long_desc, g.variable, g.boot, g.min, g.max,
			                        g.text.context, g.text.flags, nullptr, nullptr, nullptr);
	for (const BoolGuc &g : kBoolGucs)
		if (wanted(g.text))
			DefineCustomBoolVariable(g.text.name, g.text.short_desc, g.text.long_desc, g.variable, g.boot,
			                         g.text.context, g.text.flags, nullptr, nullptr, nullptr);
	for (const StringGuc &g : kStringGucs)
		if (wanted(g.text))
			DefineCustomStringVariable(g.text.name, g.text.short_desc, g.text.long_desc, g.variable, g.boot,
			                           g.text.context, g.text.flags, g.check, g.assign, nullptr);
	for (const EnumGuc &g : kEnumGucs)
		if (wanted(g.text))
			DefineCustomEnumVariable(g.text.name, g.text.short_desc, g.text.long_desc, g.variable, g.boot, g.options,
			                         g.text.context, g.text.flags, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("readscale");
}

} // namespace readscale::pg
