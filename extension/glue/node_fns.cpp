/*
 * node_fns.cpp: readscale.node_role() and readscale.current_token().
 */
#include "core/error.hpp"
#include "core/sqlstate.hpp"
#include "core/token.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"

READSCALE_SQL_FUNCTION(readscale_node_role) {
	(void) fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(RecoveryInProgress() ? "standby" : "primary"));
}

READSCALE_SQL_FUNCTION(readscale_current_token) {
	(void) fcinfo;
	if (RecoveryInProgress())
		throw readscale::Error(readscale::sqlstate::kObjectNotInPrerequisiteState, "recovery is in progress",
		                       "A read-your-writes token names WAL written by the primary.",
		                       "Call readscale.current_token() on the primary, after the write.");
	XLogRecPtr token = readscale::choose_primary_token(XactLastCommitEnd, GetFlushRecPtr(nullptr));
	PG_RETURN_LSN(token);
}
