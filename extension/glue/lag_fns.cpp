/*
 * lag_fns.cpp: the SQL functions behind the lag SLA views (readscale.standby_lag,
 * readscale.local_lag, readscale.check_lag) and readscale.assert_fresh();
 * the rows of readscale.standby_lag are standby_lag.cpp's.
 *
 * Shape of every function here: a C-shaped _impl (plain locals only) reads its
 * arguments and server state, hands plain values to a small C++ helper that
 * asks the core (lag_verdict.hpp) and returns plain values, then builds the
 * result with PostgreSQL calls, which may ERROR (longjmp) safely because no
 * C++ object is alive in this frame or the guard's.
 */
#include "core/lag_verdict.hpp"
#include "core/units.hpp"
#include "common/failure.hpp"
#include "common/sqlstate.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/interval.hpp"
#include "glue/lag_fns.hpp"
#include "glue/gucs.hpp"
#include "glue/staleness.hpp"

using readscale::pg::interval_ms;

namespace readscale::pg {

Datum
ms_interval(std::int64_t ms) {
	auto *iv = static_cast<Interval *>(palloc0(sizeof(Interval)));
	iv->time = readscale::ms_to_microseconds_saturated(ms);
	return IntervalPGetDatum(iv);
}

/* No PostgreSQL calls: C++ objects live here. */
readscale::Verdict
judge_sample(const char *state, std::int64_t bytes, const std::int64_t *lag_ms, const readscale::LagThresholds *t,
             char *reason) {
	readscale::LagSample sample;
	sample.state = state;
	sample.bytes = bytes < 0 ? 0 : static_cast<std::uint64_t>(bytes);
	if (lag_ms != nullptr)
		sample.lag_ms = *lag_ms;
	readscale::LagJudgement j = readscale::judge_lag(sample, *t);
	readscale::copy_truncated(reason, kReasonCapacity, j.reason.data(), j.reason.size());
	return j.verdict;
}

/* No PostgreSQL calls. Index of the most specific pattern, or -1. */
int
pick_policy(const char *const *patterns, const bool *nulls, int count, const char *name) {
	std::vector<std::string_view> views;
	std::vector<int> positions;
	for (int i = 0; i < count; i++) {
		if (nulls[i])
			continue;
		views.emplace_back(patterns[i]);
		positions.push_back(i);
	}
	auto best = readscale::most_specific_match(views, name);
	return best ? positions[*best] : -1;
}

/* No PostgreSQL calls; throws the 55R02 Error when the standby is too stale. */
void
require_fresh(bool has_staleness, std::int64_t staleness_ms, std::uint64_t unreplayed, std::int64_t max_ms,
              std::int64_t max_bytes) {
	auto error = readscale::check_freshness(has_staleness ? std::optional<std::int64_t>(staleness_ms) : std::nullopt,
	                                        unreplayed, max_ms, max_bytes);
	if (error)
		throw *error;
}

/* Local staleness from this standby's shared state; false when unknown. C-shaped, cannot ERROR. */
bool
local_staleness(std::int64_t *staleness_ms, std::uint64_t *unreplayed) {
	XLogRecPtr receive = GetWalRcvFlushRecPtr(nullptr, nullptr);
	XLogRecPtr replay = GetXLogReplayRecPtr(nullptr);
	TimestampTz last_xact = GetLatestXTime();
	TimestampTz now = GetCurrentTimestamp();
	*unreplayed = readscale::lsn_distance(receive, replay);
	auto staleness = readscale::local_staleness_ms(
	    receive, replay, now, last_xact != 0 ? std::optional<std::int64_t>(last_xact) : std::nullopt);
	SpinLockAcquire(&WalRcv->mutex);
	bool connecting = rs_walrcv_is_connecting(WalRcv->walRcvState);
	TimestampTz last_contact = WalRcv->lastMsgReceiptTime;
	SpinLockRelease(&WalRcv->mutex);
	if (connecting) /* 19: nothing arrives while connecting (core/lag_verdict.hpp) */
		staleness = readscale::connecting_staleness_ms(
		    staleness, now, last_contact != 0 ? std::optional<std::int64_t>(last_contact) : std::nullopt);
	if (staleness)
		*staleness_ms = *staleness;
	return staleness.has_value();
}

} // namespace readscale::pg

using readscale::pg::judge_sample;
using readscale::pg::kReasonCapacity;
using readscale::pg::local_staleness;
using readscale::pg::ms_interval;
using readscale::pg::pick_policy;
using readscale::pg::require_fresh;

/* _lag_verdict(state, bytes, lag, warning_lag, critical_lag, warning_bytes, critical_bytes, non_streaming_is_critical)
 */
