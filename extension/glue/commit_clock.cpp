/*
 * commit_clock.cpp: feeds and reads the primary's commit clock
 * (core/commit_clock.hpp decides; this file stores).
 *
 * Why a commit callback, not a background worker: only commits make a
 * standby's data stale (uncommitted WAL shows nothing new to readers), so
 * sampling commits measures exactly what staleness means; it needs no worker
 * to be configured or running (the health and slot workers are optional);
 * and it costs a write transaction's commit little: one compare with the
 * backend's last sampled LSN, one clock read and two atomic compare-and-swaps
 * on the shared tail, against the WAL insertion lock and ProcArrayLock the
 * commit already took. The ring's spinlock is taken once per interval
 * (100 ms) by whichever commit comes first. Read-only transactions write no
 * commit record and return at the first compare.
 *
 * The tail is two separate atomics (LSN and time), each a running maximum.
 * Writers store the time before the LSN and readers load the LSN before the
 * time, so a reader's pair never claims an LSN earlier than it was reached:
 * the bound stays a lower bound under concurrency.
 */
#include "core/commit_clock.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/commit_clock.hpp"

namespace readscale::pg {

namespace {

struct ClockShared {
	slock_t lock; /* guards ring */
	pg_atomic_uint64 tail_lsn;
	pg_atomic_uint64 tail_time; /* TimestampTz + offset: kept positive for the unsigned atomic */
	pg_atomic_uint64 due_after; /* the ring's last append + interval, read without the lock */
	CommitRing ring;
};

constexpr std::uint64_t kTimeOffset = 1ULL << 62; /* TimestampTz may be negative (before 2000) */

ClockShared *shared = nullptr;
XLogRecPtr last_sampled = InvalidXLogRecPtr; /* this backend's last commit fed to the clock */
shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

void
atomic_max(pg_atomic_uint64 *target, std::uint64_t value) {
	std::uint64_t current = pg_atomic_read_u64(target);
	while (current < value && !pg_atomic_compare_exchange_u64(target, &current, value)) {
	}
}

ClockSample
read_tail() {
	ClockSample tail;
	tail.lsn = pg_atomic_read_u64(&shared->tail_lsn);
	pg_read_barrier();
	tail.time_us = static_cast<std::int64_t>(pg_atomic_read_u64(&shared->tail_time) - kTimeOffset);
	return tail;
}

void
merge_into_tail(ClockSample commit) {
	atomic_max(&shared->tail_time, static_cast<std::uint64_t>(commit.time_us) + kTimeOffset);
	atomic_max(&shared->tail_lsn, commit.lsn);
}

/* The first commit of an interval appends the tail gathered since, then itself. */
void
append_if_due(ClockSample commit) {
	SpinLockAcquire(&shared->lock);
	if (append_due(shared->ring.last_append_us, commit.time_us)) {
		DueSamples due = next_samples(read_tail(), commit);
		shared->ring.append(due.first, commit.time_us);
		shared->ring.append(due.second, commit.time_us);
		pg_atomic_write_u64(&shared->due_after,
		                    static_cast<std::uint64_t>(commit.time_us + kCommitClockIntervalUs) + kTimeOffset);
	}
	SpinLockRelease(&shared->lock);
}

void
record_commit(XLogRecPtr end) {
	ClockSample commit {end, GetCurrentTimestamp()};
	if (static_cast<std::uint64_t>(commit.time_us) + kTimeOffset >= pg_atomic_read_u64(&shared->due_after))
		append_if_due(commit);
	merge_into_tail(commit);
}

extern "C" void
readscale_commit_clock_callback(XactEvent event, void *) {
	if (event != XACT_EVENT_COMMIT || shared == nullptr || XactLastCommitEnd == last_sampled ||
	    XactLastCommitEnd == InvalidXLogRecPtr)
		return;
	last_sampled = XactLastCommitEnd;
	guarded_no_throw(WARNING, []() { record_commit(last_sampled); });
}

extern "C" void
readscale_commit_clock_shmem_request(void) {
	guarded([]() {
		if (prev_shmem_request_hook)
			prev_shmem_request_hook();
		RequestAddinShmemSpace(sizeof(ClockShared));
	});
}

extern "C" void
readscale_commit_clock_shmem_startup(void) {
	guarded([]() {
		if (prev_shmem_startup_hook)
			prev_shmem_startup_hook();
		bool found = false;
		LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
		auto *s = static_cast<ClockShared *>(ShmemInitStruct("pg_readscale commit clock", sizeof(ClockShared), &found));
		if (!found) {
			SpinLockInit(&s->lock);
			pg_atomic_init_u64(&s->tail_lsn, 0);
			pg_atomic_init_u64(&s->tail_time, 0);
			pg_atomic_init_u64(&s->due_after, 0);
			s->ring.reset();
		}
		LWLockRelease(AddinShmemInitLock);
		shared = s;
	});
}

} // namespace

void
install_commit_clock() {
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = readscale_commit_clock_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = readscale_commit_clock_shmem_startup;
	RegisterXactCallback(readscale_commit_clock_callback, nullptr);
}

bool
commit_clock_staleness(std::uint64_t replay_lsn, std::int64_t now_us, std::optional<std::int64_t> reply_us,
                       std::int64_t *staleness) {
	if (shared == nullptr)
		return false;
	SpinLockAcquire(&shared->lock);
	std::optional<std::int64_t> first = shared->ring.first_time_after(replay_lsn, read_tail());
	SpinLockRelease(&shared->lock);
	*staleness = staleness_us(first, now_us, reply_us);
	return true;
}

} // namespace readscale::pg
