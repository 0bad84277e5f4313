/*
 * state.hpp: the decoding session's state and the per-relation cache.
 *
 * DecoderState is a C++ object living in PostgreSQL memory: constructed with
 * placement new in the session context (a child of ctx->context) and
 * destroyed by that context's reset callback, so PostgreSQL's own cleanup,
 * even after an ERROR that longjmp'd past every frame, runs its destructor.
 * Its containers use std::allocator (malloc): an allocator that could
 * ereport would break container invariants mid-operation (STYLE 4).
 */
#pragma once

#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"

namespace readscale::decoder::glue {

/* Types whose text glue (or core's value_text) writes itself, skipping the output function's palloc'd copy. */
enum FastOutput : unsigned char {
	kFastNone,
	kFastInt2,
	kFastInt4,
	kFastInt8,
	kFastBool,
	kFastText,
	kFastFloat8,
	kFastNumeric,
	kFastTimestamptz
};

/* The room append_value reserves for a value it writes itself: the longest fast text, or a short numeric. */
constexpr std::size_t kValueBufferSize = 128;

/*
 * The session time zone's UTC offset over [from, until) (Unix seconds), from
 * its transition table, so that timestamptz values are shown without a
 * pg_localtime() call each. tz == nullptr: nothing cached yet.
 */
struct ZoneOffsetCache {
	const pg_tz *tz = nullptr;
	bool usable = true; /* false: this zone's local time is not UTC + offset (leap seconds) */
	int64 from = 0;
	int64 until = 0;
	long gmtoff = 0;
};

/* Row filters are kept per action, as pgoutput does: insert, update, delete. */
enum RowFilterAction : int { kFilterInsert, kFilterUpdate, kFilterDelete, kRowFilterActions };

/*
 * Compiled row filters of publication-names (row_filter.cpp), all in
 * context (a child of the session context, dropped when the entry is
 * rebuilt). expr[a] == nullptr: action a is not filtered.
 */
struct RowFilter {
	MemoryContext context = nullptr;
	EState *estate = nullptr;
	ExprState *expr[kRowFilterActions] = {nullptr, nullptr, nullptr};
	TupleTableSlot *old_slot = nullptr;
	TupleTableSlot *new_slot = nullptr;
	TupleTableSlot *merged_slot = nullptr; /* new values with unchanged TOASTed keys taken from old */
};

/*
 * One relation's cached decisions; output holds the column output functions
 * and fast their FastOutput, both parallel to plan.columns.
 */
struct RelEntry {
	bool valid = false;
	bool has_identity_index = false; /* primary key or REPLICA IDENTITY USING INDEX */
	unsigned actions = 0;            /* Action bits sent for this relation (publication-names) */
	/* publish_via_partition_root: the root the changes are sent as, and the row conversion to it */
	Oid publish_as = InvalidOid;
	MemoryContext root_context = nullptr;   /* holds root_map; dropped when the entry is rebuilt */
	TupleConversionMap *root_map = nullptr; /* nullptr: same row type */
	RelationPlan plan;
	RowFilter filter;
	std::vector<FmgrInfo> output;
	std::vector<unsigned char> fast;
	/* heap_deform_tuple's output, reused by every row: one pass per tuple, no allocation */
	mutable std::vector<Datum> values;
	mutable boost::container::vector<bool> nulls;
};

/*
 * C-shaped: deforms tuple into entry's scratch arrays (one pass instead of a
 * heap_getattr walk per column) and returns them; valid until the next call.
 */
const Datum *deform_tuple(const RelEntry *entry, TupleDesc desc, HeapTuple tuple, const bool **nulls);

/*
 * C-shaped: an update that a row filter turned into an insert must carry
 * whole rows, as pgoutput's does: the new row of a TOASTed column the update
 * did not touch holds only a pointer, the old row (REPLICA IDENTITY FULL)
 * the value. Returns the old tuple to take such values from, or nullptr.
 */
inline HeapTuple
toast_source_of(ReorderBufferChange *change, ReorderBufferChangeType action) {
	bool became_insert = change->action == REORDER_BUFFER_CHANGE_UPDATE && action == REORDER_BUFFER_CHANGE_INSERT;
	return became_insert && change->data.tp.oldtuple != nullptr ? rs_change_heap_tuple(change->data.tp.oldtuple)
	                                                            : nullptr;
}

/* C-shaped: replaces *value by old's value of the column when old has it inline; false if not. */
bool take_old_value(HeapTuple old, TupleDesc desc, int attribute_index, Datum *value);

/*
 * Relation OID -> entry. Entries are marked invalid by the relcache
 * callback and rebuilt lazily on the next change, never freed mid-session:
 * an invalidation can arrive while a change of that very relation is being
 * formatted (output functions reach the catalogs), and the entry must stay
 * readable until that change is written (pgoutput's RelationSyncEntry rule).
 */
class RelCache {
public:
	/* The valid entry for relid, or nullptr. No PostgreSQL call, no allocation. */
	RelEntry *
	find(Oid relid) noexcept {
		if (relid != last_relid_ || last_ == nullptr) {
			auto it = entries_.find(relid);
			if (it == entries_.end())
				return nullptr;
			last_relid_ = relid;
			last_ = &it->second;
		}
		return last_->valid ? last_ : nullptr;
	}

