/*
 * slot_gucs.cpp: defines the default slot retention GUCs (see slot_gucs.hpp).
 * PGC_SUSET: the thresholds decide verdicts other roles see and which slots
 * the guard may drop. Stored in kB (GUC_UNIT_KB) so that limits above 2 GB,
 * the normal case for retained WAL, fit an int.
 */
#include "glue/slot_gucs.hpp"

#include "bridge/postgres.hpp"

namespace readscale::pg {
int slot_warning_kb = 1024 * 1024;     /* 1 GB */
int slot_critical_kb = 4 * 1024 * 1024; /* 4 GB */
} // namespace readscale::pg

/* Called from _PG_init inside its guard; DefineCustomIntVariable may ERROR, so only plain locals here. */
void
readscale_define_slot_gucs() {
	using namespace readscale::pg;
	DefineCustomIntVariable("readscale.slot_warning_bytes",
	                        "Sets the amount of retained WAL above which a replication slot is in warning.",
	                        "Applies when no row of readscale.slot_policy matches the slot; -1 disables.",
	                        &slot_warning_kb, 1024 * 1024, -1, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr,
	                        nullptr);
	DefineCustomIntVariable("readscale.slot_critical_bytes",
	                        "Sets the amount of retained WAL above which a replication slot is critical.",
	                        "Applies when no row of readscale.slot_policy matches the slot; -1 disables.",
	                        &slot_critical_kb, 4 * 1024 * 1024, -1, INT_MAX, PGC_SUSET, GUC_UNIT_KB, nullptr, nullptr,
	                        nullptr);
}
