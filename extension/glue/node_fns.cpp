/*
 * node_fns.cpp: readscale.node_role() and readscale.current_token().
 */
#include "common/error.hpp"
#include "common/sqlstate.hpp"
#include "core/token.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/node_fns.hpp"

namespace readscale::pg {

/*
 * A token taken inside the transaction that wrote cannot cover that write (its
 * commit record does not exist yet): "INSERT ...; SELECT current_token()" sent
 * as one query string is one implicit transaction. Refuse rather than hand out
 * a token that silently misses the caller's own write.
 */
void
require_no_uncommitted_writes() {
	if (TransactionIdIsValid(GetTopTransactionIdIfAny()))
		throw Error(sqlstate::kObjectNotInPrerequisiteState, "this transaction has not committed its writes yet",
		            "A token taken before COMMIT cannot cover this transaction's own changes.",
		            "Take the token after COMMIT, in a separate statement or transaction (a query string with "
		            "several statements runs as one transaction).");
}

} // namespace readscale::pg

READSCALE_SQL_FUNCTION(readscale_node_role) {
	(void)fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(RecoveryInProgress() ? "standby" : "primary"));
}

READSCALE_SQL_FUNCTION(readscale_current_token) {
	(void)fcinfo;
	if (RecoveryInProgress())
		throw readscale::Error(readscale::sqlstate::kObjectNotInPrerequisiteState, "recovery is in progress",
		                       "A read-your-writes token names WAL written by the primary.",
		                       "Call readscale.current_token() on the primary, after the write.");
	readscale::pg::require_no_uncommitted_writes();
	XLogRecPtr token = readscale::choose_primary_token(XactLastCommitEnd, GetFlushRecPtr(nullptr));
	PG_RETURN_LSN(token);
}
