/*
 * lag_fns.hpp: helpers of lag_fns.cpp shared with standby_lag.cpp.
 */
#pragma once

#include "core/lag_verdict.hpp"

#include "bridge/postgres.hpp"

namespace readscale::pg {

inline constexpr std::size_t kReasonCapacity = 512;

/* An interval Datum of ms milliseconds (palloc: may ERROR). */
Datum ms_interval(std::int64_t ms);

/* The verdict of one sample, its reason copied into reason (kReasonCapacity). No PostgreSQL calls. */
readscale::Verdict judge_sample(const char *state, std::int64_t bytes, const std::int64_t *lag_ms,
                                const readscale::LagThresholds *t, char *reason);

/* Index of the most specific non-NULL pattern matching name, or -1. No PostgreSQL calls. */
int pick_policy(const char *const *patterns, const bool *nulls, int count, const char *name);

} // namespace readscale::pg
