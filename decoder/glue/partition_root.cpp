/*
 * partition_root.cpp: publish_via_partition_root (publications.cpp decides
 * which root a partition's changes are sent as): the conversion of the
 * partition's rows to the root's row type, built once per relation entry,
 * and applied per change to a shallow copy of the change. C-shaped: may ERROR.
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

namespace {

/* C-shaped: the change's tuple converted by map, or the tuple itself without one. */
ReorderBufferChangeTuple
converted(ReorderBufferChangeTuple tuple, TupleConversionMap *map) {
	if (tuple == nullptr || map == nullptr)
		return tuple;
	return rs_change_tuple_of(execute_attr_map_tuple(rs_change_heap_tuple(tuple), map));
}

} // namespace

Relation
open_root(Oid relid) {
	Relation root = RelationIdGetRelation(relid);
	if (!RelationIsValid(root))
		elog(ERROR, "could not open relation with OID %u", relid);
	return root;
}

/* C-shaped: the conversion of relation's rows to target's, in a context of its own (nullptr: none needed). */
void
build_root_map(DecoderState *state, RelEntry *entry, Relation relation, Relation target) {
	if (entry->root_context != nullptr)
		MemoryContextDelete(entry->root_context);
	entry->root_context = nullptr;
	entry->root_map = nullptr;
	if (target == relation)
		return;
	entry->root_context =
	    AllocSetContextCreate(state->session_context, "readscale_decoder root map", ALLOCSET_SMALL_SIZES);
	MemoryContext caller = MemoryContextSwitchTo(entry->root_context);
	entry->root_map = convert_tuples_by_name(RelationGetDescr(relation), RelationGetDescr(target));
	MemoryContextSwitchTo(caller);
}

Relation
publish_target(const RelEntry *entry, Relation relation, ReorderBufferChange **change) {
	if (entry->publish_as == RelationGetRelid(relation))
		return relation;
	auto *copy = static_cast<ReorderBufferChange *>(palloc(sizeof(ReorderBufferChange)));
	*copy = **change;
	copy->data.tp.newtuple = converted(copy->data.tp.newtuple, entry->root_map);
	copy->data.tp.oldtuple = converted(copy->data.tp.oldtuple, entry->root_map);
	*change = copy;
	return open_root(entry->publish_as);
}

} // namespace readscale::decoder::glue