READSCALE_SQL_FUNCTION(readscale_lag_verdict) {
	using namespace readscale::pg;
	readscale::LagThresholds t;
	t.warning_ms = PG_ARGISNULL(3) ? lag_warning_ms : interval_ms(PG_GETARG_INTERVAL_P(3));
	t.critical_ms = PG_ARGISNULL(4) ? lag_critical_ms : interval_ms(PG_GETARG_INTERVAL_P(4));
	t.warning_bytes = PG_ARGISNULL(5) ? readscale::kb_to_bytes(lag_warning_kb) : PG_GETARG_INT64(5);
	t.critical_bytes = PG_ARGISNULL(6) ? readscale::kb_to_bytes(lag_critical_kb) : PG_GETARG_INT64(6);
	t.non_streaming_is_critical = PG_ARGISNULL(7) ? true : PG_GETARG_BOOL(7);
	const char *state = PG_ARGISNULL(0) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	std::int64_t bytes = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1);
	std::int64_t lag_ms = PG_ARGISNULL(2) ? 0 : interval_ms(PG_GETARG_INTERVAL_P(2));
	char reason[kReasonCapacity];
	readscale::Verdict verdict = judge_sample(state, bytes, PG_ARGISNULL(2) ? nullptr : &lag_ms, &t, reason);

	TupleDesc desc;
	if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	Datum values[2] = {CStringGetTextDatum(readscale::verdict_name(verdict)), CStringGetTextDatum(reason)};
	bool nulls[2] = {false, false};
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/*
 * _match_policy() and _effective_lag() below exist only because
 * pg_readscale--0.1.sql creates them (CREATE FUNCTION looks the symbol up);
 * 0.2 drops them from the catalog. Delete them with the 0.1 scripts.
 */

/* _match_policy(application_name text, patterns text[]) -> 1-based index of the most specific match, or NULL */
READSCALE_SQL_FUNCTION(readscale_match_policy) {
	const char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(array) > 1)
		throw readscale::Error(readscale::sqlstate::kInvalidParameterValue,
		                       "\"patterns\" must be a one-dimensional array");
	Datum *elems;
	bool *elem_nulls;
	int count;
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &count);
	auto **patterns = static_cast<const char **>(palloc0(sizeof(char *) * (count + 1)));
	for (int i = 0; i < count; i++)
		patterns[i] = elem_nulls[i] ? nullptr : TextDatumGetCString(elems[i]);
	int best = pick_policy(patterns, elem_nulls, count, name);
	if (best < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(best + 1);
}

/* _valid_pattern(pattern text) -> boolean, for lag_policy's CHECK constraint */
READSCALE_SQL_FUNCTION(readscale_valid_pattern) {
	const char *pattern = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PG_RETURN_BOOL(readscale::validate_pattern(pattern).ok());
}

/* _effective_lag(reported interval, streaming boolean, caught_up boolean): NULL-when-idle handled */
READSCALE_SQL_FUNCTION(readscale_effective_lag) {
	std::int64_t reported = PG_ARGISNULL(0) ? 0 : interval_ms(PG_GETARG_INTERVAL_P(0));
	bool streaming = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	bool caught_up = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	auto lag = readscale::effective_time_lag_ms(PG_ARGISNULL(0) ? std::nullopt : std::optional<std::int64_t>(reported),
	                                            streaming, caught_up);
	if (!lag)
		PG_RETURN_NULL();
	if (!PG_ARGISNULL(0))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); /* keep microsecond precision */
	return ms_interval(*lag);
}

/* _local_staleness() -> interval, NULL on a primary or when unknown */
READSCALE_SQL_FUNCTION(readscale_local_staleness) {
	(void)fcinfo;
	std::int64_t staleness_ms = 0;
	std::uint64_t unreplayed = 0;
	if (!RecoveryInProgress() || !local_staleness(&staleness_ms, &unreplayed))
		PG_RETURN_NULL();
	return ms_interval(staleness_ms);
}

/*
 * assert_fresh(max_staleness interval DEFAULT NULL, max_lag interval DEFAULT NULL):
 * raises 55R02 on a standby staler than allowed. max_lag is the 0.1 name of
 * max_staleness; the 0.1 script declares only that one argument.
 */
READSCALE_SQL_FUNCTION(readscale_assert_fresh) {
	bool has_staleness = !PG_ARGISNULL(0);
	bool has_alias = PG_NARGS() > 1 && !PG_ARGISNULL(1);
	if (has_staleness && has_alias)
		throw readscale::Error(
		    readscale::sqlstate::kInvalidParameterValue, "\"max_staleness\" and \"max_lag\" name the same bound",
		    "\"max_lag\" is the deprecated name of \"max_staleness\".", "Pass only \"max_staleness\".");
	std::int64_t max_ms = readscale::pg::lag_critical_ms;
	std::int64_t max_bytes = readscale::kb_to_bytes(readscale::pg::lag_critical_kb);
	if (has_staleness || has_alias) {
		max_ms = interval_ms(PG_GETARG_INTERVAL_P(has_staleness ? 0 : 1));
		max_bytes = -1;
		if (max_ms < 0)
			throw readscale::Error(readscale::sqlstate::kNumericValueOutOfRange,
			                       has_staleness ? "\"max_staleness\" must not be negative"
			                                     : "\"max_lag\" must not be negative",
			                       {}, "Pass NULL to use \"readscale.lag_critical\".");
	}
	if (!RecoveryInProgress())
		PG_RETURN_VOID(); /* a primary serves the latest data */
	std::int64_t staleness_ms = 0;
	std::uint64_t unreplayed = 0;
	bool known = local_staleness(&staleness_ms, &unreplayed);
	require_fresh(known, staleness_ms, unreplayed, max_ms, max_bytes);
	PG_RETURN_VOID();
}
