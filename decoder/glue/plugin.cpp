/*
 * plugin.cpp: the readscale_decoder output plugin's callbacks.
 *
 * Every callback is a guarded trampoline (bridge/guard.hpp) into an *_impl
 * function. The *_impl functions are C-shaped: they call PostgreSQL (type
 * output functions, catalog lookups, OutputPluginWrite), any of which may
 * ERROR and longjmp, so they hold only trivially destructible locals. The
 * C++ work (option parsing, JSON encoding) happens in core before or
 * between those calls, never around them.
 *
 * Memory: each change is formatted in change_context, reset after the change
 * (as test_decoding and pgoutput do), so a large transaction does not
 * accumulate output-function garbage.
 */
#include "core/json.hpp"
#include "core/options.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);
}

namespace {

using readscale::decoder::DecoderOptions;
using readscale::decoder::JsonKind;

struct DecoderState {
	DecoderOptions options;
	MemoryContext change_context;
	bool begin_sent; /* with skip-empty-xacts, begin waits for the first change */
};
static_assert(std::is_trivially_destructible_v<DecoderState>, "lives in PostgreSQL memory, never destroyed");

DecoderState *
state_of(LogicalDecodingContext *ctx) {
	return static_cast<DecoderState *>(ctx->output_plugin_private);
}

/* C++: turns the DefElem list into core options; touches no PostgreSQL function that can ERROR. */
DecoderOptions
read_options(List *elements) {
	std::vector<readscale::decoder::RawOption> raw;
	ListCell *cell;
	foreach (cell, elements) {
		auto *element = static_cast<DefElem *>(lfirst(cell));
		readscale::decoder::RawOption option{element->defname, std::nullopt};
		if (element->arg != nullptr && IsA(element->arg, String))
			option.value = strVal(element->arg);
		raw.push_back(std::move(option));
	}
	return readscale::decoder::parse_options(raw).take();
}

void
append_json(StringInfo out, JsonKind kind, const char *text, std::size_t length) {
	std::size_t needed = readscale::decoder::encoded_length(kind, text, length);
	enlargeStringInfo(out, static_cast<int>(needed));
	char *end = readscale::decoder::encode(kind, text, length, out->data + out->len);
	out->len = static_cast<int>(end - out->data);
	out->data[out->len] = '\0';
}

void
append_key(StringInfo out, const char *key) {
	append_json(out, JsonKind::String, key, strlen(key));
	appendStringInfoChar(out, ':');
}

JsonKind
json_kind_of(Oid type) {
	switch (type) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
	case OIDOID:
		return JsonKind::Integer;
	case FLOAT4OID:
	case FLOAT8OID:
	case NUMERICOID:
		return JsonKind::Float;
	case BOOLOID:
		return JsonKind::Bool;
	case JSONOID:
	case JSONBOID:
		return JsonKind::Json;
	default:
		return JsonKind::String;
	}
}

/*
 * C-shaped: may ERROR inside type output functions. Unchanged TOASTed values
 * are left out. only_columns, when given, restricts output to the replica
 * identity key: an old tuple logged under REPLICA IDENTITY DEFAULT or USING
 * INDEX holds NULLs in every other column, which must not be sent as values.
 */
void
append_tuple(StringInfo out, TupleDesc desc, HeapTuple tuple, Bitmapset *only_columns) {
	bool first = true;
	appendStringInfoChar(out, '{');
	for (int i = 0; i < desc->natts; i++) {
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		if (attr->attisdropped || attr->attnum <= 0)
			continue;
		if (only_columns != nullptr && !bms_is_member(attr->attnum - FirstLowInvalidHeapAttributeNumber, only_columns))
			continue;
		bool isnull = false;
		Datum value = heap_getattr(tuple, i + 1, desc, &isnull);
		if (!isnull && attr->attlen == -1 && VARATT_IS_EXTERNAL_ONDISK(value))
			continue;
		if (!first)
			appendStringInfoChar(out, ',');
		first = false;
		append_key(out, NameStr(attr->attname));
		if (isnull) {
			appendStringInfoString(out, "null");
			continue;
		}
		Oid output_fn = InvalidOid;
		bool is_varlena = false;
		getTypeOutputInfo(attr->atttypid, &output_fn, &is_varlena);
		const char *text = OidOutputFunctionCall(output_fn, value);
		append_json(out, json_kind_of(attr->atttypid), text, strlen(text));
	}
	appendStringInfoChar(out, '}');
}

void
append_lsn_field(StringInfo out, const char *key, XLogRecPtr lsn) {
	appendStringInfo(out, ",\"%s\":\"%X/%X\"", key, LSN_FORMAT_ARGS(lsn));
}

void
write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(ctx->out, "{\"op\":\"begin\"");
	if (state->options.include_xids)
		appendStringInfo(ctx->out, ",\"xid\":%u", txn->xid);
	appendStringInfoChar(ctx->out, '}');
	OutputPluginWrite(ctx, true);
	state->begin_sent = true;
}

