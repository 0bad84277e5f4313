/*
 * slot_policy.hpp: the replication-slot retention guard's model (pure C++).
 *
 * - SlotPolicy: the thresholds that apply to one slot: retained WAL bytes
 *   (warning, critical), how long the slot may stay inactive, the largest
 *   share of the pg_wal filesystem it may pin (0..1), the action when it is
 *   critical (warn or drop) and whether it is protected. A negative limit is
 *   disabled. Which readscale.slot_policy row applies is decided by
 *   most_specific_match() from lag_verdict.hpp (same LIKE patterns and
 *   tie-breaking as lag_policy); without a row, the GUC defaults apply and the
 *   action is warn.
 * - judge_slot(): ok | warning | critical plus a reason. A slot whose WAL is
 *   "lost" is critical; retained bytes, inactivity and disk share over their
 *   limits are critical; retained bytes over warning or wal_status
 *   "unreserved" are warnings.
 *   A slot PostgreSQL invalidated (invalidation_reason, 17+) is critical
 *   first, with the reason explained; so is a physical slot listed in the
 *   primary's synchronized_standby_slots while inactive, because every
 *   logical walsender of the primary waits for it.
 * - decide_slot(): what the guard does with a judged slot. Only a critical
 *   slot with action drop is a drop candidate. never_drop_reason() lists the
 *   slots the guard leaves alone whatever their state: temporary slots (their
 *   owner, e.g. 19's REPACK CONCURRENTLY, drops them), synced slots (a standby
 *   cannot drop them; the slotsync worker owns them), slots listed in
 *   synchronized_standby_slots, protected ones, failover slots on a primary
 *   and, on 19 with wal_level = replica, the last valid logical slot (dropping
 *   it turns logical decoding off and invalidates every standby's logical
 *   slots) unless the policy names the slot exactly, and on a standby every
 *   slot its policy does not name exactly (the pattern is the slot's name, or
 *   has no unescaped wildcard): a standby's slots usually serve cascading
 *   replicas or failover, and a pattern written for the primary must not
 *   remove them. Beyond that, an active slot is not dropped, nor one whose
 *   max_inactive is set and not yet reached, unless it is invalidated (it can
 *   never be used again). A dry run reports what it would do.
 */
#pragma once

#include "core/lag_verdict.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace readscale {

enum class SlotAction { kNone = 0, kWarn = 1, kDrop = 2 };

/* "none", "warn" or "drop". */
const char *slot_action_name(SlotAction action) noexcept;

struct SlotPolicy {
	std::int64_t warning_bytes = -1;
	std::int64_t critical_bytes = -1;
	std::int64_t max_inactive_ms = -1;
	double max_disk_share = -1.0;
	SlotAction action = SlotAction::kWarn; /* kWarn or kDrop */
	bool is_protected = false;
	bool names_slot = false; /* the matching pattern is the slot's exact name */
};

struct SlotSample {
	bool active = false;
	std::optional<std::uint64_t> retained_bytes; /* unknown without restart_lsn */
	std::optional<std::int64_t> inactive_ms;     /* unknown until observed inactive */
	std::optional<double> disk_share;            /* retained bytes / pg_wal filesystem size */
	std::string_view wal_status;                 /* reserved | extended | unreserved | lost | "" */
	std::string_view invalidation_reason;        /* 17+: wal_removed, rows_removed, idle_timeout, ...; "": valid */
	bool temporary = false;
	bool synced = false;                               /* 17+: a standby's copy of a primary's failover slot */
	bool failover = false;                             /* 17+ */
	bool listed_in_synchronized_standby_slots = false; /* physical slot named by this primary's setting */
	bool keeps_logical_decoding_on = false;            /* 19, wal_level = replica: the last valid logical slot */
};

struct SlotJudgement {
	Verdict verdict = Verdict::kOk;
	std::string reason;
};

SlotJudgement judge_slot(const SlotSample &sample, const SlotPolicy &policy);

/* A slot name listed in synchronized_standby_slots that no slot has: critical. */
SlotJudgement judge_missing_standby_slot(std::string_view slot_name);

/* Why the guard never drops this slot under this policy ("" when it may), e.g. "temporary slot". */
std::string never_drop_reason(const SlotSample &sample, const SlotPolicy &policy, bool in_recovery);

struct SlotDecision {
	SlotAction action = SlotAction::kNone;
	bool drop = false;   /* the caller must drop the slot now */
	std::string outcome; /* "ok", "warned", "dry run: would drop", "skipped: ...", or "" when drop */
};

SlotDecision decide_slot(const SlotJudgement &judgement, const SlotSample &sample, const SlotPolicy &policy,
                         bool in_recovery, bool dry_run);

/* Whether a LIKE pattern has no unescaped wildcard. */
bool pattern_is_literal(std::string_view pattern) noexcept;

/*
 * Whether the policy pattern names this slot exactly: the pattern text is the
 * slot's name (slot names are full of "_", which users rarely escape), or it
 * has no unescaped wildcard and matches the name.
 */
bool pattern_names_slot(std::string_view pattern, std::string_view slot_name);

/*
 * The slot names of a synchronized_standby_slots value: comma-separated,
 * blanks trimmed, double quotes removed ("" inside quotes is one "), unquoted
 * names folded to lower case (as the server's identifier list does); empty
 * items dropped.
 */
std::vector<std::string> parse_slot_list(std::string_view value);

} // namespace readscale

#include "common/cpp_only.hpp"
