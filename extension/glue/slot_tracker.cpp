/*
 * slot_tracker.cpp: the inactivity clock of each replication slot
 * (core/slot_clock.hpp decides; this file stores). Every look at the slots,
 * slot_retention or a guard pass, from any session or the worker, updates it.
 *
 * Preloaded: one table in shared memory, sized 2 x max_replication_slots
 * (room for dropped slots not yet forgotten), under one LWLock; it starts
 * empty at server start (and after a crash restart), so every clock starts
 * again at the first look after startup, which only delays drops. Not
 * preloaded: the same table in backend memory, so a clock only counts what
 * the calling session saw.
 *
 * Forgetting: a pass forgets the entries nobody saw since it started its
 * listing. A slot created after that listing and seen only by a concurrent
 * pass that started earlier may be forgotten too; its clock then starts again
 * (later, the safe direction).
 *
 * Frames: C-shaped, plain locals; the LWLock is released by transaction abort
 * if anything raises while it is held (nothing does: only plain copies).
 */
#include "core/slot_clock.hpp"

#include <sys/stat.h>

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/slot_tracker.hpp"

namespace readscale::pg {

namespace {

constexpr const char *kTrancheName = "pg_readscale slot tracker";

struct TrackedSlot {
	char name[NAMEDATALEN];
	InactivityMark mark;
	TimestampTz last_seen;
	bool used;
};

struct TrackerTable {
	LWLock *lock; /* nullptr: backend-local */
	int capacity;
	TrackedSlot slots[FLEXIBLE_ARRAY_MEMBER];
};
/* Shared memory holds raw bytes shared by processes: no constructors, destructors or hidden layout. */
static_assert(std::is_trivially_copyable_v<TrackerTable> && std::is_standard_layout_v<TrackerTable>);
static_assert(std::is_trivially_copyable_v<TrackedSlot> && std::is_standard_layout_v<TrackedSlot>);

TrackerTable *table = nullptr;
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

int
table_capacity() {
	return Max(2 * max_replication_slots, 16);
}

Size
table_size(int capacity) {
	return add_size(offsetof(TrackerTable, slots), mul_size(sizeof(TrackedSlot), static_cast<Size>(capacity)));
}

void
init_table(TrackerTable *t, LWLock *lock, int capacity) {
	t->lock = lock;
	t->capacity = capacity;
	for (int i = 0; i < capacity; i++)
		t->slots[i] = TrackedSlot {};
}

extern "C" void
readscale_slot_tracker_shmem_request(void) {
	guarded([]() {
		if (prev_shmem_request_hook)
			prev_shmem_request_hook();
		RequestAddinShmemSpace(table_size(table_capacity()));
		RequestNamedLWLockTranche(kTrancheName, 1);
	});
}

extern "C" void
readscale_slot_tracker_shmem_startup(void) {
	guarded([]() {
		if (prev_shmem_startup_hook)
			prev_shmem_startup_hook();
		bool found = false;
		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
		auto *t = static_cast<TrackerTable *>(
		    ShmemInitStruct("pg_readscale slot tracker", table_size(table_capacity()), &found));
		if (!found)
			init_table(t, &GetNamedLWLockTranche(kTrancheName)[0].lock, table_capacity());
		LWLockRelease(AddinShmemInitLock);
		table = t;
	});
}

/* The table, allocating the backend-local one on first use. May ERROR (out of memory). */
TrackerTable *
get_table() {
	if (table == nullptr) {
		int capacity = table_capacity();
		auto *t = static_cast<TrackerTable *>(MemoryContextAlloc(TopMemoryContext, table_size(capacity)));
		init_table(t, nullptr, capacity);
		table = t;
	}
	return table;
}

void
lock_table(TrackerTable *t) {
	if (t->lock != nullptr)
		LWLockAcquire(t->lock, LW_EXCLUSIVE);
}

void
unlock_table(TrackerTable *t) {
	if (t->lock != nullptr)
		LWLockRelease(t->lock);
}

/* The entry for name, or a free one (name stored), or nullptr when full. Table locked. */
TrackedSlot *
find_entry(TrackerTable *t, const char *name) {
	TrackedSlot *free_entry = nullptr;
	for (int i = 0; i < t->capacity; i++) {
		TrackedSlot &entry = t->slots[i];
		if (entry.used && std::strcmp(entry.name, name) == 0)
			return &entry;
		if (!entry.used && free_entry == nullptr)
			free_entry = &entry;
	}
	if (free_entry != nullptr) {
		*free_entry = TrackedSlot {};
		snprintf(free_entry->name, sizeof free_entry->name, "%s", name);
		free_entry->used = true;
	}
	return free_entry;
}

} // namespace

void
install_slot_tracker_hooks() {
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = readscale_slot_tracker_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = readscale_slot_tracker_shmem_startup;
}

void
read_slot_identity(const char *name, std::uint64_t restart_lsn, std::uint64_t confirmed_flush_lsn,
                   SlotIdentity *identity) {
	char path[MAXPGPATH];
	struct stat st;
	*identity = SlotIdentity {};
	identity->restart_lsn = restart_lsn;
	identity->confirmed_flush_lsn = confirmed_flush_lsn;
	snprintf(path, sizeof path, "pg_replslot/%s", name);
	if (stat(path, &st) != 0)
		return; /* temporary slots have no directory */
	identity->dir_inode = static_cast<std::uint64_t>(st.st_ino);
	identity->dir_ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
}

std::int64_t
track_inactive(const char *name, bool active, const SlotIdentity &identity, std::int64_t now) {
	TrackerTable *t = get_table();
	lock_table(t);
	TrackedSlot *entry = find_entry(t, name);
	std::int64_t since = 0;
	if (entry != nullptr) {
		entry->mark = observe_slot(entry->mark, active, identity, now);
		entry->last_seen = Max(entry->last_seen, now);
		since = entry->mark.tracked ? entry->mark.since : 0;
	}
	unlock_table(t);
	return since;
}

void
end_tracking(std::int64_t listed_after) {
	if (table == nullptr)
		return;
	lock_table(table);
	for (int i = 0; i < table->capacity; i++)
		if (table->slots[i].used && table->slots[i].last_seen < listed_after)
			table->slots[i].used = false;
	unlock_table(table);
}

} // namespace readscale::pg
