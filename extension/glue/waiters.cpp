/*
 * waiters.cpp: the shared-memory waiter registry and the replay wake-up.
 *
 * Protocol. A waiter stores its target in its slot and lowers min_target
 * under the spinlock, then (after a barrier) reads the replay position; if not
 * reached it sleeps on its latch. The startup process, after each replayed
 * record, publishes the record's end in replayed_through, issues a barrier,
 * and reads min_target; if some waiter is reached it takes the spinlock, sets
 * the latch of every reached waiter and recomputes min_target. Each side
 * writes before it reads the other's value, so no wake-up is lost.
 *
 * The wrapper. PostgreSQL 15 reads RmgrTable by value for every replayed
 * record and made it writable (for custom resource managers). In the
 * postmaster, _PG_init replaces rm_redo of each built-in resource manager
 * with one wrapper that calls the original and then publishes; the startup
 * process inherits it at fork. It runs in the startup process, where any
 * ERROR stops the standby: it never raises, allocates or calls C++; it
 * publishes record->EndRecPtr itself because lastReplayedEndRecPtr is only
 * updated after rm_redo returns.
 *
 * Promotion. Nothing wakes a backend when recovery ends, so one waiter, the
 * watcher (watcher_slot: the first to register; when it leaves it hands the
 * role to the lowest used slot and sets that waiter's latch), re-checks every
 * 100 ms and, once recovery has ended, sets every waiter's latch. The others
 * sleep until woken or their deadline: 1,000 waiters cost one 100 ms timer,
 * not 10,000 wake-ups a second. Shutdown, cancel and postmaster death reach
 * every waiter through its own latch. Without the preload waiters poll with
 * backoff instead.
 */
#include "common/sqlstate.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/gucs.hpp"
#include "glue/waiters.hpp"

