/* node_fns.hpp: checks shared by the token functions (node_fns.cpp). */
#pragma once

namespace readscale::pg {

/* Throws 55000 when called inside a transaction that has written but not committed. */
void require_no_uncommitted_writes();

} // namespace readscale::pg
