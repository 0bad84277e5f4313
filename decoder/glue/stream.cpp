/*
 * stream.cpp: streaming of large in-progress transactions and two-phase
 * decoding.
 *
 * Streaming (option stream-changes, off by default as in test_decoding):
 * when a transaction outgrows logical_decoding_work_mem, PostgreSQL hands its
 * changes over in blocks before the commit, so backend memory stays bounded.
 * Each block is {"op":"stream_start"} ... {"op":"stream_stop"}; its change
 * records always carry "xid" (top-level) and "subxid" (when the change is a
 * subtransaction's). The outcome follows later: stream_commit, or
 * stream_abort, which discards the whole transaction or, with "subxid", that
 * subtransaction's changes. Blocks and outcomes of transactions whose changes
 * were all filtered out are not sent (skip-empty-xacts is implied).
 *
 * Two-phase (slot created with two_phase): the changes arrive at PREPARE,
 * followed by a "prepare" record; COMMIT PREPARED / ROLLBACK PREPARED come
 * later as "commit_prepared" / "rollback_prepared", always sent because a
 * later decoding session cannot know whether the prepare was sent.
 */
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/callbacks.hpp"
#include "glue/output.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

namespace {

/* Set in a top-level transaction's output_plugin_private once one of its stream blocks was sent. */
char stream_sent_marker;

ReorderBufferTXN *
top_of(ReorderBufferTXN *txn) {
	return txn->toptxn != nullptr ? txn->toptxn : txn;
}

bool
stream_was_sent(ReorderBufferTXN *txn) {
	return top_of(txn)->output_plugin_private == &stream_sent_marker;
}

void
stream_start_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	(void)txn;
	DecoderState *state = state_of(ctx);
	state->in_stream = true;
	state->stream_block_sent = false;
}

void
stream_stop_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	flush_batch(ctx);
	if (state->stream_block_sent) {
		TxnRecord record {"stream_stop", true, nullptr, InvalidXLogRecPtr, false, nullptr};
		write_txn_record(ctx, top_of(txn), &record);
	}
	state->in_stream = false;
}

void
stream_abort_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr abort_lsn) {
	if (!stream_was_sent(txn))
		return;
	TxnRecord record {"stream_abort", true, "abort_lsn", abort_lsn, false, nullptr};
	write_txn_record(ctx, txn, &record);
}

void
stream_commit_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
	note_progress(ctx, !stream_was_sent(txn));
	if (!stream_was_sent(txn))
		return;
	TxnRecord record {"stream_commit", true, "commit_lsn", commit_lsn, true, nullptr};
	write_txn_record(ctx, txn, &record);
}

void
stream_prepare_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn) {
	if (!stream_was_sent(txn))
		return;
	TxnRecord record {"stream_prepare", true, "prepare_lsn", prepare_lsn, false, txn->gid};
	write_txn_record(ctx, txn, &record);
}

void
prepare_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_lsn) {
	DecoderState *state = state_of(ctx);
	flush_batch(ctx);
	note_progress(ctx, !state->wrote_changes);
	if (state->options.skip_empty_xacts && !state->wrote_changes)
		return;
	TxnRecord record {"prepare", false, "prepare_lsn", prepare_lsn, false, txn->gid};
	write_txn_record(ctx, txn, &record);
}

void
commit_prepared_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn) {
	note_progress(ctx, false);
	TxnRecord record {"commit_prepared", false, "commit_lsn", commit_lsn, true, txn->gid};
	write_txn_record(ctx, txn, &record);
}

void
rollback_prepared_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr prepare_end_lsn) {
	TxnRecord record {"rollback_prepared", false, "prepare_end_lsn", prepare_end_lsn, false, txn->gid};
	write_txn_record(ctx, txn, &record);
}

/* Trampolines. */
extern "C" void
decoder_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	readscale::pg::guarded([=]() { stream_start_impl(ctx, txn); });
}
extern "C" void
decoder_stream_stop(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	readscale::pg::guarded([=]() { stream_stop_impl(ctx, txn); });
}
extern "C" void
decoder_stream_abort(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn) {
	readscale::pg::guarded([=]() { stream_abort_impl(ctx, txn, lsn); });
}
extern "C" void
decoder_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn) {
	readscale::pg::guarded([=]() { stream_commit_impl(ctx, txn, lsn); });
}
extern "C" void
decoder_stream_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn) {
	readscale::pg::guarded([=]() { stream_prepare_impl(ctx, txn, lsn); });
}
extern "C" void
decoder_stream_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
                        ReorderBufferChange *change) {
	readscale::pg::guarded([=]() { decoder_truncate_impl(ctx, txn, nrelations, relations, change); });
}
extern "C" void
decoder_stream_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                       const char *prefix, Size size, const char *content) {
	readscale::pg::guarded([=]() { decoder_message_impl(ctx, txn, lsn, transactional, prefix, size, content); });
}
extern "C" void
decoder_begin_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	readscale::pg::guarded([=]() { decoder_begin_impl(ctx, txn); });
}
extern "C" void
decoder_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn) {
	readscale::pg::guarded([=]() { prepare_impl(ctx, txn, lsn); });
}
extern "C" void
decoder_commit_prepared(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn) {
	readscale::pg::guarded([=]() { commit_prepared_impl(ctx, txn, lsn); });
}
extern "C" void
decoder_rollback_prepared(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, TimestampTz time) {
	(void)time;
	readscale::pg::guarded([=]() { rollback_prepared_impl(ctx, txn, lsn); });
}

} // namespace

void
write_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn) {
	DecoderState *state = state_of(ctx);
	ReorderBufferTXN *top = top_of(txn);
	TxnRecord record {"stream_start", true, nullptr, InvalidXLogRecPtr, false, nullptr};
	write_txn_record(ctx, top, &record);
	state->stream_block_sent = true;
	top->output_plugin_private = &stream_sent_marker;
}

void
set_stream_callbacks(OutputPluginCallbacks *cb) {
	cb->stream_start_cb = decoder_stream_start;
	cb->stream_stop_cb = decoder_stream_stop;
	cb->stream_abort_cb = decoder_stream_abort;
	cb->stream_commit_cb = decoder_stream_commit;
	cb->stream_prepare_cb = decoder_stream_prepare;
	cb->stream_truncate_cb = decoder_stream_truncate;
	cb->stream_message_cb = decoder_stream_message;
}

void
set_two_phase_callbacks(OutputPluginCallbacks *cb) {
	cb->begin_prepare_cb = decoder_begin_prepare;
	cb->prepare_cb = decoder_prepare;
	cb->commit_prepared_cb = decoder_commit_prepared;
	cb->rollback_prepared_cb = decoder_rollback_prepared;
}

} // namespace readscale::decoder::glue
