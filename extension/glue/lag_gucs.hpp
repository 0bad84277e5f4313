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
extern int lag_warning_bytes;
extern int lag_critical_bytes;
} // namespace readscale::pg
