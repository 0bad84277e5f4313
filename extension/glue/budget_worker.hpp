/*
 * budget_worker.hpp: the replay budget worker (budget_worker.cpp).
 */
#pragma once

namespace readscale::pg {

/* From _PG_init while preloading: registers the worker when readscale.replay_budget is set. May ERROR. */
void register_budget_worker();

} // namespace readscale::pg
