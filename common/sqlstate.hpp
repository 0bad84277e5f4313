/*
 * sqlstate.hpp: every SQLSTATE the project raises, as five-character strings.
 * Core code carries codes as data, so unit tests can assert them and the
 * boundary guard turns them into PostgreSQL error codes. docs/sqlstates.md
 * mirrors this list for driver authors (test/t/601_reference_doc.pl checks it).
 */
#pragma once

namespace readscale::sqlstate {

/* Replica did not replay the awaited LSN within the wait budget. */
inline constexpr char kReplicaNotCaughtUp[] = "55R01";
/* Standby staleness exceeds readscale.max_staleness. */
inline constexpr char kStalenessExceeded[] = "55R02";
/* Token belongs to another cluster, timeline or lies ahead of this server. */
inline constexpr char kTokenNotApplicable[] = "55R03";
/* A standby wait refused because the session holds locks replay may need (it could never end). */
inline constexpr char kWaitWhileHoldingLocks[] = "55R04";
/* Wrong node role, or library not preloaded. */
inline constexpr char kObjectNotInPrerequisiteState[] = "55000";
/* Bad option value, bad function argument, unknown plugin option. */
inline constexpr char kInvalidParameterValue[] = "22023";
/* Malformed token or LSN text. */
inline constexpr char kInvalidTextRepresentation[] = "22P02";
/* Out-of-range number, e.g. a negative timeout. */
inline constexpr char kNumericValueOutOfRange[] = "22003";
/* NULL where a value is required. */
inline constexpr char kNullValueNotAllowed[] = "22004";
/* Duplicate plugin option ("conflicting or redundant options"). */
inline constexpr char kSyntaxError[] = "42601";
/* Destructive function without privilege. */
inline constexpr char kInsufficientPrivilege[] = "42501";
/* Waiter registry full. */
inline constexpr char kConfigurationLimitExceeded[] = "53400";
/* Background worker could not start. */
inline constexpr char kInsufficientResources[] = "53000";
/* Out of memory (std::bad_alloc). */
inline constexpr char kOutOfMemory[] = "53200";
/* Broken invariant or unknown C++ exception. */
inline constexpr char kInternalError[] = "XX000";

} // namespace readscale::sqlstate

#include "common/cpp_only.hpp"
