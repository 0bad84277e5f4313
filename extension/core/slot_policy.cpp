/*
 * slot_policy.cpp: verdicts and guard decisions for replication slots; see
 * slot_policy.hpp for the rules.
 */
#include "core/slot_policy.hpp"

#include <cstdio>

namespace readscale {

namespace {

std::string
format_share(double share) {
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.1f%%", share * 100.0);
	return buf;
}

} // namespace

const char *
slot_action_name(SlotAction action) noexcept {
	switch (action) {
	case SlotAction::kWarn:
		return "warn";
	case SlotAction::kDrop:
		return "drop";
	case SlotAction::kNone:
		break;
	}
	return "none";
}

SlotJudgement
judge_slot(const SlotSample &sample, const SlotPolicy &policy) {
	if (sample.wal_status == "lost")
		return {Verdict::kCritical, "slot has lost WAL it needs and can no longer be used"};
	std::uint64_t retained = sample.retained_bytes.value_or(0);
	if (sample.retained_bytes && policy.critical_bytes >= 0 &&
	    retained > static_cast<std::uint64_t>(policy.critical_bytes))
		return {Verdict::kCritical, "retains " + format_bytes(retained) + " of WAL, more than the critical threshold " +
		                                format_bytes(static_cast<std::uint64_t>(policy.critical_bytes))};
	if (sample.disk_share && policy.max_disk_share >= 0 && *sample.disk_share > policy.max_disk_share)
		return {Verdict::kCritical, "retains " + format_share(*sample.disk_share) +
		                                " of the pg_wal filesystem, more than the allowed " +
		                                format_share(policy.max_disk_share)};
	if (!sample.active && sample.inactive_ms && policy.max_inactive_ms >= 0 &&
	    *sample.inactive_ms > policy.max_inactive_ms)
		return {Verdict::kCritical, "inactive for " + format_ms(*sample.inactive_ms) + ", longer than the allowed " +
		                                format_ms(policy.max_inactive_ms)};
	if (sample.retained_bytes && policy.warning_bytes >= 0 &&
	    retained > static_cast<std::uint64_t>(policy.warning_bytes))
		return {Verdict::kWarning, "retains " + format_bytes(retained) + " of WAL, more than the warning threshold " +
		                               format_bytes(static_cast<std::uint64_t>(policy.warning_bytes))};
	if (sample.wal_status == "unreserved")
		return {Verdict::kWarning, "retains WAL beyond max_slot_wal_keep_size and will lose it at the next checkpoint"};
	if (!sample.retained_bytes)
		return {Verdict::kOk, "retains no WAL"};
	return {Verdict::kOk, "retains " + format_bytes(retained) + " of WAL, within the thresholds"};
}

SlotDecision
decide_slot(const SlotJudgement &judgement, const SlotSample &sample, const SlotPolicy &policy, bool in_recovery,
            bool dry_run) {
	if (judgement.verdict == Verdict::kOk)
		return {SlotAction::kNone, false, "ok"};
	if (judgement.verdict == Verdict::kWarning || policy.action != SlotAction::kDrop)
		return {SlotAction::kWarn, false, "warned"};
	if (policy.is_protected)
		return {SlotAction::kWarn, false, "skipped: protected"};
	if (sample.active)
		return {SlotAction::kWarn, false, "skipped: active"};
	if (in_recovery && !policy.names_slot)
		return {SlotAction::kWarn, false, "skipped: on a standby, the policy does not name the slot"};
	if (policy.max_inactive_ms >= 0 && (!sample.inactive_ms || *sample.inactive_ms < policy.max_inactive_ms))
		return {SlotAction::kWarn, false, "skipped: inactive for less than max_inactive"};
	if (dry_run)
		return {SlotAction::kDrop, false, "dry run: would drop"};
	return {SlotAction::kDrop, true, ""};
}

bool
pattern_is_literal(std::string_view pattern) noexcept {
	for (std::size_t i = 0; i < pattern.size(); i++) {
		if (pattern[i] == '\\') {
			i++;
			continue;
		}
		if (pattern[i] == '%' || pattern[i] == '_')
			return false;
	}
	return true;
}

bool
pattern_names_slot(std::string_view pattern, std::string_view slot_name) {
	return pattern == slot_name || (pattern_is_literal(pattern) && like_match(pattern, slot_name));
}

} // namespace readscale
