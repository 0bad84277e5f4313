/* staleness.hpp: this standby's staleness (lag_fns.cpp), shared with the gate's readscale.max_staleness. */
#pragma once

#include <cstdint>

namespace readscale::pg {

/* Local staleness from this standby's shared state; false when unknown. C-shaped, cannot ERROR. */
bool local_staleness(std::int64_t *staleness_ms, std::uint64_t *unreplayed);

/* No PostgreSQL calls; throws the 55R02 Error when the standby is too stale. */
void require_fresh(bool has_staleness, std::int64_t staleness_ms, std::uint64_t unreplayed, std::int64_t max_ms,
                   std::int64_t max_bytes);

} // namespace readscale::pg
