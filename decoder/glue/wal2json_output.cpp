/*
 * wal2json_output.cpp: format=wal2json-v2, byte for byte the records of
 * wal2json 2.5 with format-version 2 (eulerto/wal2json, pg_decode_*_v2) for
 * the options both plugins share: include-xids, include-timestamp,
 * include-lsn, include-origin, include-transaction, include-types,
 * add-tables, filter-tables, actions, add-msg-prefixes,
 * filter-msg-prefixes, filter-origins. What differs from wal2json is only
 * how: the per-column {"name":..,"type":..,"value": prefix (type name from
 * format_type_with_typemod) is built once per relation instead of a syscache
 * lookup and format_type call per column per row.
 *
 * C-shaped throughout (see output.hpp).
 */
#include "core/json.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/output.hpp"
#include "glue/state.hpp"
#include "glue/wal2json_output.hpp"

namespace readscale::decoder::glue {

namespace {

/* [{"name":..,"type":..,"value":..},...]; unchanged TOASTed values are left out, as wal2json does. */
void
append_columns(const DecoderState *state, StringInfo out, const RelEntry *entry, TupleDesc desc, HeapTuple tuple,
               bool key_only, HeapTuple toast_source) {
	bool first = true;
	const bool *nulls = nullptr;
	const Datum *values = deform_tuple(entry, desc, tuple, &nulls);
	appendStringInfoChar(out, '[');
	for (std::size_t i = 0; i < entry->plan.columns.size(); i++) {
		const ColumnPlan *column = &entry->plan.columns[i];
		if (key_only && !column->identity_key)
			continue;
		Form_pg_attribute attr = TupleDescAttr(desc, column->attribute_index);
		bool isnull = nulls[column->attribute_index];
		Datum value = values[column->attribute_index];
		if (!isnull && attr->attlen == -1 && VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value)) &&
		    (toast_source == nullptr || !take_old_value(toast_source, desc, column->attribute_index, &value)))
			continue;
		append_key(out, column->key, first);
		first = false;
		if (isnull) {
			append_bytes(out, "null}", 5);
			continue;
		}
		append_value(state, out, entry, i, column->kind, value);
		append_bytes(out, "}", 1);
	}
	appendStringInfoChar(out, ']');
}

/* xid, timestamp, origin in wal2json's order; lsn is written by the caller. */
void
append_txn_fields(const DecoderOptions &options, StringInfo out, ReorderBufferTXN *txn) {
	if (options.include_xids)
		appendStringInfo(out, ",\"xid\":%u", txn->xid);
	if (options.include_timestamp)
		appendStringInfo(out, ",\"timestamp\":\"%s\"", timestamptz_to_str(rs_commit_time(txn)));
	if (options.include_origin)
		appendStringInfo(out, ",\"origin\":%u", static_cast<unsigned>(txn->origin_id));
}

/* wal2json prints "%X/%X" on every major (it does not follow 19's zero-padded pg_lsn text); so do we here. */
void
append_lsn(StringInfo out, const char *key, XLogRecPtr lsn) {
	appendStringInfo(out, ",\"%s\":\"%X/%X\"", key, LSN_FORMAT_ARGS(lsn));
}

const char *
action_letter(ReorderBufferChangeType action) {
	switch (action) {
	case REORDER_BUFFER_CHANGE_INSERT:
		return "I";
	case REORDER_BUFFER_CHANGE_UPDATE:
		return "U";
	default:
		return "D";
	}
}

} // namespace

void
wal2json_write_txn(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, bool begin, XLogRecPtr lsn) {
	const DecoderOptions &options = state_of(ctx)->options;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(ctx->out, begin ? "{\"action\":\"B\"" : "{\"action\":\"C\"");
	append_txn_fields(options, ctx->out, txn);
	if (options.include_lsn) {
		append_lsn(ctx->out, "lsn", lsn);
		append_lsn(ctx->out, "nextlsn", txn->end_lsn);
	}
	appendStringInfoChar(ctx->out, '}');
	OutputPluginWrite(ctx, true);
}

