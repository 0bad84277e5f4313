/*
 * health_worker.hpp: the opt-in HTTP health endpoint (readscale.http_listen).
 */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::pg {

/* readscale.http_listen's check hook (the setting itself is in gucs.cpp); never raises (B3). */
bool check_http_listen(char **newval, void **extra, GucSource source);

/* When preloading with readscale.http_listen set, registers the worker. Called from _PG_init after define_gucs(). */
void register_health_worker();

} // namespace readscale::pg
