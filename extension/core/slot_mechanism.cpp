/*
 * slot_mechanism.cpp: which mechanism acts first on a slot; see
 * slot_mechanism.hpp for the rule.
 */
#include "core/slot_mechanism.hpp"

#include <algorithm>
#include <optional>

namespace readscale {

namespace {

/* The used share of a limit (a negative limit: none). */
std::optional<double>
share(double used, double limit) {
	if (limit < 0)
		return std::nullopt;
	if (limit == 0)
		return used > 0 ? 1e300 : 0.0;
	return used / limit;
}

std::optional<double>
guard_progress(const SlotSample &sample, const SlotPolicy &policy, bool in_recovery) {
	if (policy.action != SlotAction::kDrop || !never_drop_reason(sample, policy, in_recovery).empty())
		return std::nullopt;
	if (sample.active)
		return 0.0;
	double inactive = static_cast<double>(sample.inactive_ms.value_or(0));
	double retained = static_cast<double>(sample.retained_bytes.value_or(0));
	std::optional<double> critical;
	for (auto part : {share(retained, static_cast<double>(policy.critical_bytes)),
	                  share(sample.disk_share.value_or(0), policy.max_disk_share),
	                  share(inactive, static_cast<double>(policy.max_inactive_ms))})
		if (part)
			critical = std::max(critical.value_or(0), *part);
	if (!critical)
		return std::nullopt; /* no limit makes it critical (bar "lost"): the guard never acts */
	auto inactive_share = share(inactive, static_cast<double>(policy.max_inactive_ms));
	return inactive_share ? std::min(*critical, *inactive_share) : *critical;
}

std::optional<double>
keep_size_progress(const SlotSample &sample, const CoreSlotLimits &limits) {
	if (!sample.retained_bytes)
		return std::nullopt;
	return share(static_cast<double>(*sample.retained_bytes), static_cast<double>(limits.keep_size_bytes));
}

std::optional<double>
idle_timeout_progress(const SlotSample &sample, const CoreSlotLimits &limits) {
	if (limits.idle_timeout_ms <= 0 || sample.synced || !sample.retained_bytes)
		return std::nullopt;
	if (sample.active)
		return 0.0;
	return share(static_cast<double>(sample.inactive_ms.value_or(0)), static_cast<double>(limits.idle_timeout_ms));
}

} // namespace

const char *
slot_mechanism_name(SlotMechanism mechanism) noexcept {
	switch (mechanism) {
	case SlotMechanism::kGuard:
		return "guard";
	case SlotMechanism::kKeepSize:
		return "max_slot_wal_keep_size";
	case SlotMechanism::kIdleTimeout:
		return "idle_replication_slot_timeout";
	case SlotMechanism::kNone:
		break;
	}
	return nullptr;
}

SlotMechanism
first_mechanism(const SlotSample &sample, const SlotPolicy &policy, const CoreSlotLimits &limits, bool in_recovery) {
	bool guard_applies = policy.action == SlotAction::kDrop && never_drop_reason(sample, policy, in_recovery).empty();
	if (!sample.invalidation_reason.empty())
		return guard_applies ? SlotMechanism::kGuard : SlotMechanism::kNone;
	SlotMechanism best = SlotMechanism::kNone;
	double best_share = -1.0;
	auto consider = [&](SlotMechanism mechanism, std::optional<double> progress) {
		if (progress && *progress > best_share) {
			best = mechanism;
			best_share = *progress;
		}
	};
	consider(SlotMechanism::kGuard, guard_progress(sample, policy, in_recovery));
	consider(SlotMechanism::kKeepSize, keep_size_progress(sample, limits));
	consider(SlotMechanism::kIdleTimeout, idle_timeout_progress(sample, limits));
	return best;
}

} // namespace readscale
