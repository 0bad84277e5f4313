/*
 * module.cpp: the library's entry (PG_MODULE_MAGIC, _PG_init). Later features
 * register their GUCs, shared memory and workers from here.
 */
#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/health_worker.hpp"
#include "glue/lag_gucs.hpp"

extern "C" {
PG_MODULE_MAGIC;
}

void
_PG_init(void) {
	readscale::pg::guarded([]() {
		readscale_define_lag_gucs();
		readscale_register_health_worker();
		MarkGUCPrefixReserved("readscale");
	});
}
