/*
 * wait_fns.cpp: readscale.wait_for_lsn(), is_caught_up(), current_causal_token(),
 * wait_for_token(), wake_mode() and its 0.1 name wait_mode().
 *
 * Each *_impl reads its arguments into plain values, lets core validate them
 * (throwing readscale::Error to the guard), then calls the C-shaped wait.
 */
#include "core/causal_token.hpp"
#include "common/error.hpp"
#include "core/lsn.hpp"
#include "common/failure.hpp"
#include "common/sqlstate.hpp"
#include "core/token.hpp"
#include "core/units.hpp"
#include "core/wait_policy.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/interval.hpp"
#include "glue/node_fns.hpp"
#include "glue/wait_loop.hpp"
#include "glue/waiters.hpp"

namespace rs = readscale;

namespace {

struct WaitArguments {
	rs::pg::WaitRequest request;
	rs::OnTimeout on_timeout;
};

rs::WalGeometry
server_geometry() {
	rs::WalGeometry geometry;
	geometry.page_size = XLOG_BLCKSZ;
	geometry.segment_size = static_cast<std::uint64_t>(wal_segment_size);
	geometry.short_page_header = static_cast<std::uint32_t>(SizeOfXLogShortPHD);
	geometry.long_page_header = static_cast<std::uint32_t>(SizeOfXLogLongPHD);
	return geometry;
}

void
require_argument(FunctionCallInfo fcinfo, int n, const char *name) {
	if (PG_ARGISNULL(n))
		throw rs::Error(rs::sqlstate::kNullValueNotAllowed, std::string("\"") + name + "\" must not be NULL");
}

/* Arguments (timeout interval, on_timeout text, mode text, fail_fast bool) starting at first. */
WaitArguments
read_wait_arguments(FunctionCallInfo fcinfo, int first, XLogRecPtr target) {
	require_argument(fcinfo, first, "timeout");
	require_argument(fcinfo, first + 1, "on_timeout");
	require_argument(fcinfo, first + 2, "mode");
	require_argument(fcinfo, first + 3, "fail_fast");
	auto timeout_ms = rs::timeout_ms_rounded_up(rs::pg::interval_fields(PG_GETARG_INTERVAL_P(first)));
	if (!timeout_ms)
		throw rs::Error(rs::sqlstate::kNumericValueOutOfRange, "\"timeout\" is too large");
	WaitArguments arguments {};
	arguments.request.timeout_ms = rs::validate_timeout_ms(*timeout_ms, "timeout").take();
	arguments.on_timeout = rs::parse_on_timeout(text_to_cstring(PG_GETARG_TEXT_PP(first + 1))).take();
	arguments.request.mode = rs::parse_wait_mode(text_to_cstring(PG_GETARG_TEXT_PP(first + 2))).take();
	arguments.request.fail_fast = PG_GETARG_BOOL(first + 3);
	arguments.request.target = target;
	return arguments;
}

/* An LSN as this server prints pg_lsn (zero-padded on 19). */
std::string
server_lsn_text(XLogRecPtr lsn) {
	return rs::format_lsn(lsn, kServerLsnZeroPadded);
}

void
check_role_and_target(const rs::pg::WaitRequest &request, bool in_recovery) {
	if (in_recovery && request.mode == rs::WaitMode::PrimaryFlush)
		throw rs::Error(rs::sqlstate::kObjectNotInPrerequisiteState,
		                "mode \"primary_flush\" can only be used on a primary", "",
		                "Use mode \"replay\", \"flush\" or \"write\" on a standby.");
	if (in_recovery)
		return;
	XLogRecPtr inserted = GetXLogInsertRecPtr();
	if (request.target > inserted)
		throw rs::Error(rs::sqlstate::kTokenNotApplicable,
		                "LSN " + server_lsn_text(request.target) + " is ahead of this server's WAL",
		                "This server has written WAL up to " + server_lsn_text(inserted) + ".",
		                "Check that the token was taken on this cluster's primary; "
		                "readscale.current_causal_token() gives tokens that can be checked.");
}

const char *
mode_verb(rs::WaitMode mode) {
	switch (mode) {
	case rs::WaitMode::Flush:
		return "flushed";
	case rs::WaitMode::Write:
		return "written";
	default:
		return "replayed";
	}
}

/* Runs the wait and turns its outcome into the SQL result, or an ERROR when on_timeout is "error". */
Datum
finish_wait(const WaitArguments &arguments, XLogRecPtr shown_target) {
	rs::pg::WaitResult result;
	rs::pg::wait_for_position(&arguments.request, &result);
	if (result.outcome == rs::WaitOutcome::Success || arguments.on_timeout == rs::OnTimeout::Return)
		return PointerGetDatum(cstring_to_text(rs::outcome_name(result.outcome)));
	if (result.outcome == rs::WaitOutcome::NotInRecovery)
		throw rs::Error(rs::sqlstate::kObjectNotInPrerequisiteState, "recovery is not in progress",
		                "Recovery ended before replaying target LSN " + server_lsn_text(shown_target) +
		                    "; last replay LSN " + server_lsn_text(result.position) + ".",
		                "This server was promoted; read from it as the primary, or from another standby.");
	std::string detail =
	    std::string("Last ") + mode_verb(arguments.request.mode) + " LSN is " + server_lsn_text(result.position) + ".";
	if (result.failed_fast)
		detail += std::string(" ") + result.reason;
	throw rs::Error(rs::sqlstate::kReplicaNotCaughtUp,
	                std::string("replica has not ") + mode_verb(arguments.request.mode) + " LSN " +
	                    server_lsn_text(shown_target) + " within " + std::to_string(arguments.request.timeout_ms) +
	                    " ms",
	                detail, "Read from the primary, or raise the timeout.");
}

/* The std::string is gone before the caller calls PostgreSQL (B4). */
void
format_token_into(const rs::CausalToken &token, char *buffer, std::size_t capacity) {
	std::string formatted = rs::format_causal_token(token, kServerLsnZeroPadded);
	rs::copy_truncated(buffer, capacity, formatted.data(), formatted.size());
}

} // namespace

