/*
 * publications.hpp: what the publications named by publication-names say
 * about one relation (see publications.cpp).
 */
#pragma once

#include "core/relation_plan.hpp"

#include "bridge/postgres.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

/*
 * The row filters (pg_publication_rel.prqual, nodeToString text) that apply
 * to each of insert, update and delete, as pgoutput_row_filter_init collects
 * them: NIL for an action some publication sends unfiltered.
 */
struct RowFilterSources {
	List *text[kRowFilterActions];
};

/* The column side: the union of the publications' column lists (nullptr: none) and pgoutput's rule for the rest. */
struct PublishedColumns {
	Bitmapset *listed;
	PublicationColumns rule;
};

/*
 * C-shaped (catalog access; may ERROR, e.g. an unknown publication). True
 * when a named publication includes relation; then *publish_as is the
 * relation its changes are sent as (itself, or a partition root under
 * publish_via_partition_root), *actions the union of the publications'
 * actions, *columns their columns (of *publish_as; publication_publishes_column
 * decides each) and *filters their row filters (over *publish_as's row).
 */
bool publications_include(const DecoderState *state, Relation relation, unsigned *actions, PublishedColumns *columns,
                          RowFilterSources *filters, Oid *publish_as);

} // namespace readscale::decoder::glue
