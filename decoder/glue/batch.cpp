/*
 * batch.cpp: batch-bytes, several change lines of one transaction in one
 * output message.
 *
 * Returning a row from pg_logical_slot_peek_changes (a tuplestore row) or a
 * CopyData message from a walsender costs about as much as formatting a small
 * change, whatever its size. With batch-bytes = N the change lines of one
 * transaction (or one stream block) are collected in state->batch, joined by
 * '\n' with none at the end, and written as one message when the next line
 * would pass N bytes and before any record written on its own (begin,
 * commit, prepare, stream_*, a non-transactional message) and at commit. A
 * client that writes each message followed by '\n' (pg_recvlogical) writes
 * the same bytes either way.
 *
 * The batch is a separate buffer, not ctx->out: a walsender's prepare_write
 * puts the message header (with its LSN) into ctx->out, so the message must
 * be opened only once its last line, whose LSN it carries, is known.
 * All functions here are C-shaped (OutputPluginWrite, palloc may ERROR).
 */
#include "core/json.hpp"
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/output.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

namespace {

bool
batching(const DecoderState *state) {
	return state->options.batch_bytes != 0;
}

/* Writes the batch's first length bytes as one message, carrying the LSN of its last line. */
void
write_batch_prefix(LogicalDecodingContext *ctx, DecoderState *state, int length) {
	XLogRecPtr current = ctx->write_location;
	ctx->write_location = state->batch_lsn;
	OutputPluginPrepareWrite(ctx, true);
	appendBinaryStringInfo(ctx->out, state->batch.data, length);
	OutputPluginWrite(ctx, true);
	ctx->write_location = current;
}

} // namespace

void
init_batch(DecoderState *state) {
	if (!batching(state))
		return;
	MemoryContext caller_context = MemoryContextSwitchTo(state->session_context);
	initStringInfo(&state->batch);
	MemoryContextSwitchTo(caller_context);
}

void
flush_batch(LogicalDecodingContext *ctx) {
	DecoderState *state = state_of(ctx);
	if (!batching(state) || state->batch.len == 0)
		return;
	write_batch_prefix(ctx, state, state->batch.len);
	resetStringInfo(&state->batch);
}

StringInfo
start_line(LogicalDecodingContext *ctx) {
	DecoderState *state = state_of(ctx);
	if (!batching(state)) {
		OutputPluginPrepareWrite(ctx, true);
		return ctx->out;
	}
	state->line_start = state->batch.len;
	if (state->batch.len > 0)
		appendStringInfoChar(&state->batch, '\n');
	return &state->batch;
}

void
finish_line(LogicalDecodingContext *ctx) {
	DecoderState *state = state_of(ctx);
	if (!batching(state)) {
		OutputPluginWrite(ctx, true);
		return;
	}
	StringInfo batch = &state->batch;
	const int limit = static_cast<int>(state->options.batch_bytes);
	if (batch->len > limit && state->line_start > 0) {
		/* the new line does not fit: send the lines before it, keep it (without its '\n') */
		write_batch_prefix(ctx, state, state->line_start);
		int line_length = batch->len - state->line_start - 1;
		memmove(batch->data, batch->data + state->line_start + 1, line_length);
		batch->len = line_length;
		batch->data[line_length] = '\0';
	}
	state->batch_lsn = ctx->write_location;
	/* a line alone as long as the limit (or longer) goes at once: no next line fits */
	if (batch->len >= limit)
		flush_batch(ctx);
}

StringInfo
start_record(LogicalDecodingContext *ctx) {
	flush_batch(ctx);
	OutputPluginPrepareWrite(ctx, true);
	return ctx->out;
}

} // namespace readscale::decoder::glue
