/*
 * slot_tracker.hpp: backend-local record of when each replication slot was
 * first seen inactive (see slot_tracker.cpp). None of these can ERROR.
 */
#pragma once

#include <cstdint>

namespace readscale::pg {

/* Call before a listing of all slots... */
void begin_tracking();
/* ...track_inactive() for each slot: when this backend first saw it inactive (a TimestampTz),
 * 0 when active or untracked... */
std::int64_t track_inactive(const char *name, bool active, std::int64_t now);
/* ...and after it, to forget slots that are gone. */
void end_tracking();

} // namespace readscale::pg
