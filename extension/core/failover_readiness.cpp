/*
 * failover_readiness.cpp: the checks of failover_readiness.hpp in order; the
 * reason names the first that fails, or on success what the primary cannot
 * see (the standby's own synced flags).
 */
#include "core/failover_readiness.hpp"

namespace readscale {

FailoverReadiness
judge_failover_readiness(const FailoverFacts &f) {
	if (f.failover_slots == 0)
		return {std::nullopt, "no failover slots on this primary"};
	if (!f.has_physical_slot)
		return {false, "no physical replication slot: slot synchronization needs primary_slot_name"};
	if (!f.feedback_xmin)
		return {false, "its slot has no xmin: slot synchronization needs hot_standby_feedback = on"};
	if (!f.holds_logical_slots)
		return {false, "its slot has no catalog_xmin, so it holds no logical slot: no failover slot is synced there"};
	if (!f.slot_sync_connected)
		return {false, "no slot sync worker of it is connected (sync_replication_slots = on and a dbname in "
		               "primary_conninfo)"};
	if (!f.listed)
		return {false, "its slot is not in synchronized_standby_slots, so consumers may receive changes it has not "
		               "flushed"};
	if (f.slots_ahead > 0)
		return {false,
		        std::to_string(f.slots_ahead) + " of " + std::to_string(f.failover_slots) +
		            " failover slots confirmed beyond its flush_lsn: their sync waits until it flushes that WAL"};
	return {true, "slot sync worker connected, slot in synchronized_standby_slots, every failover slot flushed; "
	              "synced and not skipped is visible on the standby (slot_retention.synced, slotsync_skip_reason)"};
}

} // namespace readscale
