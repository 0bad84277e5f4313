/*
 * output.cpp: the ndjson record writers (see output.hpp). Field order is
 * fixed: op, schema, table, then the optional xid, lsn, commit_time,
 * origin, then the payload, so a line can be compared as text.
 */
#include "common/lsn_text.hpp"
#include "core/json.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/output.hpp"
#include "glue/wal2json_output.hpp"

namespace readscale::decoder::glue {

namespace {

bool
is_unchanged_toast(const Form_pg_attribute attr, Datum value, bool isnull) {
	return !isnull && attr->attlen == -1 && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value));
}

/*
 * Appends {"col":value,...}. key_only restricts output to the replica
 * identity key: an old tuple logged under REPLICA IDENTITY DEFAULT or USING
 * INDEX holds NULLs in every other column. Returns whether an unchanged
 * TOASTed value was left out.
 */
bool
append_tuple(const DecoderState *state, StringInfo out, const RelEntry *entry, TupleDesc desc, HeapTuple tuple,
             bool key_only, HeapTuple toast_source) {
	bool first = true;
	const bool *nulls = nullptr;
	const Datum *values = deform_tuple(entry, desc, tuple, &nulls);
	bool toast_left_out = false;
	append_bytes(out, "{", 1);
	for (std::size_t i = 0; i < entry->plan.columns.size(); i++) {
		const ColumnPlan *column = &entry->plan.columns[i];
		if (key_only && !column->identity_key)
			continue;
		Form_pg_attribute attr = TupleDescAttr(desc, column->attribute_index);
		bool isnull = nulls[column->attribute_index];
		Datum value = values[column->attribute_index];
		if (is_unchanged_toast(attr, value, isnull) &&
		    (toast_source == nullptr || !take_old_value(toast_source, desc, column->attribute_index, &value))) {
			toast_left_out = true;
			continue;
		}
		append_key(out, column->key, first);
		first = false;
		if (isnull)
			append_bytes(out, "null", 4);
		else
			append_value(state, out, entry, i, column->kind, value);
	}
	append_bytes(out, "}", 1);
	return toast_left_out;
}

/* ,"unchanged_toast":["a","b"]: a second pass, taken only when the first found one. */
void
append_unchanged_toast(StringInfo out, const RelEntry *entry, TupleDesc desc, HeapTuple tuple) {
	bool first = true;
	appendStringInfoString(out, ",\"unchanged_toast\":[");
	for (const ColumnPlan &column : entry->plan.columns) {
		bool isnull = false;
		Datum value = heap_getattr(tuple, column.attribute_index + 1, desc, &isnull);
		if (!is_unchanged_toast(TupleDescAttr(desc, column.attribute_index), value, isnull))
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		append_text(out, column.quoted_name);
	}
	appendStringInfoChar(out, ']');
}

/*
 * ,"xid":top[,"subxid":sub]: with include-xids, and always inside a stream,
 * where a consumer needs them to apply a later stream_abort.
 */
void
append_xids(StringInfo out, ReorderBufferTXN *txn) {
	if (txn->toptxn != nullptr)
		appendStringInfo(out, ",\"xid\":%u,\"subxid\":%u", txn->toptxn->xid, txn->xid);
	else
		appendStringInfo(out, ",\"xid\":%u", txn->xid);
}

/* ,"key":"lsn" with the LSN as this server prints pg_lsn (zero-padded on 19; docs/decoder.md). */
void
append_lsn_field(StringInfo out, const char *key, XLogRecPtr lsn) {
	char text[readscale::kLsnTextCapacity];
	std::size_t length = readscale::format_lsn_into(text, lsn, kServerLsnZeroPadded);
	appendStringInfo(out, ",\"%s\":\"", key);
	appendBinaryStringInfo(out, text, static_cast<int>(length));
	appendStringInfoChar(out, '"');
}

/* The optional transaction fields shared by every change record. */
void
append_common(LogicalDecodingContext *ctx, StringInfo out, ReorderBufferTXN *txn, XLogRecPtr lsn) {
	const DecoderState *state = state_of(ctx);
	const DecoderOptions &options = state->options;
	if ((options.include_xids || state->in_stream) && txn != nullptr)
		append_xids(out, txn);
	if (options.include_lsn)
		append_lsn_field(out, "lsn", lsn);
	if (options.include_timestamp && txn != nullptr && !state->in_stream)
		appendStringInfo(out, ",\"commit_time\":\"%s\"", timestamptz_to_str(rs_commit_time(txn)));
	if (options.include_origin && txn != nullptr && txn->origin_id != InvalidReplOriginId)
		appendStringInfo(out, ",\"origin\":%u", static_cast<unsigned>(txn->origin_id));
}

bool
is_wal2json(const DecoderState *state) {
	return state->options.format == OutputFormat::Wal2jsonV2;
}

/*
 * Inside a stream the callback's txn is the top-level transaction; the
 * change's own (sub)transaction is what a later stream_abort names.
 */
ReorderBufferTXN *
change_txn(const DecoderState *state, ReorderBufferTXN *txn, ReorderBufferChange *change) {
	return state->in_stream && change->txn != nullptr ? change->txn : txn;
}

} // namespace

void
write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	state->begin_sent = true;
	if (is_wal2json(state))
		return wal2json_write_txn(ctx, txn, true, txn->final_lsn);
	start_record(ctx);
	appendStringInfoString(ctx->out, "{\"op\":\"begin\"");
	if (state->options.include_xids)
		appendStringInfo(ctx->out, ",\"xid\":%u", txn->xid);
	appendStringInfoChar(ctx->out, '}');
	OutputPluginWrite(ctx, true);
}

