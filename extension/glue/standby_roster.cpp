/*
 * standby_roster.cpp: the standbys seen connected since startup, and
 * readscale.forget_standby(). Every look at standby_lag (check_lag,
 * failover_candidates, metrics(), the health endpoint's /metrics) records the
 * connected standbys, so a standby is known once any of them ran while it was
 * connected; a Prometheus scrape makes that every scrape interval.
 *
 * One table in shared memory, max_wal_senders + 16 entries (room for standbys
 * that left and are not yet forgotten), under a spinlock held only for the
 * core's plain loops. It starts empty at server start; without the preload
 * there is no table and only the other sources (slots, settings, lag_policy)
 * make a standby expected.
 */
#include "core/standby_roster.hpp"
#include "common/sqlstate.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/gucs.hpp"
#include "glue/standby_roster.hpp"

namespace readscale::pg {

namespace {

struct RosterShared {
	slock_t lock;
	std::size_t capacity;
	SeenStandby entries[FLEXIBLE_ARRAY_MEMBER];
};

RosterShared *roster = nullptr;
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

std::size_t
roster_capacity() {
	return static_cast<std::size_t>(max_wal_senders) + 16;
}

Size
roster_size() {
	return add_size(offsetof(RosterShared, entries), mul_size(sizeof(SeenStandby), roster_capacity()));
}

extern "C" void
readscale_standby_roster_shmem_request(void) {
	guarded([]() {
		if (prev_shmem_request_hook)
			prev_shmem_request_hook();
		RequestAddinShmemSpace(roster_size());
	});
}

extern "C" void
readscale_standby_roster_shmem_startup(void) {
	guarded([]() {
		if (prev_shmem_startup_hook)
			prev_shmem_startup_hook();
		bool found = false;
		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
		auto *r = static_cast<RosterShared *>(ShmemInitStruct("pg_readscale standby roster", roster_size(), &found));
		if (!found) {
			SpinLockInit(&r->lock);
			r->capacity = roster_capacity();
			for (std::size_t i = 0; i < r->capacity; i++)
				r->entries[i] = SeenStandby {};
		}
		LWLockRelease(AddinShmemInitLock);
		roster = r;
	});
}

} // namespace

void
install_standby_roster() {
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = readscale_standby_roster_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = readscale_standby_roster_shmem_startup;
}

void
remember_connected(const char *name, const char *slot, std::int64_t now_us) {
	if (roster == nullptr || forget_standby_after_s == 0)
		return;
	SpinLockAcquire(&roster->lock);
	remember_standby(roster->entries, roster->capacity, name, slot, now_us);
	SpinLockRelease(&roster->lock);
}

std::size_t
seen_capacity() {
	return roster == nullptr ? 0 : roster->capacity;
}

std::size_t
copy_seen(SeenStandby *out, std::int64_t now_us) {
	if (roster == nullptr)
		return 0;
	std::int64_t forget_after_us = forget_standby_after_s < 0 ? -1 : forget_standby_after_s * USECS_PER_SEC;
	SpinLockAcquire(&roster->lock);
	forget_unseen(roster->entries, roster->capacity, now_us, forget_after_us);
	std::size_t n = 0;
	for (std::size_t i = 0; i < roster->capacity; i++)
		if (roster->entries[i].used)
			out[n++] = roster->entries[i];
	SpinLockRelease(&roster->lock);
	return n;
}

} // namespace readscale::pg

/* forget_standby(application_name text) -> boolean: whether a remembered standby was forgotten */
READSCALE_SQL_FUNCTION(readscale_forget_standby) {
	using namespace readscale::pg;
	const char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (name[0] == '\0')
		throw readscale::Error(readscale::sqlstate::kInvalidParameterValue, "standby name must not be empty");
	if (roster == nullptr)
		throw readscale::Error(readscale::sqlstate::kObjectNotInPrerequisiteState,
		                       "pg_readscale must be loaded via \"shared_preload_libraries\" to remember standbys", {},
		                       "Add pg_readscale to \"shared_preload_libraries\" and restart the server.");
	SpinLockAcquire(&roster->lock);
	bool forgotten = readscale::forget_standby(roster->entries, roster->capacity, name);
	SpinLockRelease(&roster->lock);
	PG_RETURN_BOOL(forgotten);
}
