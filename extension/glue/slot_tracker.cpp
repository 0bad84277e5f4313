/*
 * slot_tracker.cpp: when each replication slot became inactive, as far as
 * this backend knows. PostgreSQL 15 records no inactivity time for slots, so
 * inactive_since is the first time THIS BACKEND saw the slot inactive: NULL
 * until a read of slot_retention or a guard pass sees it, starting again in a
 * new session and after a restart, so max_inactive only counts what the
 * calling session (or the long-lived slot guard worker) observed. Plain data
 * (B8), no PostgreSQL calls; a shared-memory version is the planned
 * replacement.
 */
#include "bridge/postgres.hpp"
#include "glue/slot_tracker.hpp"

namespace {

constexpr int kMaxTrackedSlots = 256;

struct InactiveEntry {
	char name[NAMEDATALEN];
	TimestampTz since;
	bool used;
	bool seen;
};
InactiveEntry inactive_seen[kMaxTrackedSlots];

} // namespace

namespace readscale::pg {

void
begin_tracking() {
	for (auto &entry : inactive_seen)
		entry.seen = false;
}

/* Forgets slots that were dropped. */
void
end_tracking() {
	for (auto &entry : inactive_seen)
		if (entry.used && !entry.seen)
			entry.used = false;
}

/* When this backend first saw the slot inactive; 0 when active or untracked. */
std::int64_t
track_inactive(const char *name, bool active, std::int64_t now) {
	int free_entry = -1;
	for (int i = 0; i < kMaxTrackedSlots; i++) {
		InactiveEntry &entry = inactive_seen[i];
		if (!entry.used) {
			if (free_entry < 0)
				free_entry = i;
			continue;
		}
		if (std::strcmp(entry.name, name) != 0)
			continue;
		entry.seen = true;
		if (active)
			entry.used = false;
		return active ? 0 : entry.since;
	}
	if (active || free_entry < 0)
		return 0;
	InactiveEntry &entry = inactive_seen[free_entry];
	strlcpy(entry.name, name, sizeof entry.name);
	entry.since = now;
	entry.used = entry.seen = true;
	return now;
}

} // namespace readscale::pg
