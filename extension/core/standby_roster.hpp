/*
 * standby_roster.hpp: which standbys a primary expects, and which of them are
 * missing (pure C++).
 *
 * pg_stat_replication lists only connected standbys, so one that stopped
 * simply vanished from standby_lag and check_lag stayed green. A standby is
 * expected when:
 *   - a physical replication slot exists (an inactive slot = its standby is away),
 *   - synchronous_standby_names names it (without "*"),
 *   - synchronized_standby_slots names its slot (PostgreSQL 17+),
 *   - a lag_policy pattern names it exactly (no wildcard),
 *   - this server saw it connected since startup (SeenStandby, forgotten
 *     after readscale.forget_standby_after or by readscale.forget_standby()).
 * A seen standby remembers the slot it streamed from, so its inactive slot
 * folds into its row instead of adding a second one.
 */
#pragma once

#include "core/lag_verdict.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace readscale {

inline constexpr std::size_t kStandbyNameSize = 64; /* NAMEDATALEN */

/* One remembered standby, plain data for shared memory. */
struct SeenStandby {
	char name[kStandbyNameSize];
	char slot[kStandbyNameSize]; /* "" when it streamed without a slot */
	std::int64_t last_seen_us;
	bool used;
};

/* Records name (and slot) as seen at now_us; false when the table is full. */
bool remember_standby(SeenStandby *table, std::size_t capacity, std::string_view name, std::string_view slot,
                      std::int64_t now_us) noexcept;
/* Forgets entries not seen for more than forget_after_us (negative: never). Returns how many. */
std::size_t forget_unseen(SeenStandby *table, std::size_t capacity, std::int64_t now_us,
                          std::int64_t forget_after_us) noexcept;
/* Forgets name; false when it was not remembered. */
bool forget_standby(SeenStandby *table, std::size_t capacity, std::string_view name) noexcept;

struct ConnectedStandby {
	std::string name;
	std::string slot; /* "" without a slot */
};

struct PhysicalSlot {
	std::string name;
	bool active = false;
};

struct ExpectedSources {
	std::vector<ConnectedStandby> connected;
	std::vector<PhysicalSlot> slots;
	std::vector<std::string> synchronous_names;  /* from synchronous_standby_names */
	std::vector<std::string> synchronized_slots; /* from synchronized_standby_slots */
	std::vector<std::string> policy_names;       /* lag_policy patterns without wildcards, unescaped */
	std::vector<SeenStandby> seen;
};

struct MissingStandby {
	std::string name;
	std::string expected_by; /* comma-separated: seen, slot, synchronous_standby_names, ... */
	std::optional<std::int64_t> last_seen_us;
};

/* The expected standbys that are not connected, ordered by name. */
std::vector<MissingStandby> missing_standbys(const ExpectedSources &sources);

/* Critical, or warning when the policy says a disconnected standby is not critical, with the reason. */
LagJudgement judge_missing(const MissingStandby &missing, bool disconnected_is_critical);

/* The name a LIKE pattern matches exactly when it has no wildcard ("\" escapes), else nothing. */
std::optional<std::string> exact_pattern_name(std::string_view pattern);

} // namespace readscale

#include "common/cpp_only.hpp"
