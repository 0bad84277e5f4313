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

/* What each invalidation means for the operator (pg_replication_slots.invalidation_reason, 17-19; 16: conflicting). */
std::string
invalidation_text(std::string_view reason) {
	std::string what;
	if (reason == "wal_removed")
		what = ": WAL it needed was removed (max_slot_wal_keep_size)";
	else if (reason == "rows_removed")
		what = ": catalog rows it needed were removed";
	else if (reason == "wal_level_insufficient")
		what = ": wal_level on the primary is below logical";
	else if (reason == "conflicting") /* 16, which has no invalidation_reason */
		what = ": it conflicted with recovery (catalog rows removed, or wal_level below logical on the primary)";
	else if (reason == "idle_timeout")
		what = ": inactive longer than idle_replication_slot_timeout";
	return "invalidated (" + std::string(reason) + ")" + what + "; it can never be used again";
}

char
fold(char c) noexcept {
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
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
	if (!sample.invalidation_reason.empty())
		return {Verdict::kCritical, invalidation_text(sample.invalidation_reason)};
	if (sample.listed_in_synchronized_standby_slots && !sample.active)
		return {Verdict::kCritical, "listed in synchronized_standby_slots and inactive, so every logical walsender on "
		                            "this primary waits for it"};
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

SlotJudgement
judge_missing_standby_slot(std::string_view slot_name) {
	return {Verdict::kCritical,
	        "synchronized_standby_slots lists \"" + std::string(slot_name) +
	            "\", which does not exist, so every logical walsender on this primary waits for it"};
}

std::string
never_drop_reason(const SlotSample &sample, const SlotPolicy &policy, bool in_recovery) {
	if (sample.temporary)
		return "temporary slot";
	if (sample.synced)
		return "synced from the primary";
	if (sample.listed_in_synchronized_standby_slots)
		return "listed in synchronized_standby_slots";
	if (policy.is_protected)
		return "protected";
	if (sample.failover && !in_recovery && !policy.names_slot)
		return "failover slot, the policy does not name it";
	if (sample.keeps_logical_decoding_on && !policy.names_slot)
		return "last valid logical slot, dropping it turns logical decoding off";
	if (in_recovery && !policy.names_slot)
		return "on a standby, the policy does not name the slot";
	return "";
}

SlotDecision
decide_slot(const SlotJudgement &judgement, const SlotSample &sample, const SlotPolicy &policy, bool in_recovery,
            bool dry_run) {
	if (judgement.verdict == Verdict::kOk)
		return {SlotAction::kNone, false, "ok"};
	if (sample.temporary) /* its owner drops it; nobody to warn */
		return {SlotAction::kNone, false, "skipped: temporary slot"};
	if (judgement.verdict == Verdict::kWarning || policy.action != SlotAction::kDrop)
		return {SlotAction::kWarn, false, "warned"};
	std::string never = never_drop_reason(sample, policy, in_recovery);
	if (!never.empty())
		return {SlotAction::kWarn, false, "skipped: " + never};
	if (sample.active)
		return {SlotAction::kWarn, false, "skipped: active"};
	bool invalidated = !sample.invalidation_reason.empty(); /* unusable: no reason to wait */
	if (!invalidated && policy.max_inactive_ms >= 0 &&
	    (!sample.inactive_ms || *sample.inactive_ms < policy.max_inactive_ms))
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

std::vector<std::string>
parse_slot_list(std::string_view value) {
	std::vector<std::string> names;
	std::string name;
	bool quoted = false, seen = false;
	auto finish = [&]() {
		while (!quoted && !name.empty() && (name.back() == ' ' || name.back() == '\t'))
			name.pop_back();
		if (!name.empty())
			names.push_back(name);
		name.clear();
		seen = false;
	};
	for (std::size_t i = 0; i < value.size(); i++) {
		char c = value[i];
		if (quoted) {
			if (c != '"')
				name += c;
			else if (i + 1 < value.size() && value[i + 1] == '"')
				name += value[++i];
			else
				quoted = false;
		} else if (c == ',') {
			finish();
		} else if (c == '"') {
			quoted = seen = true;
		} else if ((c == ' ' || c == '\t') && !seen) {
			continue;
		} else {
			name += fold(c);
			seen = true;
		}
	}
	finish();
	return names;
}

} // namespace readscale
