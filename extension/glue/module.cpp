/*
 * module.cpp: the library's entry (PG_MODULE_MAGIC, _PG_init): GUCs (gucs.cpp) always;
 * shared memory and the replay wake-up only when preloaded
 * (shared_preload_libraries), since they must exist before the startup
 * process forks. Without the preload, waits poll (readscale.wait_mode()).
 */
#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/commit_clock.hpp"
#include "glue/budget_worker.hpp"
#include "glue/gate.hpp"
#include "glue/gucs.hpp"
#include "glue/health_worker.hpp"
#include "glue/slot_worker.hpp"
#include "glue/standby_roster.hpp"
#include "glue/waiters.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

void
_PG_init(void) {
	using namespace readscale::pg;
	guarded([]() {
		define_gucs();
		if (process_shared_preload_libraries_in_progress) {
			install_waiter_shmem_hooks();
			if (!kCoreWakesLsnWaiters) /* 19: core wakes LSN waiters itself */
				install_redo_wrappers();
			install_commit_clock();
			install_standby_roster();
		}
		register_slot_worker();
		register_health_worker();
		register_budget_worker();
		install_gate_hooks();
	});
}