void
decoder_startup_impl(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init) {
	(void) is_init;
	DecoderOptions options = read_options(ctx->output_plugin_options);
	auto *state = static_cast<DecoderState *>(MemoryContextAllocZero(ctx->context, sizeof(DecoderState)));
	state->options = options;
	state->change_context =
	    AllocSetContextCreate(ctx->context, "readscale_decoder change context", ALLOCSET_DEFAULT_SIZES);
	ctx->output_plugin_private = state;
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
}

void
decoder_begin_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	state->begin_sent = false;
	if (state->options.include_transaction && !state->options.skip_empty_xacts)
		write_begin(ctx, txn);
}

void
decoder_commit_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
	DecoderState *state = state_of(ctx);
	if (!state->options.include_transaction || !state->begin_sent)
		return;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfoString(ctx->out, "{\"op\":\"commit\"");
	if (state->options.include_xids)
		appendStringInfo(ctx->out, ",\"xid\":%u", txn->xid);
	if (state->options.include_lsn)
		append_lsn_field(ctx->out, "commit_lsn", commit_lsn);
	if (state->options.include_timestamp)
		appendStringInfo(ctx->out, ",\"commit_time\":\"%s\"", timestamptz_to_str(txn->xact_time.commit_time));
	appendStringInfoChar(ctx->out, '}');
	OutputPluginWrite(ctx, true);
}

const char *
operation_name(ReorderBufferChangeType action) {
	switch (action) {
	case REORDER_BUFFER_CHANGE_INSERT:
		return "insert";
	case REORDER_BUFFER_CHANGE_UPDATE:
		return "update";
	case REORDER_BUFFER_CHANGE_DELETE:
		return "delete";
	default:
		return nullptr;
	}
}

void
write_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change,
             const char *operation) {
	DecoderState *state = state_of(ctx);
	TupleDesc desc = RelationGetDescr(relation);
	StringInfo out = ctx->out;
	OutputPluginPrepareWrite(ctx, true);
	appendStringInfo(out, "{\"op\":\"%s\",\"schema\":", operation);
	const char *schema = get_namespace_name(RelationGetNamespace(relation));
	append_json(out, JsonKind::String, schema, strlen(schema));
	appendStringInfoString(out, ",\"table\":");
	const char *table = RelationGetRelationName(relation);
	append_json(out, JsonKind::String, table, strlen(table));
	if (state->options.include_xids)
		appendStringInfo(out, ",\"xid\":%u", txn->xid);
	if (state->options.include_lsn)
		append_lsn_field(out, "lsn", change->lsn);
	if (change->data.tp.newtuple != nullptr) {
		appendStringInfoString(out, ",\"new\":");
		append_tuple(out, desc, &change->data.tp.newtuple->tuple, nullptr);
	}
	if (change->data.tp.oldtuple != nullptr) {
		Bitmapset *key_columns = nullptr;
		if (relation->rd_rel->relreplident != REPLICA_IDENTITY_FULL)
			key_columns = RelationGetIndexAttrBitmap(relation, INDEX_ATTR_BITMAP_IDENTITY_KEY);
		appendStringInfoString(out, ",\"old\":");
		append_tuple(out, desc, &change->data.tp.oldtuple->tuple, key_columns);
	}
	appendStringInfoChar(out, '}');
	OutputPluginWrite(ctx, true);
}

void
decoder_change_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation,
                    ReorderBufferChange *change) {
	DecoderState *state = state_of(ctx);
	const char *operation = operation_name(change->action);
	if (operation == nullptr)
		return;
	if (state->options.include_transaction && !state->begin_sent)
		write_begin(ctx, txn);
	MemoryContext caller_context = MemoryContextSwitchTo(state->change_context);
	write_change(ctx, txn, relation, change, operation);
	MemoryContextSwitchTo(caller_context);
	MemoryContextReset(state->change_context);
}

void
decoder_shutdown_impl(LogicalDecodingContext *ctx) {
	/* Everything lives in ctx->context, which PostgreSQL frees with the decoding context. */
	ctx->output_plugin_private = nullptr;
}

/* Trampolines: the only functions PostgreSQL calls. */
extern "C" void
decoder_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init) {
	readscale::pg::guarded([=]() { decoder_startup_impl(ctx, opt, is_init); });
}
extern "C" void
decoder_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	readscale::pg::guarded([=]() { decoder_begin_impl(ctx, txn); });
}
extern "C" void
decoder_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
	readscale::pg::guarded([=]() { decoder_commit_impl(ctx, txn, commit_lsn); });
}
extern "C" void
decoder_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change) {
	readscale::pg::guarded([=]() { decoder_change_impl(ctx, txn, relation, change); });
}
extern "C" void
decoder_shutdown(LogicalDecodingContext *ctx) {
	readscale::pg::guarded([=]() { decoder_shutdown_impl(ctx); });
}

} // namespace

void
_PG_output_plugin_init(OutputPluginCallbacks *cb) {
	cb->startup_cb = decoder_startup;
	cb->begin_cb = decoder_begin;
	cb->change_cb = decoder_change;
	cb->commit_cb = decoder_commit;
	cb->shutdown_cb = decoder_shutdown;
}