	/* Stores a fresh plan for relid (may throw bad_alloc; calls no PostgreSQL function). */
	RelEntry *install(Oid relid, RelationPlan plan);

	/* relid InvalidOid means every relation. */
	void invalidate(Oid relid) noexcept;

private:
	boost::container::flat_map<Oid, RelEntry> entries_;
	Oid last_relid_ = InvalidOid;
	RelEntry *last_ = nullptr;
};

struct DecoderState {
	DecoderOptions options;
	RelCache relations;
	MemoryContext session_context = nullptr;        /* owns this object; FmgrInfo extras live here */
	MemoryContext change_context = nullptr;         /* reset after every change */
	bool convert_to_utf8 = false;                   /* server encoding is neither UTF8 nor SQL_ASCII */
	bool begin_sent = false;                        /* begin waits for the first change sent */
	bool wrote_changes = false;                     /* a record of the current transaction was sent */
	int changes_since_progress = 0;                 /* see note_progress() */
	mutable ZoneOffsetCache zone = {};              /* see column_text.cpp */
	mutable TimestampTextCache timestamp_text = {}; /* the last date and offset texts written */
	bool in_stream = false;                         /* between stream_start and stream_stop callbacks */
	bool stream_block_sent = false;                 /* stream_start record written for this block */
	StringInfoData batch = {};                      /* batch-bytes: change lines not yet written (batch.cpp) */
	int line_start = 0;                             /* where the line being formatted starts in batch */
	XLogRecPtr batch_lsn = InvalidXLogRecPtr;       /* LSN of batch's last line */
};

inline DecoderState *
state_of(LogicalDecodingContext *ctx) {
	return static_cast<DecoderState *>(ctx->output_plugin_private);
}

/* The FastOutput of a column of this type (column_text.cpp). */
FastOutput fast_output_of(Oid type);

/* C-shaped: the partition root a relation entry is sent as, opened (the caller closes it). May ERROR. */
Relation open_root(Oid relid);

/* C-shaped: entry's conversion of relation's rows to target's (partition_root.cpp); none when they are one. */
void build_root_map(DecoderState *state, RelEntry *entry, Relation relation, Relation target);

/* C-shaped: the entry for relation, built on first use or after invalidation. May ERROR (catalog access). */
RelEntry *relation_entry(DecoderState *state, Relation relation);

/*
 * C-shaped: for an entry sent as its partition root, opens the root (the
 * caller closes it) and returns it, with *change replaced by a copy whose
 * rows are converted to the root's row type (in the current memory
 * context); otherwise returns relation. May ERROR.
 */
Relation publish_target(const RelEntry *entry, Relation relation, ReorderBufferChange **change);

/* Makes state the target of relcache invalidations; registers the callback once per backend. */
void attach_invalidation(DecoderState *state);
/* Called from the state's destructor path: stop delivering invalidations to it. */
void detach_invalidation(DecoderState *state) noexcept;

} // namespace readscale::decoder::glue
