/*
 * health_worker.hpp: the opt-in HTTP health endpoint (readscale.http_listen).
 * Plain declarations only, so module.cpp can include this next to bridge/postgres.hpp.
 */
#pragma once

/* Defines readscale.http_listen and, when preloading with it set, registers the worker. Called from _PG_init. */
void readscale_register_health_worker();
