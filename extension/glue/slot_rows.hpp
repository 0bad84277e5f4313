/*
 * slot_rows.hpp: one pass over the replication slots as plain values
 * (slot_rows.cpp): what slot_retention and the guard passes read through SPI,
 * and the core's verdict for each slot. Include after core/slot_policy.hpp
 * and bridge/postgres.hpp.
 */
#pragma once

#include <cstdint>

namespace readscale::pg {

constexpr std::size_t kSlotTextCapacity = 256;
constexpr int kSlotQueryColumns = 19;
constexpr int kMaxStandbySlots = 64; /* names read from synchronized_standby_slots */

/* A policy row as plain values; -1 = NULL (inherit the GUC default or disabled). */
struct PolicyRow {
	const char *pattern;
	std::int64_t warning_bytes;
	std::int64_t critical_bytes;
	std::int64_t max_inactive_ms;
	double max_disk_share;
	bool drop;
	bool is_protected;
};

/* A slot as plain values. */
struct SlotRow {
	const char *name;
	bool active;
	bool retained_known;
	std::int64_t retained;
	const char *wal_status;
	const char *invalidation_reason; /* "": valid (or 15); on 16 "conflicting" stands for it */
	bool temporary;
	bool failover;
	bool synced;
	bool listed_standby_slot;       /* in this primary's synchronized_standby_slots */
	bool keeps_logical_decoding_on; /* 19, wal_level = replica: the last valid logical slot */
	TimestampTz inactive_since;     /* 0: unknown */
	std::int64_t inactive_ms;
	bool share_known;
	double share;
};

struct Evaluation {
	int policy; /* index into the policy rows, -1: GUC defaults */
	readscale::Verdict verdict;
	readscale::SlotAction action;
	bool drop;
	const char *acts_first; /* a static name, nullptr: nothing acts */
	char reason[kSlotTextCapacity];
	char outcome[kSlotTextCapacity];
};

struct StandbySlotList {
	int count;
	char names[kMaxStandbySlots][NAMEDATALEN];
};

/* What one pass over the slots reads first. */
struct GuardPass {
	ReturnSetInfo *rsinfo;
	PolicyRow *policies;
	int policy_count;
	SPITupleTable *slots;
	std::uint64_t count;
	std::uint64_t fs_bytes;
	TimestampTz listed_after; /* taken before the listing, to forget dropped slots */
	TimestampTz now;
	bool in_recovery;
	StandbySlotList *standby_slots; /* empty on a standby and before 17 */
	int valid_logical_slots;
	bool logical_decoding_follows_slots;
	std::int64_t keep_size_bytes; /* -1: unlimited */
	std::int64_t idle_timeout_ms; /* 0: off */
};

/* Materialized SRF, SPI connected, policies and slots read. C-shaped: may ERROR. */
void begin_pass(FunctionCallInfo fcinfo, GuardPass *pass);

/* Reads slot row r into values[0..kSlotQueryColumns) and *slot. C-shaped. */
void read_slot(const GuardPass *pass, std::uint64_t r, Datum *values, bool *nulls, SlotRow *slot);

/* The core's verdict and decision for one slot. No PostgreSQL calls. */
void evaluate(const SlotRow *slot, const GuardPass *pass, bool dry_run, Evaluation *out);

/* The verdict for a slot synchronized_standby_slots lists but nobody has. No PostgreSQL calls. */
void evaluate_missing(const char *name, Evaluation *out);

/* Whether a slot of this name is in the pass's listing. C-shaped. */
bool slot_listed(const GuardPass *pass, const char *name);

} // namespace readscale::pg
