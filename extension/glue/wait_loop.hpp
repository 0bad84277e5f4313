/*
 * wait_loop.hpp: the C-shaped wait shared by wait_for_lsn(), wait_for_token()
 * and the gate. Plain structs in, plain structs out.
 */
#pragma once

#include "common/lsn_text.hpp"
#include "core/wait_policy.hpp"

#include "bridge/postgres.hpp"

namespace readscale::pg {

/* An LSN as this server prints pg_lsn (zero-padded on 19); a plain array, so ereport may longjmp past it. */
struct LsnText {
	explicit LsnText(XLogRecPtr lsn) noexcept {
		format_lsn_into(text, lsn, kServerLsnZeroPadded);
	}
	char text[kLsnTextCapacity];
};

/* Who waits: names the wait event pg_stat_activity shows on 17+ (all are "Extension" on 15, 16). */
enum class WaitPurpose { Lsn, Token, Gate };

struct WaitRequest {
	XLogRecPtr target;
	int64 timeout_ms;
	WaitMode mode;
	bool fail_fast;
	TimeLineID min_timeline; /* 0, or the timeline replay must reach (causal tokens) */
	WaitPurpose purpose;
};

struct WaitResult {
	WaitOutcome outcome;
	XLogRecPtr position; /* the position compared at the end */
	bool failed_fast;
	char reason[512]; /* DETAIL sentence when failed_fast */
};

/*
 * Waits as requested. May ERROR on cancel, statement_timeout, a full registry, or (55R04) a standby wait
 * that would sleep while this session holds locks; never leaks its slot.
 */
void wait_for_position(const WaitRequest *request, WaitResult *result);

/* Current position for mode (on a primary: flushed WAL). */
XLogRecPtr current_position(WaitMode mode, bool in_recovery, TimeLineID *timeline);

} // namespace readscale::pg
