/*
 * standby_roster.hpp: the standbys this server saw connected since startup
 * (standby_roster.cpp, core/standby_roster.hpp), in shared memory when
 * pg_readscale is preloaded.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace readscale {
struct SeenStandby; /* core/standby_roster.hpp; declared only, so this header may follow bridge/postgres.hpp */
} // namespace readscale

namespace readscale::pg {

/* From _PG_init while preloading: requests the shared table. */
void install_standby_roster();

/* Records a connected standby at now_us (slot "" without one); nothing without shared memory. Cannot ERROR. */
void remember_connected(const char *name, const char *slot, std::int64_t now_us);

/*
 * Forgets entries unseen for longer than readscale.forget_standby_after, then
 * copies the table into out (capacity seen_capacity()). Returns the number of
 * entries copied, 0 without shared memory. Cannot ERROR.
 */
std::size_t copy_seen(SeenStandby *out, std::int64_t now_us);
std::size_t seen_capacity();

} // namespace readscale::pg
