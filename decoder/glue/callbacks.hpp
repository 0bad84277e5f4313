/*
 * callbacks.hpp: the plugin's *_impl bodies shared between plugin.cpp
 * (ordinary decoding) and stream.cpp (streaming and two-phase decoding).
 * All are C-shaped (may ERROR) and run under a guarded trampoline.
 */
#pragma once

#include "bridge/postgres.hpp"

namespace readscale::decoder::glue {

struct DecoderState;

/* Writes the deferred begin (or stream_start inside a stream) before the first record sent. */
void maybe_write_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
/* OutputPluginUpdateProgress every 100 changes and at commit. */
void note_progress(LogicalDecodingContext *ctx, bool skipped_xact);
void write_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);

void decoder_begin_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
/* Whether a change is surely not sent (its action, or its table's cached entry). noexcept, calls no PostgreSQL. */
bool change_filtered_out(DecoderState *state, Relation relation, ReorderBufferChange *change) noexcept;
/* filtered_out: change_filtered_out's answer, which the trampoline already has. */
void decoder_change_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation,
                         ReorderBufferChange *change, bool filtered_out);
void decoder_truncate_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, int nrelations, Relation relations[],
                           ReorderBufferChange *change);
void decoder_message_impl(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                          const char *prefix, Size size, const char *content);

/* The stream callbacks but stream_change, which is the change callback (plugin.cpp). */
void set_stream_callbacks(OutputPluginCallbacks *cb);
void set_two_phase_callbacks(OutputPluginCallbacks *cb);

} // namespace readscale::decoder::glue
