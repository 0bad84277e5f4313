/*
 * wait_loop.cpp: the wait itself (see waiters.cpp for how replay wakes it).
 *
 * Sleeping, 15-18: registered replay waiters sleep on their latch and are woken by
 * the startup process; only the watcher (see waiters.cpp) also re-checks
 * every 100 ms, for promotion, and wakes the others when recovery has ended.
 * Flush/write waits and backends without the preload poll with backoff (1, 2,
 * 4, then 8 ms). Every sleep is capped by the deadline, so no wait outlives
 * its timeout by more than one latch wake-up.
 *
 * 19: every wait (replay, write, flush, primary_flush), with or without the
 * preload, sleeps in core's WaitForLSN (sleep_in_core), which core wakes; the
 * checks around it (timelines, fail-fast, deadlines, promotion) stay ours.
 */
#include "common/failure.hpp"
#include "common/sqlstate.hpp"
#include "core/wait_policy.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/wait_loop.hpp"
#include "glue/waiters.hpp"

namespace readscale::pg {

namespace {

constexpr long kRecheckMs = 100;

StandbySituation
read_situation() {
	StandbySituation situation;
	situation.replay_paused = GetRecoveryPauseState() != RECOVERY_NOT_PAUSED;
	situation.min_apply_delay_ms = recovery_min_apply_delay;
	situation.receiver_streaming = WalRcv != nullptr && WalRcv->walRcvState == WALRCV_STREAMING;
	situation.receiver_connecting = WalRcv != nullptr && rs_walrcv_is_connecting(WalRcv->walRcvState);
	situation.received = GetWalRcvFlushRecPtr(nullptr, nullptr);
	return situation;
}

/*
 * C++ only, no PostgreSQL calls: copies core's reason into the POD result.
 * It runs inside wait_for_position's PG_TRY, which no exception may leave
 * (B6), so it catches everything; without a reason the wait just goes on.
 */
bool
explain_fail_fast(const StandbySituation &situation, const WaitRequest *request, WaitResult *result) noexcept {
	try {
		auto reason =
		    fail_fast_reason(situation, request->target, request->timeout_ms, request->mode, kServerLsnZeroPadded);
		if (!reason)
			return false;
		copy_truncated(result->reason, sizeof(result->reason), reason->data(), reason->size());
		return true;
	} catch (...) {
		return false;
	}
}

bool
reached(const WaitRequest *request, WaitResult *result, bool in_recovery) {
	TimeLineID timeline = 0;
	result->position = current_position(request->mode, in_recovery, &timeline);
	if (request->min_timeline != 0 && in_recovery && timeline < request->min_timeline)
		return false;
	return result->position >= request->target;
}

/*
 * Only the watcher wakes on a timer; the others sleep until replay reaches
 * their target. So the watcher also wakes them all when what fail-fast keys
 * on (receiver streaming or connecting, replay paused, apply delay) changes, or a fail-fast
 * waiter would sleep through a dead primary until its deadline.
 */
void
watch_fail_fast_signals() {
	static StandbySituation seen;
	StandbySituation now = read_situation();
	if (now.receiver_streaming != seen.receiver_streaming || now.receiver_connecting != seen.receiver_connecting ||
	    now.replay_paused != seen.replay_paused || now.min_apply_delay_ms != seen.min_apply_delay_ms)
		wake_all_waiters();
	seen = now;
}

/* The wait event for purpose, registered on first use (17+: a name of its own). */
uint32
wait_event_for(WaitPurpose purpose) {
	static uint32 registered[3];
	static constexpr const char *kNames[3] = {"ReadscaleWaitForLSN", "ReadscaleWaitForToken", "ReadscaleGate"};
	auto index = static_cast<int>(purpose);
	if (registered[index] == 0)
		registered[index] = rs_wait_event_extension(kNames[index]);
	return registered[index];
}

WaitLSNType
core_wait_type(WaitMode mode) {
	switch (mode) {
	case WaitMode::Flush:
		return WAIT_LSN_TYPE_STANDBY_FLUSH;
	case WaitMode::Write:
		return WAIT_LSN_TYPE_STANDBY_WRITE;
	case WaitMode::PrimaryFlush:
		return WAIT_LSN_TYPE_PRIMARY_FLUSH;
	default:
		return WAIT_LSN_TYPE_STANDBY_REPLAY;
	}
}

/*
 * 19: sleep in core's WaitForLSN, woken when the position passes the target, at
 * most sleep_ms (never 0: core reads 0 as no timeout). When what fail-fast keys
 * on or a causal token's timeline must be re-checked, in kRecheckMs slices
 * (each adds and removes one entry of core's pairing heap: cheap at that rate).
 * A target whose LSN is passed but whose timeline is not yet reached would
 * return at once, so that case sleeps on the latch.
 */
void
sleep_in_core(const WaitRequest *request, const WaitResult *result, long sleep_ms) {
	if (request->fail_fast || request->min_timeline != 0)
		sleep_ms = Min(sleep_ms, kRecheckMs);
	sleep_ms = Max(sleep_ms, 1);
	if (result->position >= request->target)
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, sleep_ms,
		                wait_event_for(request->purpose));
	else
		(void)WaitForLSN(core_wait_type(request->mode), request->target, static_cast<int>(sleep_ms));
}

void
run_loop(const WaitRequest *request, WaitResult *result, TimestampTz deadline, bool registered) {
	for (int round = 0;; round++) {
		ResetLatch(MyLatch);
		bool in_recovery = RecoveryInProgress();
		if (reached(request, result, in_recovery)) {
			result->outcome = WaitOutcome::Success;
			count(round == 0 ? kImmediate : kReached);
			return;
		}
		if (!in_recovery && request->mode != WaitMode::PrimaryFlush) {
			if (registered && is_watcher())
				wake_all_waiters();
			result->outcome = WaitOutcome::NotInRecovery;
			count(kNotInRecovery);
			return;
		}
		TimestampTz now = GetCurrentTimestamp();
		if (now >= deadline) {
			result->outcome = WaitOutcome::Timeout;
			count(kTimeouts);
			return;
		}
		if (registered && is_watcher())
			watch_fail_fast_signals();
		if (request->fail_fast && in_recovery && explain_fail_fast(read_situation(), request, result)) {
			result->outcome = WaitOutcome::Timeout;
			result->failed_fast = true;
			count(kTimeouts);
			count(kFailFast);
			return;
		}
		long remaining_ms = static_cast<long>((deadline - now + 999) / 1000);
		if (kCoreWakesLsnWaiters) {
			sleep_in_core(request, result, remaining_ms);
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		long sleep_ms = remaining_ms;
		if (!registered)
			sleep_ms = static_cast<long>(poll_backoff_ms(round));
		else if (is_watcher())
			sleep_ms = kRecheckMs;
		if (registered && round > 0)
			rearm_waiter();
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, Min(sleep_ms, remaining_ms),
		                wait_event_for(request->purpose));
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Core 19's deadlock rule for WAIT FOR LSN, on every major: replay may need a
 * lock this session holds (a standby takes AccessExclusiveLock to replay DROP,
 * TRUNCATE, vacuum truncation), and nothing tells the deadlock detector that
 * we wait for replay. So a standby wait that would actually sleep is refused
 * while any heavyweight lock is held. A target already reached, and a zero
 * timeout (a check, not a wait), never sleep and are allowed.
 */
void
refuse_wait_holding_locks(const WaitRequest *request, WaitResult *result) {
	if (request->mode == WaitMode::PrimaryFlush || request->timeout_ms == 0 || !RecoveryInProgress() ||
	    reached(request, result, true))
		return;
	LOCKTAG locktag;
	if (!GetAnyGrantedHeavyweightLock(&locktag))
		return;
	StringInfoData held;
	initStringInfo(&held);
	DescribeLockTag(&held, &locktag);
	ereport(ERROR, (errcode(sqlstate_to_errcode(sqlstate::kWaitWhileHoldingLocks)),
	                errmsg("cannot wait for LSN %s while this session holds locks", LsnText(request->target).text),
	                errdetail("This session holds a lock on %s. Replay may need it, and would then wait for this "
	                          "session while this session waits for replay.",
	                          held.data),
	                errhint("Wait before taking locks, e.g. as the first statement of the transaction.")));
}

} // namespace

XLogRecPtr
current_position(WaitMode mode, bool in_recovery, TimeLineID *timeline) {
	if (!in_recovery || mode == WaitMode::PrimaryFlush)
		return GetFlushRecPtr(timeline);
	switch (mode) {
	/*
	 * Replay is a floor for flush and write (as for core's WAIT FOR): what is
	 * replayed was written and flushed here, also when it came from the archive
	 * with no WAL receiver. Without it such a wait would not end, and on 19
	 * core's WaitForLSN (which uses the floor) would return at once, each time.
	 */
	case WaitMode::Flush:
		return Max(GetWalRcvFlushRecPtr(nullptr, timeline), replayed_position(nullptr));
	case WaitMode::Write:
		return Max(GetWalRcvWriteRecPtr(), replayed_position(nullptr));
	default:
		return replayed_position(timeline);
	}
}

namespace {

/* The wait itself: registers (15-18 replay waits), loops, and always unregisters. */
void
run_wait(const WaitRequest *request, WaitResult *result) {
	count(kWaits);
	TimestampTz start = GetCurrentTimestamp();
	TimestampTz deadline = start + request->timeout_ms * 1000;
	bool registered = false;
	if (request->mode == WaitMode::Replay && RecoveryInProgress() && !kCoreWakesLsnWaiters)
		registered = register_waiter(request->target);
	PG_TRY();
	{ run_loop(request, result, deadline, registered); }
	PG_CATCH();
	{
		unregister_waiter();
		count(kCancelled);
		PG_RE_THROW();
	}
	PG_END_TRY();
	unregister_waiter();
	count_wait_time(GetCurrentTimestamp() - start);
}

} // namespace

void
wait_for_position(const WaitRequest *request, WaitResult *result) {
	result->outcome = WaitOutcome::Timeout;
	result->failed_fast = false;
	result->reason[0] = '\0';
	refuse_wait_holding_locks(request, result);
	/*
	 * Begun on a primary, a standby mode waits for the flush: a target past the
	 * flushed WAL (a session's asynchronous commit, or WAL of a transaction
	 * without an xid) is not lost WAL, and "not in recovery" would claim a promotion.
	 */
	if (request->mode != WaitMode::PrimaryFlush && !RecoveryInProgress()) {
		WaitRequest on_primary = *request;
		on_primary.mode = WaitMode::PrimaryFlush;
		run_wait(&on_primary, result);
		return;
	}
	run_wait(request, result);
}

} // namespace readscale::pg
