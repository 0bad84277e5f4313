/*
 * slot_mechanism.hpp: which mechanism acts first on a replication slot (pure
 * C++): the guard's policy (a drop), max_slot_wal_keep_size (invalidation at a
 * checkpoint, 13+) or idle_replication_slot_timeout (invalidation at a
 * checkpoint, 18+).
 *
 * Limits come in bytes (critical_bytes, max_disk_share, the keep size) and in
 * time (max_inactive, the idle timeout), and no WAL rate relates the two, so
 * the slot's progress towards each mechanism is the share of its limit
 * already used, and the mechanism with the largest share acts first (ties:
 * the guard, then the keep size, then the idle timeout). Only the keep size
 * acts on an active slot. The guard counts only when its policy drops and
 * never_drop_reason() does not exclude the slot; its progress is its critical
 * share, bounded by its max_inactive share when max_inactive is set (both
 * must be reached). The idle timeout skips synced slots and slots that reserve
 * no WAL. An invalidated slot is left to the guard (core has acted already).
 */
#pragma once

#include "core/slot_policy.hpp"

#include <cstdint>

namespace readscale {

enum class SlotMechanism { kNone = 0, kGuard = 1, kKeepSize = 2, kIdleTimeout = 3 };

/* "guard", "max_slot_wal_keep_size", "idle_replication_slot_timeout"; nullptr for kNone. */
const char *slot_mechanism_name(SlotMechanism mechanism) noexcept;

struct CoreSlotLimits {
	std::int64_t keep_size_bytes = -1; /* max_slot_wal_keep_size; -1: unlimited */
	std::int64_t idle_timeout_ms = 0;  /* idle_replication_slot_timeout; 0: off or not on this major */
};

SlotMechanism first_mechanism(const SlotSample &sample, const SlotPolicy &policy, const CoreSlotLimits &limits,
                              bool in_recovery);

} // namespace readscale

#include "common/cpp_only.hpp"
