/*
 * causal_token.hpp: failover-aware read-your-writes tokens.
 *
 * A bare LSN is timeline-blind: after a failover the new primary may never
 * have had the write, yet its LSNs go on past the token. A causal token also
 * carries the cluster's system identifier and the timeline the write was on:
 *
 *     rs1:<system identifier, decimal>:<timeline>:<LSN as X/X>
 *
 * It applies on a node of the same cluster when the token's timeline is the
 * node's, or is in the node's timeline history and the token's LSN is not
 * past the point where the history left that timeline (a write after the
 * switch point existed only on the lost branch).
 */
#pragma once

#include "common/error.hpp"
#include "core/lsn.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace readscale {

struct CausalToken {
	std::uint64_t system_identifier = 0;
	std::uint32_t timeline = 0;
	Lsn lsn = kInvalidLsn;
};

/* One ancestor timeline of the node and the LSN where the node's history switched away from it. */
struct TimelineSwitch {
	std::uint32_t timeline;
	Lsn switch_point;
};

/* zero_pad: the LSN as the server prints pg_lsn (format_lsn). */
std::string format_causal_token(const CausalToken &token, bool zero_pad);
Result<CausalToken> parse_causal_token(std::string_view text);

/*
 * Empty when the token applies on this node; otherwise the error to raise
 * (SQLSTATE 55R03). history holds the node's ancestor timelines (not its
 * current one). A token on a newer timeline than the node's is "not yet"
 * on a standby (can_follow: it waits until it follows that timeline) and
 * wrong on a primary, which never moves to a newer timeline by itself.
 * zero_pad: LSNs in the message as the server prints pg_lsn (format_lsn).
 */
std::optional<Error> check_token_applies(const CausalToken &token, std::uint64_t system_identifier,
                                         std::uint32_t current_timeline, const TimelineSwitch *history,
                                         std::size_t history_length, bool can_follow, bool zero_pad);

} // namespace readscale

#include "common/cpp_only.hpp"