void
write_txn_record(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const TxnRecord *record) {
	const DecoderOptions &options = state_of(ctx)->options;
	StringInfo out = start_record(ctx);
	appendStringInfo(out, "{\"op\":\"%s\"", record->op);
	if (record->always_xid || options.include_xids)
		append_xids(out, txn);
	if (record->lsn_key != nullptr && options.include_lsn)
		append_lsn_field(out, record->lsn_key, record->lsn);
	if (record->with_time && options.include_timestamp)
		appendStringInfo(out, ",\"commit_time\":\"%s\"", timestamptz_to_str(rs_commit_time(txn)));
	if (record->gid != nullptr) {
		appendStringInfoString(out, ",\"gid\":");
		append_json(out, JsonKind::String, record->gid, strlen(record->gid));
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(ctx, true);
}

void
write_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
	DecoderState *state = state_of(ctx);
	if (is_wal2json(state))
		return wal2json_write_txn(ctx, txn, false, commit_lsn);
	start_record(ctx);
	appendStringInfoString(ctx->out, "{\"op\":\"commit\"");
	if (state->options.include_xids)
		appendStringInfo(ctx->out, ",\"xid\":%u", txn->xid);
	if (state->options.include_lsn)
		append_lsn_field(ctx->out, "commit_lsn", commit_lsn);
	if (state->options.include_timestamp)
		appendStringInfo(ctx->out, ",\"commit_time\":\"%s\"", timestamptz_to_str(rs_commit_time(txn)));
	appendStringInfoChar(ctx->out, '}');
	OutputPluginWrite(ctx, true);
}

void
write_row_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, const RelEntry *entry,
                 ReorderBufferChange *change, ReorderBufferChangeType action) {
	DecoderState *state = state_of(ctx);
	if (is_wal2json(state))
		return wal2json_write_change(ctx, txn, relation, entry, change, action);
	TupleDesc desc = RelationGetDescr(relation);
	bool toast_left_out = false;
	StringInfo out = start_line(ctx);
	/* no printf per row: the record opens with fixed text */
	switch (action) {
	case REORDER_BUFFER_CHANGE_INSERT:
		append_bytes(out, "{\"op\":\"insert\"", 14);
		break;
	case REORDER_BUFFER_CHANGE_UPDATE:
		append_bytes(out, "{\"op\":\"update\"", 14);
		break;
	default:
		append_bytes(out, "{\"op\":\"delete\"", 14);
		break;
	}
	append_text(out, entry->plan.head);
	append_common(ctx, out, change_txn(state, txn, change), change->lsn);
	/* an update a row filter turned into an insert or a delete keeps only its new or its old row */
	if (change->data.tp.newtuple != nullptr && action != REORDER_BUFFER_CHANGE_DELETE) {
		append_bytes(out, ",\"new\":", 7);
		toast_left_out = append_tuple(state, out, entry, desc, rs_change_heap_tuple(change->data.tp.newtuple), false,
		                              toast_source_of(change, action));
	}
	if (change->data.tp.oldtuple != nullptr && action != REORDER_BUFFER_CHANGE_INSERT) {
		bool key_only = relation->rd_rel->relreplident != REPLICA_IDENTITY_FULL;
		append_bytes(out, ",\"old\":", 7);
		append_tuple(state, out, entry, desc, rs_change_heap_tuple(change->data.tp.oldtuple), key_only, nullptr);
	}
	if (toast_left_out)
		append_unchanged_toast(out, entry, desc, rs_change_heap_tuple(change->data.tp.newtuple));
	append_bytes(out, "}", 1);
	finish_line(ctx);
}

void
write_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const RelEntry *entry, ReorderBufferChange *change) {
	if (is_wal2json(state_of(ctx)))
		return wal2json_write_truncate(ctx, txn, entry, change);
	StringInfo out = start_line(ctx);
	appendStringInfoString(out, "{\"op\":\"truncate\"");
	append_text(out, entry->plan.head);
	append_common(ctx, out, change_txn(state_of(ctx), txn, change), change->lsn);
	appendStringInfo(out, ",\"cascade\":%s,\"restart_identity\":%s}", change->data.truncate.cascade ? "true" : "false",
	                 change->data.truncate.restart_seqs ? "true" : "false");
	finish_line(ctx);
}

void
write_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
              const char *prefix, Size size, const char *content) {
	DecoderState *state = state_of(ctx);
	if (is_wal2json(state))
		return wal2json_write_message(ctx, txn, lsn, transactional, prefix, size, content);
	/* a transactional message is one of the transaction's lines; any other is a message of its own */
	StringInfo out = transactional ? start_line(ctx) : start_record(ctx);
	appendStringInfoString(out, "{\"op\":\"message\"");
	append_common(ctx, out, transactional ? txn : nullptr, lsn);
	appendStringInfo(out, ",\"transactional\":%s,\"prefix\":", transactional ? "true" : "false");
	const char *prefix_text =
	    state->convert_to_utf8 ? pg_server_to_any(prefix, static_cast<int>(strlen(prefix)), PG_UTF8) : prefix;
	append_json(out, JsonKind::String, prefix_text, strlen(prefix_text));
	appendStringInfoString(out, ",\"content\":");
	append_json(out, JsonKind::String, content, size);
	appendStringInfoChar(out, '}');
	if (transactional)
		finish_line(ctx);
	else
		OutputPluginWrite(ctx, true);
}

} // namespace readscale::decoder::glue
