/*
 * replay_blocker.hpp: what blocks WAL replay on a standby, as plain decisions
 * (the facts come from glue/replay_blockers.cpp).
 *
 * - classify_replay_wait(): the startup process's wait event says which
 *   recovery conflict replay is in: any Lock wait (an AccessExclusiveLock a standby
 *   query holds a conflicting lock against), BufferPin/BufferPin (a cleanup
 *   lock on a page a standby scan pins), IPC/RecoveryConflictSnapshot (vacuum
 *   cleanup that standby snapshots still need), IPC/RecoveryConflictTablespace
 *   (a dropped tablespace with temporary files in use). Anything else (waiting
 *   for WAL, paused, apply delay) is not a conflict with a query.
 * - cancel_deadline_us(): when PostgreSQL cancels the conflicting queries. Its
 *   clock (GetStandbyLimitTime() in standby.c) starts when the WAL being
 *   replayed was received, not when the wait began, and runs for
 *   max_standby_streaming_delay when that WAL came from streaming, otherwise
 *   max_standby_archive_delay; -1 waits forever.
 * - replay_blocker_reason(): one line naming the blocker, e.g. "replay blocked
 *   8.2 s by pid 4711 (application 'reports') holding AccessShareLock on
 *   public.t". A lock holder is certain; for a buffer pin or a snapshot the
 *   backends are candidates ("possibly"), since which backend pins a page or
 *   which snapshot conflicts is private to each backend.
 * - truncate_utf8(): query text cut at a character boundary.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace readscale {

enum class ReplayConflict { kNone, kLock, kBufferPin, kSnapshot, kTablespace };

ReplayConflict classify_replay_wait(std::string_view wait_event_type, std::string_view wait_event) noexcept;

/* "lock", "bufferpin", "snapshot", "tablespace"; "none" for kNone. */
const char *replay_conflict_name(ReplayConflict conflict) noexcept;

/* The inverse of replay_conflict_name(); kNone for anything else. */
ReplayConflict replay_conflict_from_name(std::string_view name) noexcept;

/* Whether the conflict's blockers are certain (lock holders) or candidates. */
bool replay_blockers_certain(ReplayConflict conflict) noexcept;

struct CancelClock {
	std::int64_t received_at_us = 0; /* receipt time of the WAL being replayed; 0 = unknown */
	bool from_stream = true;
	std::int64_t streaming_delay_ms = 30000;
	std::int64_t archive_delay_ms = 30000;
};

/* "max_standby_streaming_delay" or "max_standby_archive_delay", whichever the clock runs on. */
const char *cancel_setting_name(const CancelClock &clock) noexcept;

/* When PostgreSQL cancels the blockers (microseconds, the clock's epoch); nothing for never or unknown. */
std::optional<std::int64_t> cancel_deadline_us(const CancelClock &clock) noexcept;

/* Milliseconds from now_us until deadline_us, never negative (0: cancellation is due). */
std::int64_t ms_until(std::int64_t deadline_us, std::int64_t now_us) noexcept;

/* Milliseconds from since_us until now_us, never negative. */
std::int64_t ms_since(std::int64_t since_us, std::int64_t now_us) noexcept;

struct BlockerFacts {
	ReplayConflict conflict = ReplayConflict::kNone;
	std::int64_t blocked_ms = 0;
	std::optional<std::int32_t> pid;      /* absent: no blocking backend found */
	std::string_view application_name;    /* "" is left out */
	std::string_view held_mode;           /* the lock mode the backend holds, "" unknown */
	std::string_view relation;            /* "" unknown */
	std::optional<std::int64_t> xmin_age; /* snapshot conflicts */
};

std::string replay_blocker_reason(const BlockerFacts &facts);

/*
 * The replay budget (readscale.replay_budget, OLTP replicas only): whether to
 * cancel a blocker before max_standby_*_delay would. Only where the signal
 * reaches the real blocker: a lock holder (certain), or a buffer-pin
 * candidate (PostgreSQL's buffer-pin signal is ignored by a backend that does
 * not pin the page replay waits for). Snapshot candidates are left to
 * max_standby_*_delay: cancelling them could hit queries that do not conflict.
 */
enum class BudgetAction { kNone, kCancelLockHolder, kCancelPinHolder };

BudgetAction replay_budget_action(ReplayConflict conflict, std::int64_t blocked_ms, std::int64_t budget_ms,
                                  bool oltp) noexcept;

/* At most max_bytes bytes of text, cut before an incomplete UTF-8 sequence, "..." appended when cut. */
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

} // namespace readscale

#include "common/cpp_only.hpp"
