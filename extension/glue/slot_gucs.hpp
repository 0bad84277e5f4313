/*
 * slot_gucs.hpp: the default slot retention thresholds
 * (readscale.slot_warning_bytes, readscale.slot_critical_bytes, in kB
 * internally), used when no readscale.slot_policy row matches a slot. -1
 * disables a threshold. Plain declarations only.
 */
#pragma once

/* Defines the GUCs; called once from _PG_init. */
void readscale_define_slot_gucs();

namespace readscale::pg {
extern int slot_warning_kb;
extern int slot_critical_kb;
} // namespace readscale::pg
