/*
 * replay_blocker.cpp: see replay_blocker.hpp.
 */
#include "core/replay_blocker.hpp"

#include "core/lag_verdict.hpp"

#include <limits>

namespace readscale {

namespace {

constexpr std::int64_t kUsPerMs = 1000;

std::string
backend_text(const BlockerFacts &facts) {
	std::string out = "pid " + std::to_string(*facts.pid);
	if (!facts.application_name.empty())
		out += " (application '" + std::string(facts.application_name) + "')";
	return out;
}

std::string
on_relation(const BlockerFacts &facts) {
	return facts.relation.empty() ? std::string() : " on " + std::string(facts.relation);
}

std::string
lock_reason(const BlockerFacts &facts) {
	if (!facts.pid)
		return " waiting for a lock" + on_relation(facts);
	std::string held = facts.held_mode.empty() ? std::string("a lock") : std::string(facts.held_mode);
	return " by " + backend_text(facts) + " holding " + held + on_relation(facts);
}

std::string
pin_reason(const BlockerFacts &facts) {
	std::string out = " by a buffer pin" + on_relation(facts);
	if (facts.pid)
		out += ", possibly held by " + backend_text(facts);
	return out;
}

std::string
snapshot_reason(const BlockerFacts &facts, const char *what) {
	std::string out = std::string(" by ") + what;
	if (facts.pid) {
		out += ", possibly with " + backend_text(facts);
		if (facts.xmin_age)
			out += " whose snapshot is " + std::to_string(*facts.xmin_age) + " transactions old";
	}
	return out;
}

} // namespace

ReplayConflict
classify_replay_wait(std::string_view wait_event_type, std::string_view wait_event) noexcept {
	if (wait_event_type == "Lock")
		return ReplayConflict::kLock;
	if (wait_event_type == "BufferPin")
		return ReplayConflict::kBufferPin;
	if (wait_event_type == "IPC" && wait_event == "RecoveryConflictSnapshot")
		return ReplayConflict::kSnapshot;
	if (wait_event_type == "IPC" && wait_event == "RecoveryConflictTablespace")
		return ReplayConflict::kTablespace;
	return ReplayConflict::kNone;
}

const char *
replay_conflict_name(ReplayConflict conflict) noexcept {
	switch (conflict) {
	case ReplayConflict::kLock:
		return "lock";
	case ReplayConflict::kBufferPin:
		return "bufferpin";
	case ReplayConflict::kSnapshot:
		return "snapshot";
	case ReplayConflict::kTablespace:
		return "tablespace";
	case ReplayConflict::kNone:
		break;
	}
	return "none";
}

ReplayConflict
replay_conflict_from_name(std::string_view name) noexcept {
	for (ReplayConflict c :
	     {ReplayConflict::kLock, ReplayConflict::kBufferPin, ReplayConflict::kSnapshot, ReplayConflict::kTablespace})
		if (name == replay_conflict_name(c))
			return c;
	return ReplayConflict::kNone;
}

bool
replay_blockers_certain(ReplayConflict conflict) noexcept {
	return conflict == ReplayConflict::kLock;
}

const char *
cancel_setting_name(const CancelClock &clock) noexcept {
	return clock.from_stream ? "max_standby_streaming_delay" : "max_standby_archive_delay";
}

std::optional<std::int64_t>
cancel_deadline_us(const CancelClock &clock) noexcept {
	std::int64_t delay_ms = clock.from_stream ? clock.streaming_delay_ms : clock.archive_delay_ms;
	if (delay_ms < 0 || clock.received_at_us == 0)
		return std::nullopt;
	std::int64_t delay_us = delay_ms * kUsPerMs; /* an int GUC in ms: cannot overflow */
	if (clock.received_at_us > std::numeric_limits<std::int64_t>::max() - delay_us)
		return std::nullopt;
	return clock.received_at_us + delay_us;
}

std::int64_t
ms_until(std::int64_t deadline_us, std::int64_t now_us) noexcept {
	return deadline_us <= now_us ? 0 : (deadline_us - now_us) / kUsPerMs;
}

std::int64_t
ms_since(std::int64_t since_us, std::int64_t now_us) noexcept {
	return since_us >= now_us ? 0 : (now_us - since_us) / kUsPerMs;
}

std::string
replay_blocker_reason(const BlockerFacts &facts) {
	std::string out = "replay blocked " + format_ms(facts.blocked_ms);
	switch (facts.conflict) {
	case ReplayConflict::kLock:
		return out + lock_reason(facts);
	case ReplayConflict::kBufferPin:
		return out + pin_reason(facts);
	case ReplayConflict::kSnapshot:
		return out + snapshot_reason(facts, "a snapshot conflict");
	case ReplayConflict::kTablespace:
		return out + snapshot_reason(facts, "a tablespace drop");
	case ReplayConflict::kNone:
		break;
	}
	return "replay is not blocked by a query";
}

BudgetAction
replay_budget_action(ReplayConflict conflict, std::int64_t blocked_ms, std::int64_t budget_ms, bool oltp) noexcept {
	if (!oltp || budget_ms < 0 || blocked_ms < budget_ms)
		return BudgetAction::kNone;
	if (conflict == ReplayConflict::kLock)
		return BudgetAction::kCancelLockHolder;
	if (conflict == ReplayConflict::kBufferPin)
		return BudgetAction::kCancelPinHolder;
	return BudgetAction::kNone;
}

std::string
truncate_utf8(std::string_view text, std::size_t max_bytes) {
	static constexpr std::string_view kEllipsis = "...";
	if (text.size() <= max_bytes)
		return std::string(text);
	bool room = max_bytes >= kEllipsis.size();
	std::size_t cut = room ? max_bytes - kEllipsis.size() : max_bytes;
	/* Back up over continuation bytes (10xxxxxx) so the cut lands on a character start. */
	while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
		cut--;
	return std::string(text.substr(0, cut)) + std::string(room ? kEllipsis : std::string_view());
}

} // namespace readscale
