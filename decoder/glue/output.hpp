/*
 * output.hpp: writes change records into ctx->out: ndjson here, and
 * format=wal2json-v2 handed on to wal2json_output.hpp. Every function here is
 * C-shaped (type output functions, OutputPluginWrite may ERROR) and holds
 * only trivially destructible locals; the JSON escaping itself is core's
 * two-pass encoder writing straight into the StringInfo.
 */
#pragma once

#include "core/json.hpp"

#include "bridge/postgres.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

/* Values up to this size are sized from their length alone, without a pass over them. */
constexpr std::size_t kShortValue = 1024;

/* Room for n more bytes (and the NUL) at out's end, which it returns. C-shaped: may ERROR. */
inline char *
reserve_bytes(StringInfo out, std::size_t n) {
	if (static_cast<std::size_t>(out->maxlen - out->len) <= n)
		enlargeStringInfo(out, static_cast<int>(n));
	return out->data + out->len;
}

/* Ends out's data at end (within what reserve_bytes made room for). */
inline void
set_end(StringInfo out, char *end) {
	out->len = static_cast<int>(end - out->data);
	*end = '\0';
}

inline char *
put_bytes(char *dest, const char *bytes, std::size_t length) {
	memcpy(dest, bytes, length);
	return dest + length;
}

/* appendBinaryStringInfo without its call: for the few bytes of each field of every row. C-shaped: may ERROR. */
inline void
append_bytes(StringInfo out, const char *bytes, std::size_t length) {
	set_end(out, put_bytes(reserve_bytes(out, length), bytes, length));
}

/* A column's "key": (escaped, with its colon), after a comma unless it is the first. C-shaped: may ERROR. */
inline void
append_key(StringInfo out, const std::string &key, bool first) {
	char *dest = reserve_bytes(out, key.size() + 1);
	if (!first)
		*dest++ = ',';
	set_end(out, put_bytes(dest, key.data(), key.size()));
}

/*
 * Appends the JSON form of text, sizing the buffer once: from the length
 * alone for short values (one pass over them), exactly for long ones (no 6x
 * reservation for a large value). C-shaped: may ERROR (out of memory).
 */
inline void
append_json(StringInfo out, JsonKind kind, const char *text, std::size_t length) {
	std::size_t needed =
	    length <= kShortValue ? encoded_length_bound(kind, length) : encoded_length(kind, text, length);
	set_end(out, encode(kind, text, length, reserve_bytes(out, needed)));
}

/* Caller keeps text alive and must not hold it across a longjmp-able call of its own. */
inline void
append_text(StringInfo out, const std::string &text) {
	append_bytes(out, text.data(), text.size());
}

/*
 * column_text.cpp: appends the JSON (as kind) of column i's non-null value;
 * the common types are written straight into out. C-shaped: may ERROR.
 */
void append_value(const DecoderState *state, StringInfo out, const RelEntry *entry, std::size_t i, JsonKind kind,
                  Datum value);

/* batch.cpp: allocates the batch buffer when batch-bytes is set. */
void init_batch(DecoderState *state);
/* Opens a change line: the batch (batch-bytes) or a fresh message in ctx->out. May ERROR. */
StringInfo start_line(LogicalDecodingContext *ctx);
/* Ends the line opened by start_line: writes it, or the batch once full. May ERROR. */
void finish_line(LogicalDecodingContext *ctx);
/* Writes the pending batch as one message; at transaction ends and before any record of its own. May ERROR. */
void flush_batch(LogicalDecodingContext *ctx);
/* flush_batch, then opens a message of its own in ctx->out (OutputPluginWrite ends it). May ERROR. */
StringInfo start_record(LogicalDecodingContext *ctx);

void write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);

/* A transaction-level record of streaming and two-phase decoding. */
struct TxnRecord {
	const char *op;
	bool always_xid;     /* streamed records always say which transaction they belong to */
	const char *lsn_key; /* nullptr: no LSN field; shown only with include-lsn */
	XLogRecPtr lsn;
	bool with_time;  /* commit_time, with include-timestamp */
	const char *gid; /* prepared transaction's GID, or nullptr */
};
void write_txn_record(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const TxnRecord *record);
void write_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn);

/* insert, update, delete of an included relation; action is the change's, or what a row filter made of it. */
void write_row_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, const RelEntry *entry,
                      ReorderBufferChange *change, ReorderBufferChangeType action);

void write_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const RelEntry *entry,
                    ReorderBufferChange *change);

void write_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                   const char *prefix, Size size, const char *content);

} // namespace readscale::decoder::glue
