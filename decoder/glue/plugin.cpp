/*
 * plugin.cpp: the readscale_decoder output plugin's callbacks.
 *
 * Every callback is a guarded trampoline (bridge/guard.hpp) into an *_impl
 * function. The *_impl functions are C-shaped: they call PostgreSQL (type
 * output functions, catalog lookups, OutputPluginWrite), any of which may
 * ERROR and longjmp, so they hold only trivially destructible locals. The
 * C++ work (option parsing, relation plans, JSON encoding) happens in core
 * before or between those calls, never around them.
 *
 * Filtering comes first and costs nothing per change for a table that is
 * not sent: the action bit, then the cached relation entry (rel_cache.cpp).
 * Each sent change is formatted in change_context, reset after the change
 * (as test_decoding and pgoutput do).
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/callbacks.hpp"
#include "glue/output.hpp"
#include "glue/row_filter.hpp"
#include "glue/state.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);
}

namespace {

using namespace readscale::decoder;
using namespace readscale::decoder::glue;

/* C++: turns the DefElem list into core options; calls no PostgreSQL function that can ERROR. */
DecoderOptions
read_options(List *elements) {
	std::vector<RawOption> raw;
	ListCell *cell;
	foreach (cell, elements) {
		auto *element = static_cast<DefElem *>(lfirst(cell));
		RawOption option {element->defname, std::nullopt};
		if (element->arg != nullptr && IsA(element->arg, String))
			option.value = strVal(element->arg);
		raw.push_back(std::move(option));
	}
	return parse_options(raw).take();
}

/* C++: parses options and constructs the state in memory already allocated; throws on bad options. */
DecoderState *
construct_state(void *memory, List *elements) {
	return new (memory) DecoderState {read_options(elements), RelCache {}};
}

void
destroy_state(DecoderState *state) noexcept {
	detach_invalidation(state);
	state->~DecoderState();
}

/* B3: the session context's reset callback; must not fail. */
extern "C" void
decoder_state_reset_callback(void *arg) {
	readscale::pg::guarded_no_throw(WARNING, [=]() { destroy_state(static_cast<DecoderState *>(arg)); });
}

void
decoder_startup_impl(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init) {
	(void)is_init;
	MemoryContext session = AllocSetContextCreate(ctx->context, "readscale_decoder session", ALLOCSET_SMALL_SIZES);
	void *memory = MemoryContextAllocZero(session, sizeof(DecoderState));
	auto *callback =
	    static_cast<MemoryContextCallback *>(MemoryContextAllocZero(session, sizeof(MemoryContextCallback)));
	MemoryContext change_context = AllocSetContextCreate(session, "readscale_decoder change", ALLOCSET_DEFAULT_SIZES);
	int encoding = GetDatabaseEncoding();
	DecoderState *state = construct_state(memory, ctx->output_plugin_options);
	/* Nothing between construction and registration can fail: the destructor always runs. */
	callback->func = decoder_state_reset_callback;
	callback->arg = state;
	MemoryContextRegisterResetCallback(session, callback);
	state->session_context = session;
	state->change_context = change_context;
	state->convert_to_utf8 = encoding != PG_UTF8 && encoding != PG_SQL_ASCII;
	init_batch(state);
	ctx->output_plugin_private = state;
	attach_invalidation(state);
	ctx->streaming &= state->options.stream_changes;
	/* Without filter-origins every change passes: PostgreSQL then skips the per-change callback (decode.c
	 * FilterByOrigin). */
	if (state->options.filter_origins.empty())
		ctx->callbacks.filter_by_origin_cb = nullptr;
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
}

} // namespace

namespace readscale::decoder::glue {

void
decoder_begin_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	state->begin_sent = false;
	state->wrote_changes = false;
	if (state->options.include_transaction && !state->options.skip_empty_xacts)
		write_begin(ctx, txn);
}

/*
 * Lets a walsender send keepalives and update its progress while changes are
 * filtered out: without it, a long transaction on tables that are not sent
 * can outlast wal_sender_timeout (pgoutput's update_replication_progress).
 * Every 100 changes, and at each commit.
 */
void
note_progress(LogicalDecodingContext *ctx, bool skipped_xact) {
	DecoderState *state = state_of(ctx);
	if (ctx->end_xact || ++state->changes_since_progress >= 100) {
		OutputPluginUpdateProgress(ctx, skipped_xact);
		state->changes_since_progress = 0;
	}
}

void
maybe_write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	state->wrote_changes = true;
	if (state->in_stream) {
		if (!state->stream_block_sent)
			write_stream_start(ctx, txn);
	} else if (state->options.include_transaction && !state->begin_sent) {
		write_begin(ctx, txn);
	}
}

void
decoder_commit_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
	DecoderState *state = state_of(ctx);
	flush_batch(ctx);
	note_progress(ctx, !state->wrote_changes);
	if (state->options.include_transaction && state->begin_sent)
		write_commit(ctx, txn, commit_lsn);
}

/* A row change's "actions" bit; 0 for change kinds not sent. */
unsigned
action_bit(ReorderBufferChangeType action) noexcept {
	switch (action) {
	case REORDER_BUFFER_CHANGE_INSERT:
		return kActionInsert;
	case REORDER_BUFFER_CHANGE_UPDATE:
		return kActionUpdate;
	case REORDER_BUFFER_CHANGE_DELETE:
		return kActionDelete;
	default:
		return 0;
	}
}