READSCALE_SQL_FUNCTION(readscale_wait_for_lsn) {
	require_argument(fcinfo, 0, "target");
	XLogRecPtr target = PG_GETARG_LSN(0);
	WaitArguments arguments = read_wait_arguments(fcinfo, 1, target);
	bool in_recovery = RecoveryInProgress();
	check_role_and_target(arguments.request, in_recovery);
	arguments.request.target = rs::effective_wait_target(target, server_geometry());
	return finish_wait(arguments, target);
}

READSCALE_SQL_FUNCTION(readscale_is_caught_up) {
	XLogRecPtr target = PG_GETARG_LSN(0);
	bool in_recovery = RecoveryInProgress();
	XLogRecPtr position = rs::pg::current_position(rs::WaitMode::Replay, in_recovery, nullptr);
	PG_RETURN_BOOL(position >= rs::effective_wait_target(target, server_geometry()));
}

READSCALE_SQL_FUNCTION(readscale_current_causal_token) {
	(void)fcinfo;
	if (RecoveryInProgress())
		throw rs::Error(rs::sqlstate::kObjectNotInPrerequisiteState, "recovery is in progress",
		                "A causal token names WAL written by the primary.",
		                "Call readscale.current_causal_token() on the primary, after the write.");
	rs::pg::require_no_uncommitted_writes();
	TimeLineID timeline = 0;
	XLogRecPtr flushed = GetFlushRecPtr(&timeline);
	rs::CausalToken token {GetSystemIdentifier(), timeline, rs::choose_primary_token(XactLastCommitEnd, flushed)};
	char formatted[96];
	format_token_into(token, formatted, sizeof(formatted));
	PG_RETURN_TEXT_P(cstring_to_text(formatted));
}

/* C-shaped: reads this server's timeline history into palloc'd core structs. May ERROR. */
static rs::TimelineSwitch *
read_history(TimeLineID current, std::size_t *length) {
	List *history = readTimeLineHistory(current);
	auto *switches = static_cast<rs::TimelineSwitch *>(palloc(sizeof(rs::TimelineSwitch) * (list_length(history) + 1)));
	std::size_t n = 0;
	ListCell *cell;
	foreach (cell, history) {
		auto *entry = static_cast<TimeLineHistoryEntry *>(lfirst(cell));
		if (entry->tli != current)
			switches[n++] = rs::TimelineSwitch {entry->tli, entry->end};
	}
	*length = n;
	return switches;
}

static void
check_token(const rs::CausalToken &token) {
	TimeLineID timeline = 0;
	bool in_recovery = RecoveryInProgress();
	if (in_recovery)
		(void)GetXLogReplayRecPtr(&timeline);
	else
		(void)GetFlushRecPtr(&timeline);
	std::size_t length = 0;
	rs::TimelineSwitch *history = read_history(timeline, &length);
	if (auto error = rs::check_token_applies(token, GetSystemIdentifier(), timeline, history, length, in_recovery,
	                                         kServerLsnZeroPadded))
		throw *error;
}

READSCALE_SQL_FUNCTION(readscale_wait_for_token) {
	require_argument(fcinfo, 0, "token");
	rs::CausalToken token = rs::parse_causal_token(text_to_cstring(PG_GETARG_TEXT_PP(0))).take();
	check_token(token);
	WaitArguments arguments = read_wait_arguments(fcinfo, 1, token.lsn);
	bool in_recovery = RecoveryInProgress();
	check_role_and_target(arguments.request, in_recovery);
	arguments.request.target = rs::effective_wait_target(token.lsn, server_geometry());
	arguments.request.min_timeline = token.timeline;
	arguments.request.purpose = rs::pg::WaitPurpose::Token;
	Datum status = finish_wait(arguments, token.lsn);
	check_token(token); /* the node may have followed a new timeline while waiting */
	return status;
}

READSCALE_SQL_FUNCTION(readscale_wake_mode) {
	(void)fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(rs::pg::wake_mode()));
}

/* The 0.1 name, kept as an alias: SQL names and C symbols stay one-to-one. */
READSCALE_SQL_FUNCTION(readscale_wait_mode) {
	(void)fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(rs::pg::wake_mode()));
}

READSCALE_SQL_FUNCTION(readscale_gate_stats) {
	ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	InitMaterializedSRF(fcinfo, 0);
	rs::pg::WaitStatsSnapshot stats;
	if (!rs::pg::read_wait_stats(&stats))
		PG_RETURN_VOID();
	Datum values[17];
	bool nulls[17] = {};
	values[0] = CStringGetTextDatum(rs::pg::wake_mode());
	for (int i = 0; i < rs::pg::kWaitCounterCount; i++)
		values[1 + i] = Int64GetDatum(static_cast<int64>(stats.counters[i]));
	values[9] = Float8GetDatum(static_cast<double>(stats.wait_us_total) / 1000.0);
	for (int i = 0; i < rs::pg::kWaitBucketCount; i++)
		values[10 + i] = Int64GetDatum(static_cast<int64>(stats.buckets[i]));
	values[16] = TimestampTzGetDatum(PgStartTime);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	PG_RETURN_VOID();
}
