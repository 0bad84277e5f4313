/*
 * lag_gucs.hpp: the default lag SLA thresholds (readscale.lag_warning,
 * readscale.lag_critical, readscale.lag_warning_bytes,
 * readscale.lag_critical_bytes), used when no readscale.lag_policy row
 * matches a standby. Plain declarations only, so module.cpp can include this
 * next to bridge/postgres.hpp. -1 disables a threshold.
 */
#pragma once

/* Defines the GUCs; called once from _PG_init. */
void readscale_define_lag_gucs();

namespace readscale::pg {
extern int lag_warning_ms;
extern int lag_critical_ms;
/* The byte thresholds are kB GUCs (GUC_UNIT_KB: up to 2 TB, so '64GB' fits an int). */
extern int lag_warning_kb;
extern int lag_critical_kb;
/* readscale.forget_standby_after, seconds: 0 remembers no standby, -1 never forgets. */
extern int forget_standby_after_s;

inline long long
kb_to_bytes(int kb) {
	return kb < 0 ? -1 : static_cast<long long>(kb) * 1024;
}
inline long long
lag_warning_bytes() {
	return kb_to_bytes(lag_warning_kb);
}
inline long long
lag_critical_bytes() {
	return kb_to_bytes(lag_critical_kb);
}
} // namespace readscale::pg
