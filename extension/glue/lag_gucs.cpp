/*
 * lag_gucs.cpp: defines the default lag SLA GUCs (see lag_gucs.hpp).
 * PGC_SUSET like pg_stat_statements' knobs: the thresholds decide verdicts
 * other roles see, so only superusers change them. The byte thresholds count
 * kB (GUC_UNIT_KB, like max_slot_wal_keep_size counts MB): an int of bytes
 * would stop at 2 GB, short of real standbys' lag; in kB it reaches 2 TB.
 */
#include "glue/lag_gucs.hpp"

#include "bridge/postgres.hpp"

namespace readscale::pg {
int lag_warning_ms = 10000;
int lag_critical_ms = 60000;
int lag_warning_kb = 16 * 1024;
int lag_critical_kb = 256 * 1024;
int forget_standby_after_s = 86400;
} // namespace readscale::pg

/* Called from _PG_init inside its guard; DefineCustomIntVariable may ERROR, so only plain locals here. */
void
readscale_define_lag_gucs() {
	using namespace readscale::pg;
	DefineCustomIntVariable("readscale.lag_warning", "Sets the replay lag above which a standby is in warning.",
	                        "Applies when no row of readscale.lag_policy matches the standby; -1 disables.",
	                        &lag_warning_ms, 10000, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("readscale.lag_critical", "Sets the replay lag above which a standby is critical.",
	                        "Applies when no row of readscale.lag_policy matches the standby; -1 disables.",
	                        &lag_critical_ms, 60000, -1, INT_MAX, PGC_SUSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("readscale.lag_warning_bytes",
	                        "Sets the amount of unreplayed WAL above which a standby is in warning.",
	                        "Applies when no row of readscale.lag_policy matches the standby; -1 disables.",
	                        &lag_warning_kb, 16 * 1024, -1, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
	DefineCustomIntVariable(
	    "readscale.lag_critical_bytes", "Sets the amount of unreplayed WAL above which a standby is critical.",
	    "Applies when no row of readscale.lag_policy matches the standby; -1 disables.", &lag_critical_kb, 256 * 1024,
	    -1, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr, nullptr);
	DefineCustomIntVariable(
	    "readscale.forget_standby_after", "Sets how long a primary keeps expecting a standby it saw connected.",
	    "Until then a standby that left shows in readscale.standby_lag as disconnected; "
	    "0 remembers none, -1 keeps them until readscale.forget_standby() or a restart.",
	    &forget_standby_after_s, 86400, -1, INT_MAX, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
}
