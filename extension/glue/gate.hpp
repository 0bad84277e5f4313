/* gate.hpp: the transparent read gate (gate.cpp). */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::pg {

/* readscale.min_lsn's hooks (the setting itself is in gucs.cpp). The check hook never raises (B3). */
bool check_min_lsn(char **newval, void **extra, GucSource source);
void assign_min_lsn(const char *newval, void *extra);

void install_gate_hooks();

} // namespace readscale::pg
