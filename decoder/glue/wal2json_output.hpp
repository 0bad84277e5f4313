/*
 * wal2json_output.hpp: the record writers of format=wal2json-v2 (see
 * wal2json_output.cpp). C-shaped: they may ERROR.
 */
#pragma once

#include "bridge/postgres.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

/* {"action":"B"} or {"action":"C"}; lsn is final_lsn for B, commit_lsn for C. */
void wal2json_write_txn(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, bool begin, XLogRecPtr lsn);
void wal2json_write_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation relation, const RelEntry *entry,
                           ReorderBufferChange *change, ReorderBufferChangeType action);
void wal2json_write_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, const RelEntry *entry,
                             ReorderBufferChange *change);
void wal2json_write_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
                            const char *prefix, Size size, const char *content);

} // namespace readscale::decoder::glue
