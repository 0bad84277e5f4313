/*
 * commit_clock.hpp: the primary's LSN -> time map of commits (commit_clock.cpp,
 * core/commit_clock.hpp), in shared memory when pg_readscale is preloaded.
 */
#pragma once

#include <cstdint>
#include <optional>

namespace readscale::pg {

/* From _PG_init while preloading: requests the shared ring and registers the commit callback. */
void install_commit_clock();

/*
 * False when there is no ring (not preloaded). Else sets *staleness_us to how
 * long a standby that replayed up to replay_lsn has at least been stale at
 * now_us (0 when no sampled commit lies beyond it). Cannot ERROR.
 */
bool commit_clock_staleness(std::uint64_t replay_lsn, std::int64_t now_us, std::optional<std::int64_t> reply_us,
                            std::int64_t *staleness_us);

} // namespace readscale::pg
