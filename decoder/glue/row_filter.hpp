/*
 * row_filter.hpp: publication row filters, compiled per relation entry and
 * evaluated per change (see row_filter.cpp). All C-shaped: may ERROR.
 */
#pragma once

#include "bridge/postgres.hpp"
#include "glue/publications.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

/* Drops filter's previous state, then compiles sources (if any) in a new child of parent. */
void row_filter_build(RowFilter *filter, MemoryContext parent, Relation relation, const RowFilterSources *sources);

/* Frees what row_filter_build made; filter then passes everything. */
void row_filter_release(RowFilter *filter);

/* True when the change is sent; an update may become an insert or a delete (*action). */
bool row_filter_pass(RowFilter *filter, Relation relation, ReorderBufferChange *change,
                     ReorderBufferChangeType *action);

inline bool
has_row_filter(const RowFilter &filter) {
	return filter.context != nullptr;
}

} // namespace readscale::decoder::glue