void
wal2json_write_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, const RelEntry *entry,
                      ReorderBufferChange *change, ReorderBufferChangeType action) {
	const DecoderState *state = state_of(ctx);
	TupleDesc desc = RelationGetDescr(relation);
	StringInfo out = ctx->out;
	/* a row filter may have turned an update into an insert (new row only) or a delete (old row only) */
	bool has_old = change->data.tp.oldtuple != nullptr && action != REORDER_BUFFER_CHANGE_INSERT;
	bool has_new = change->data.tp.newtuple != nullptr && action != REORDER_BUFFER_CHANGE_DELETE;
	bool full = relation->rd_rel->relreplident == REPLICA_IDENTITY_FULL;
	/* wal2json sends nothing (it warns) for an update or delete it cannot identify. */
	if (action != REORDER_BUFFER_CHANGE_INSERT && !has_old && !entry->has_identity_index && !full)
		return;
	OutputPluginPrepareWrite(ctx, true);
	appendBinaryStringInfo(out, "{\"action\":\"", 11);
	appendStringInfoString(out, action_letter(action));
	appendStringInfoChar(out, '"');
	append_txn_fields(state->options, out, txn);
	if (state->options.include_lsn)
		append_lsn(out, "lsn", change->lsn);
	append_text(out, entry->plan.head);
	if (has_new) {
		appendStringInfoString(out, ",\"columns\":");
		append_columns(state, out, entry, desc, rs_change_heap_tuple(change->data.tp.newtuple), false,
		               toast_source_of(change, action));
	}
	if (has_old) {
		appendStringInfoString(out, ",\"identity\":");
		append_columns(state, out, entry, desc, rs_change_heap_tuple(change->data.tp.oldtuple),
		               entry->has_identity_index, nullptr);
	} else if (action == REORDER_BUFFER_CHANGE_UPDATE && entry->has_identity_index) {
		/* the key did not change: wal2json takes it from the new tuple */
		appendStringInfoString(out, ",\"identity\":");
		append_columns(state, out, entry, desc, rs_change_heap_tuple(change->data.tp.newtuple), true, nullptr);
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(ctx, true);
}

void
wal2json_write_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const RelEntry *entry,
                        ReorderBufferChange *change) {
	const DecoderOptions &options = state_of(ctx)->options;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(ctx->out, "{\"action\":\"T\"");
	append_txn_fields(options, ctx->out, txn);
	if (options.include_lsn)
		append_lsn(ctx->out, "lsn", change->lsn);
	append_text(ctx->out, entry->plan.head);
	appendStringInfoChar(ctx->out, '}');
	OutputPluginWrite(ctx, true);
}

void
wal2json_write_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                       const char *prefix, Size size, const char *content) {
	const DecoderOptions &options = state_of(ctx)->options;
	StringInfo out = ctx->out;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(out, "{\"action\":\"M\"");
	if (transactional) {
		append_txn_fields(options, out, txn);
	} else {
		if (options.include_xids)
			appendStringInfoString(out, ",\"xid\":null");
		if (options.include_timestamp)
			appendStringInfoString(out, ",\"timestamp\":null");
		if (options.include_origin)
			appendStringInfoString(out, ",\"origin\":null");
	}
	if (options.include_lsn)
		append_lsn(out, "lsn", lsn);
	appendStringInfo(out, ",\"transactional\":%s,\"prefix\":", transactional ? "true" : "false");
	append_json(out, JsonKind::String, prefix, strlen(prefix));
	appendStringInfoString(out, ",\"content\":");
	/* wal2json copies the content with strncpy: it ends at the first NUL byte */
	append_json(out, JsonKind::String, content, strnlen(content, size));
	appendStringInfoChar(out, '}');
	OutputPluginWrite(ctx, true);
}

} // namespace readscale::decoder::glue
