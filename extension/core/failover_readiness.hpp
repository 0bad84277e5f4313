/*
 * failover_readiness.hpp: whether promoting a standby keeps the consumers of
 * this primary's failover slots (pure C++), from what the primary itself can
 * see (17+). The synced flags live on the standby (pg_replication_slots.synced,
 * 19: slotsync_skip_reason), so the primary checks what slot synchronization
 * needs and what its absence leaves behind, in this order:
 *  1. the standby streams through a physical slot (primary_slot_name);
 *  2. that slot has an xmin, so hot_standby_feedback is on;
 *  3. that slot has a catalog_xmin, so the standby holds logical slots (the
 *     standby's feedback carries the oldest catalog_xmin of its slots; none
 *     means no failover slot is synced there);
 *  4. a slot sync worker of that standby is connected here (its query of
 *     pg_replication_slots; a one-off pg_sync_replication_slots() call is
 *     seen only while it runs);
 *  5. the slot is listed in synchronized_standby_slots, so no consumer is sent
 *     a change the standby has not flushed;
 *  6. the standby has flushed every failover slot's confirmed_flush_lsn (the
 *     slot sync skips a slot until then: 19's wal_not_flushed).
 * ready is unknown (nullopt) without failover slots; otherwise false with the
 * first check that fails, or true. The facts are those of a connected standby
 * (a disconnected one gets no readiness at all).
 */
#pragma once

#include <optional>
#include <string>

namespace readscale {

struct FailoverFacts {
	int failover_slots = 0; /* valid, non-temporary failover logical slots on this primary */
	bool has_physical_slot = false;
	bool feedback_xmin = false;       /* the physical slot's xmin is set */
	bool holds_logical_slots = false; /* the physical slot's catalog_xmin is set */
	bool slot_sync_connected = false; /* a slot sync connection of this standby is seen */
	bool listed = false;              /* the physical slot is in synchronized_standby_slots */
	int slots_ahead = 0;              /* failover slots confirmed beyond the standby's flush_lsn */
};

struct FailoverReadiness {
	std::optional<bool> ready;
	std::string reason;
};

FailoverReadiness judge_failover_readiness(const FailoverFacts &facts);

} // namespace readscale

#include "common/cpp_only.hpp"
