/*
 * publications.hpp: what the publications named by publication-names say
 * about one relation (see publications.cpp).
 */
#pragma once

#include "bridge/postgres.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

/*
 * C-shaped (catalog access; may ERROR, e.g. an unknown publication or a row
 * filter). True when a named publication includes relation; then *actions
 * holds the union of their actions and *columns their column lists
 * (nullptr: every column).
 */
bool publications_include(const DecoderState *state, Relation relation, unsigned *actions, Bitmapset **columns);

} // namespace readscale::decoder::glue
