/*
 * waiters.hpp: glue-internal API of the waiter registry (waiters.cpp).
 */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::pg {

/* Counters behind readscale.gate_stats; kinds index WaitCounter. */
enum WaitCounter {
	kWaits = 0,     /* waits started */
	kImmediate,     /* target already reached at the first check */
	kReached,       /* reached after sleeping */
	kTimeouts,      /* timed out (including fail-fast) */
	kFailFast,      /* ended at once because waiting could not help */
	kCancelled,     /* ended by cancel, statement_timeout or termination */
	kNotInRecovery, /* the standby was promoted while waiting */
	kGateRefused,   /* gate refused a statement whose snapshot was too old */
	kWaitCounterCount
};
inline constexpr int kWaitBucketCount = 6; /* <1ms, <5ms, <20ms, <100ms, <1s, >=1s */

void install_waiter_shmem_hooks();
void install_redo_wrappers();

/* True when shared memory exists (library preloaded). */
bool waiters_available();
/* 19: "core" (core's WaitForLSN wakes waiters); before: "redo hook" when preloaded, else "polling". */
const char *wake_mode();

/* Registers MyProc for target; false when there is no shared memory. ERROR 53400 when full. */
bool register_waiter(XLogRecPtr target);
void unregister_waiter();
/* True when this waiter re-checks for promotion on behalf of all waiters. */
bool is_watcher();
/* After a wake-up that did not end the wait (timeline not reached yet): be woken again. */
void rearm_waiter();
/* Sets the latch of every other registered waiter (recovery has ended). */
void wake_all_waiters();

/* Replay position including what the redo wrapper published before lastReplayedEndRecPtr moved. */
XLogRecPtr replayed_position(TimeLineID *timeline);

void count(WaitCounter counter);
void count_wait_time(int64 elapsed_us);

struct WaitStatsSnapshot {
	uint64 counters[kWaitCounterCount];
	uint64 buckets[kWaitBucketCount];
	uint64 wait_us_total;
};
bool read_wait_stats(WaitStatsSnapshot *out);

} // namespace readscale::pg
