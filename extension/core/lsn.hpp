/*
 * lsn.hpp: LSN arithmetic and text form, independent of PostgreSQL.
 *
 * The page-header rule: WAL pages start with a header (24 bytes, 40 on the
 * first page of a segment). pg_current_wal_insert_lsn() taken right after a
 * commit that ended exactly at a page boundary points *after* the next page's
 * header, a position no record ends at: a standby's replay stops at the
 * boundary until more WAL arrives, which on an idle primary can be seconds.
 * A waiter whose target lies inside a page header is therefore satisfied once
 * replay reaches the start of that page (effective_wait_target).
 */
#pragma once

#include "common/error.hpp"
#include "common/lsn_text.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace readscale {

using Lsn = std::uint64_t;

inline constexpr Lsn kInvalidLsn = 0;

/* WAL geometry of the server; PostgreSQL 15's defaults unless glue says otherwise. */
struct WalGeometry {
	std::uint32_t page_size = 8192;                   /* XLOG_BLCKSZ */
	std::uint64_t segment_size = 16u * 1024u * 1024u; /* wal_segment_size */
	std::uint32_t short_page_header = 24;             /* MAXALIGN(SizeOfXLogShortPHD) */
	std::uint32_t long_page_header = 40;              /* MAXALIGN(SizeOfXLogLongPHD) */
};

/* Parses "X/X" (each part 1 to 8 hex digits), as core's pg_lsn input does. */
Result<Lsn> parse_lsn(std::string_view text);

/*
 * PostgreSQL's LSN text form. 15-18 print "%X/%X" ("0/302DB00"); 19 zero-pads the
 * low half, "%X/%08X" ("0/0302DB00"). Glue passes the running major's choice
 * (kServerLsnZeroPadded) so our texts match the server's pg_lsn output.
 * format_lsn_into (common/lsn_text.hpp) does the same without allocating.
 */
std::string format_lsn(Lsn lsn, bool zero_pad);

/* The LSN a waiter must see replayed: target, or the page start when target is inside a page header. */
Lsn effective_wait_target(Lsn target, const WalGeometry &geometry) noexcept;

/* Bytes from behind to ahead, 0 when behind is not behind. */
inline std::uint64_t
lsn_distance(Lsn ahead, Lsn behind) noexcept {
	return ahead > behind ? ahead - behind : 0;
}

} // namespace readscale

#include "common/cpp_only.hpp"
