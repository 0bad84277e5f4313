/*
 * module.cpp: the library's entry (PG_MODULE_MAGIC, _PG_init): GUCs always;
 * shared memory and the replay wake-up only when preloaded
 * (shared_preload_libraries), since they must exist before the startup
 * process forks. Without the preload, waits poll (readscale.wait_mode()).
 */
#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/gate.hpp"
#include "glue/waiters.hpp"
#include "glue/health_worker.hpp"
#include "glue/commit_clock.hpp"
#include "glue/lag_gucs.hpp"
#include "glue/standby_roster.hpp"
#include "glue/slot_gucs.hpp"
#include "glue/slot_worker.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

void
_PG_init(void) {
	readscale::pg::guarded([]() {
		readscale::pg::define_gate_gucs();
		if (process_shared_preload_libraries_in_progress) {
			readscale::pg::define_waiter_gucs();
			readscale::pg::install_waiter_shmem_hooks();
			readscale::pg::install_redo_wrappers();
			readscale::pg::install_commit_clock();
			readscale::pg::install_standby_roster();
		}
		readscale_define_lag_gucs();
		readscale_define_slot_gucs();
		readscale_register_slot_worker();
		readscale_register_health_worker();
		MarkGUCPrefixReserved("readscale");
		readscale::pg::install_gate_hooks();
	});
}