bool
change_filtered_out(DecoderState *state, Relation relation, ReorderBufferChange *change) noexcept {
	unsigned bit = action_bit(change->action);
	if ((state->options.actions & bit) == 0)
		return true;
	/* a cache hit: no context switch or reset */
	RelEntry *cached = state->relations.find(RelationGetRelid(relation));
	return cached != nullptr && (!cached->plan.included || (cached->actions & bit) == 0);
}

void
decoder_change_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change,
                    bool filtered_out) {
	DecoderState *state = state_of(ctx);
	note_progress(ctx, false);
	if (filtered_out)
		return;
	unsigned bit = action_bit(change->action);
	MemoryContext caller_context = MemoryContextSwitchTo(state->change_context);
	RelEntry *entry = relation_entry(state, relation);
	ReorderBufferChangeType action = change->action;
	if (entry->plan.included && (entry->actions & bit) != 0) {
		Relation target = publish_target(entry, relation, &change);
		if (!has_row_filter(entry->filter) || row_filter_pass(&entry->filter, target, change, &action)) {
			maybe_write_begin(ctx, txn);
			write_row_change(ctx, txn, target, entry, change, action);
		}
		if (target != relation)
			RelationClose(target);
	}
	MemoryContextSwitchTo(caller_context);
	MemoryContextReset(state->change_context);
}

void
decoder_truncate_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
                      ReorderBufferChange *change) {
	DecoderState *state = state_of(ctx);
	if ((state->options.actions & kActionTruncate) == 0)
		return;
	MemoryContext caller_context = MemoryContextSwitchTo(state->change_context);
	for (int i = 0; i < nrelations; i++) {
		RelEntry *entry = relation_entry(state, relations[i]);
		/* a partition sent as its root is not truncated by name: the root is (pgoutput_truncate) */
		if (!entry->plan.included || (entry->actions & kActionTruncate) == 0 ||
		    entry->publish_as != RelationGetRelid(relations[i]))
			continue;
		maybe_write_begin(ctx, txn);
		write_truncate(ctx, txn, entry, change);
	}
	MemoryContextSwitchTo(caller_context);
	MemoryContextReset(state->change_context);
}

void
decoder_message_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                     const char *prefix, Size size, const char *content) {
	DecoderState *state = state_of(ctx);
	if (!message_prefix_included(state->options, prefix))
		return;
	MemoryContext caller_context = MemoryContextSwitchTo(state->change_context);
	if (transactional)
		maybe_write_begin(ctx, txn);
	write_message(ctx, txn, lsn, transactional, prefix, size, content);
	MemoryContextSwitchTo(caller_context);
	MemoryContextReset(state->change_context);
}

} // namespace readscale::decoder::glue

namespace {

bool
decoder_filter_by_origin_impl(LogicalDecodingContext *ctx, ReplOriginId origin) {
	return !origin_included(state_of(ctx)->options, origin);
}

void
decoder_shutdown_impl(LogicalDecodingContext *ctx) {
	/* The state is destroyed by its context's reset callback when ctx->context goes. */
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
/*
 * Most changes of a filtered stream are for tables or actions not sent: they
 * are told apart here, before the guard, by noexcept code that calls no
 * PostgreSQL function (the counter and the cached relation entry), and only
 * every 100th of them goes in to report progress.
 */
__attribute__((noinline)) void
guarded_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change,
               bool filtered_out) {
	readscale::pg::guarded([=]() { decoder_change_impl(ctx, txn, relation, change, filtered_out); });
}
/* Also the stream_change callback: inside a stream the state says so, and the same filters apply. */
extern "C" void
decoder_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, ReorderBufferChange *change) {
	DecoderState *state = state_of(ctx);
	bool filtered_out = change_filtered_out(state, relation, change);
	if (filtered_out && !ctx->end_xact && state->changes_since_progress < 99) {
		++state->changes_since_progress;
		return;
	}
	/* a call of its own, so that this path does not pay the guard's register saves */
	guarded_change(ctx, txn, relation, change, filtered_out);
}
extern "C" void
decoder_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
                 ReorderBufferChange *change) {
	readscale::pg::guarded([=]() { decoder_truncate_impl(ctx, txn, nrelations, relations, change); });
}
extern "C" void
decoder_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                const char *prefix, Size size, const char *content) {
	readscale::pg::guarded([=]() { decoder_message_impl(ctx, txn, lsn, transactional, prefix, size, content); });
}
extern "C" bool
decoder_filter_by_origin(LogicalDecodingContext *ctx, ReplOriginId origin) {
	return readscale::pg::guarded([=]() { return decoder_filter_by_origin_impl(ctx, origin); });
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
	cb->truncate_cb = decoder_truncate;
	cb->message_cb = decoder_message;
	cb->filter_by_origin_cb = decoder_filter_by_origin;
	cb->commit_cb = decoder_commit;
	cb->shutdown_cb = decoder_shutdown;
	set_stream_callbacks(cb);
	cb->stream_change_cb = decoder_change;
	set_two_phase_callbacks(cb);
}
