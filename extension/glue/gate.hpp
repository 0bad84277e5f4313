/* gate.hpp: the transparent read gate (gate.cpp). */
#pragma once

namespace readscale::pg {

void define_gate_gucs();
void install_gate_hooks();

} // namespace readscale::pg