namespace readscale::pg {

namespace {

struct WaiterSlot {
	XLogRecPtr target; /* InvalidXLogRecPtr when free */
	int procno;
	bool woken;
};

struct WaitShared {
	slock_t mutex;
	pg_atomic_uint64 replayed_through;
	pg_atomic_uint64 min_target; /* PG_UINT64_MAX when nobody waits */
	pg_atomic_uint32 redo_wrapper_seen;
	pg_atomic_uint64 counters[kWaitCounterCount];
	pg_atomic_uint64 buckets[kWaitBucketCount];
	pg_atomic_uint64 wait_us_total;
	int slot_count;
	int used_slots;   /* slots at and past this index are free; scans stop here */
	int watcher_slot; /* the waiter that re-checks for promotion, or -1 */
	WaiterSlot slots[FLEXIBLE_ARRAY_MEMBER];
};
/* Shared memory holds raw bytes shared by processes: no constructors, destructors or hidden layout. */
static_assert(std::is_trivially_copyable_v<WaitShared> && std::is_standard_layout_v<WaitShared>);
static_assert(std::is_trivially_copyable_v<WaiterSlot> && std::is_standard_layout_v<WaiterSlot>);

WaitShared *shared = nullptr;
int my_slot = -1;
bool exit_callback_registered = false;
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;
void (*original_redo[RM_MAX_BUILTIN_ID + 1])(XLogReaderState *record);

Size
shared_size() {
	return add_size(offsetof(WaitShared, slots), mul_size(sizeof(WaiterSlot), static_cast<Size>(max_waiters)));
}

/* Caller holds the spinlock. */
void
recompute_min_target() {
	uint64 min = PG_UINT64_MAX;
	for (int i = 0; i < shared->used_slots; i++) {
		const WaiterSlot &slot = shared->slots[i];
		if (slot.target != InvalidXLogRecPtr && !slot.woken && slot.target < min)
			min = slot.target;
	}
	pg_atomic_write_u64(&shared->min_target, min);
}

/*
 * Startup process: never raises, never allocates. Reached waiters are marked
 * and collected under the spinlock, and their latches set after it is
 * released (SetLatch may signal), in batches of kWakeBatch.
 */
constexpr int kWakeBatch = 64;

void
wake_reached(XLogRecPtr replayed) {
	int procnos[kWakeBatch];
	int collected;
	do {
		collected = 0;
		SpinLockAcquire(&shared->mutex);
		for (int i = 0; i < shared->used_slots && collected < kWakeBatch; i++) {
			WaiterSlot &slot = shared->slots[i];
			if (slot.target != InvalidXLogRecPtr && !slot.woken && slot.target <= replayed) {
				slot.woken = true;
				procnos[collected++] = slot.procno;
			}
		}
		recompute_min_target();
		SpinLockRelease(&shared->mutex);
		for (int i = 0; i < collected; i++)
			SetLatch(&GetPGProcByNumber(procnos[i])->procLatch);
	} while (collected == kWakeBatch);
}

/*
 * Deliberately not a guarded trampoline: it runs for every replayed record in
 * the startup process, contains no C++ that can throw, and must not add work.
 */
extern "C" void
readscale_redo(XLogReaderState *record) {
	original_redo[XLogRecGetRmid(record)](record);
	if (shared == nullptr)
		return;
	XLogRecPtr end = record->EndRecPtr;
	pg_atomic_write_u64(&shared->replayed_through, end);
	pg_memory_barrier();
	if (end >= pg_atomic_read_u64(&shared->min_target))
		wake_reached(end);
}

void
request_shmem() {
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(shared_size());
}

extern "C" void
readscale_shmem_request(void) {
	guarded([]() { request_shmem(); });
}

void
attach_shmem() {
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	bool found = false;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	shared = static_cast<WaitShared *>(ShmemInitStruct("pg_readscale waiters", shared_size(), &found));
	if (!found) {
		SpinLockInit(&shared->mutex);
		pg_atomic_init_u64(&shared->replayed_through, 0);
		pg_atomic_init_u64(&shared->min_target, PG_UINT64_MAX);
		pg_atomic_init_u32(&shared->redo_wrapper_seen, 0);
		for (auto &counter : shared->counters)
			pg_atomic_init_u64(&counter, 0);
		for (auto &bucket : shared->buckets)
			pg_atomic_init_u64(&bucket, 0);
		pg_atomic_init_u64(&shared->wait_us_total, 0);
		shared->slot_count = max_waiters;
		shared->used_slots = 0;
		shared->watcher_slot = -1;
		for (int i = 0; i < max_waiters; i++)
			shared->slots[i] = WaiterSlot {InvalidXLogRecPtr, -1, false};
	}
	LWLockRelease(AddinShmemInitLock);
}

extern "C" void
readscale_shmem_startup(void) {
	guarded([]() { attach_shmem(); });
}

/* Exit callback (B3): only clears our slot. */
extern "C" void
readscale_waiter_exit(int, Datum) {
	guarded_no_throw(WARNING, []() { unregister_waiter(); });
}

} // namespace

void
install_waiter_shmem_hooks() {
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = readscale_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = readscale_shmem_startup;
}

void
install_redo_wrappers() {
	for (int id = 0; id <= RM_MAX_BUILTIN_ID; id++) {
		if (RmgrTable[id].rm_name == nullptr || RmgrTable[id].rm_redo == nullptr)
			continue;
		original_redo[id] = RmgrTable[id].rm_redo;
		RmgrTable[id].rm_redo = readscale_redo;
	}
}

bool
waiters_available() {
	return shared != nullptr;
}

const char *
wake_mode() {
	if (kCoreWakesLsnWaiters)
		return "core";
	return shared != nullptr ? "redo hook" : "polling";
}

bool
register_waiter(XLogRecPtr target) {
	if (shared == nullptr)
		return false;
	if (!exit_callback_registered) {
		before_shmem_exit(readscale_waiter_exit, 0);
		exit_callback_registered = true;
	}
	SpinLockAcquire(&shared->mutex);
	if (my_slot < 0) {
		for (int i = 0; i < shared->slot_count && my_slot < 0; i++)
			if (shared->slots[i].target == InvalidXLogRecPtr)
				my_slot = i;
	}
	if (my_slot >= 0) {
		shared->slots[my_slot] = WaiterSlot {target, MyProcNumber, false};
		shared->used_slots = Max(shared->used_slots, my_slot + 1);
		if (shared->watcher_slot < 0)
			shared->watcher_slot = my_slot;
		if (target < pg_atomic_read_u64(&shared->min_target))
			pg_atomic_write_u64(&shared->min_target, target);
	}
	SpinLockRelease(&shared->mutex);
	pg_memory_barrier();
	if (my_slot < 0)
		ereport(ERROR, (errcode(sqlstate_to_errcode(sqlstate::kConfigurationLimitExceeded)),
		                errmsg("too many sessions waiting for an LSN"),
		                errdetail("All %d waiter slots are in use.", max_waiters),
		                errhint("Raise \"readscale.max_waiters\" (needs a restart), or read from the primary.")));
	return true;
}

void
unregister_waiter() {
	if (shared == nullptr || my_slot < 0)
		return;
	int next_watcher = -1;
	SpinLockAcquire(&shared->mutex);
	WaiterSlot &slot = shared->slots[my_slot];
	/* Only the waiter holding the minimum moves it (a woken one no longer counts). */
	bool was_minimum = !slot.woken && slot.target <= pg_atomic_read_u64(&shared->min_target);
	slot = WaiterSlot {InvalidXLogRecPtr, -1, false};
	while (shared->used_slots > 0 && shared->slots[shared->used_slots - 1].target == InvalidXLogRecPtr)
		shared->used_slots--;
	if (was_minimum)
		recompute_min_target();
	if (shared->watcher_slot == my_slot) {
		shared->watcher_slot = -1;
		for (int i = 0; i < shared->used_slots && shared->watcher_slot < 0; i++)
			if (shared->slots[i].target != InvalidXLogRecPtr)
				shared->watcher_slot = i;
		if (shared->watcher_slot >= 0)
			next_watcher = shared->slots[shared->watcher_slot].procno;
	}
	SpinLockRelease(&shared->mutex);
	my_slot = -1;
	/* The new watcher may sleep without a timeout: wake it so it starts re-checking. */
	if (next_watcher >= 0)
		SetLatch(&GetPGProcByNumber(next_watcher)->procLatch);
}

bool
is_watcher() {
	return shared != nullptr && my_slot >= 0 && shared->watcher_slot == my_slot;
}

void
rearm_waiter() {
	if (shared == nullptr || my_slot < 0)
		return;
	SpinLockAcquire(&shared->mutex);
	WaiterSlot &slot = shared->slots[my_slot];
	if (slot.woken) {
		slot.woken = false;
		if (slot.target < pg_atomic_read_u64(&shared->min_target))
			pg_atomic_write_u64(&shared->min_target, slot.target);
	}
	SpinLockRelease(&shared->mutex);
	pg_memory_barrier();
}

void
wake_all_waiters() {
	if (shared == nullptr)
		return;
	int procnos[kWakeBatch];
	for (int from = 0;; from += kWakeBatch) {
		int collected = 0;
		SpinLockAcquire(&shared->mutex);
		for (int i = from; i < shared->used_slots && i < from + kWakeBatch; i++)
			if (shared->slots[i].target != InvalidXLogRecPtr && i != my_slot)
				procnos[collected++] = shared->slots[i].procno;
		bool more = from + kWakeBatch < shared->used_slots;
		SpinLockRelease(&shared->mutex);
		for (int i = 0; i < collected; i++)
			SetLatch(&GetPGProcByNumber(procnos[i])->procLatch);
		if (!more)
			return;
	}
}

XLogRecPtr
replayed_position(TimeLineID *timeline) {
	XLogRecPtr replayed = GetXLogReplayRecPtr(timeline);
	if (shared != nullptr) {
		XLogRecPtr published = pg_atomic_read_u64(&shared->replayed_through);
		if (published > replayed)
			replayed = published;
	}
	return replayed;
}

void
count(WaitCounter counter) {
	if (shared != nullptr)
		pg_atomic_fetch_add_u64(&shared->counters[counter], 1);
}

void
count_wait_time(int64 elapsed_us) {
	if (shared == nullptr)
		return;
	static constexpr int64 kBounds[kWaitBucketCount - 1] = {1000, 5000, 20000, 100000, 1000000};
	int bucket = 0;
	while (bucket < kWaitBucketCount - 1 && elapsed_us >= kBounds[bucket])
		bucket++;
	pg_atomic_fetch_add_u64(&shared->buckets[bucket], 1);
	pg_atomic_fetch_add_u64(&shared->wait_us_total, static_cast<uint64>(elapsed_us));
}

bool
read_wait_stats(WaitStatsSnapshot *out) {
	if (shared == nullptr)
		return false;
	for (int i = 0; i < kWaitCounterCount; i++)
		out->counters[i] = pg_atomic_read_u64(&shared->counters[i]);
	for (int i = 0; i < kWaitBucketCount; i++)
		out->buckets[i] = pg_atomic_read_u64(&shared->buckets[i]);
	out->wait_us_total = pg_atomic_read_u64(&shared->wait_us_total);
	return true;
}

} // namespace readscale::pg
