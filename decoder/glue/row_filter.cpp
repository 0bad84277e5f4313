/*
 * row_filter.cpp: the row filters of publication-names (CREATE PUBLICATION
 * ... WHERE), evaluated with pgoutput's rules (pgoutput_row_filter in
 * PostgreSQL 15):
 * - one ExprState per action, the OR of the filters of every named
 *   publication that sends that action for the table; none when one of them
 *   sends it unfiltered;
 * - a filter that evaluates to NULL is false;
 * - insert: the new row; delete: the old row (the replica identity);
 * - update without an old row (key unchanged): the new row; with an old row
 *   (key changed, or REPLICA IDENTITY FULL) both: neither matches -> nothing
 *   is sent, only the new one -> sent as an insert, only the old one -> sent
 *   as a delete, both -> an update. Unchanged TOASTed key values, logged only
 *   in the old row, are copied into the new one before it is tested.
 *
 * Compiled once per relation entry, in a memory context of its own that is
 * dropped when the entry is rebuilt after an invalidation; a relation
 * without filters pays nothing. C-shaped throughout (the executor may ERROR).
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/row_filter.hpp"

namespace readscale::decoder::glue {

namespace {

/* Executor state over the one relation, as pgoutput's create_estate_for_relation. */
EState *
filter_estate(Relation relation) {
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(relation);
	rte->relkind = relation->rd_rel->relkind;
	rte->rellockmode = AccessShareLock;
	rs_init_range_table(estate, rte);
	estate->es_output_cid = GetCurrentCommandId(false);
	return estate;
}

/* The OR of the filter texts. */
Expr *
combine(List *texts) {
	List *clauses = NIL;
	ListCell *cell;
	foreach (cell, texts)
		clauses = lappend(clauses, stringToNode(static_cast<char *>(lfirst(cell))));
	if (list_length(clauses) == 1)
		return static_cast<Expr *>(linitial(clauses));
	BoolExpr *any = makeNode(BoolExpr);
	any->boolop = OR_EXPR;
	any->args = clauses;
	any->location = -1;
	return reinterpret_cast<Expr *>(any);
}

bool
matches(ExprState *expr, ExprContext *econtext, TupleTableSlot *slot) {
	bool isnull = false;
	econtext->ecxt_scantuple = slot;
	Datum result = ExecEvalExprSwitchContext(expr, econtext, &isnull);
	return !isnull && DatumGetBool(result);
}

/*
 * The new row to test: new_slot, or merged_slot when a key column's TOASTed
 * value was unchanged and so logged only in the old row.
 */
TupleTableSlot *
new_row_for_test(RowFilter *filter, TupleDesc desc) {
	TupleTableSlot *new_slot = filter->new_slot;
	TupleTableSlot *old_slot = filter->old_slot;
	slot_getallattrs(new_slot);
	slot_getallattrs(old_slot);
	bool merged = false;
	for (int i = 0; i < desc->natts; i++) {
		if (new_slot->tts_isnull[i] || old_slot->tts_isnull[i] || TupleDescAttr(desc, i)->attlen != -1)
			continue;
		if (!VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(new_slot->tts_values[i])) ||
		    VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(old_slot->tts_values[i])))
			continue;
		if (!merged) {
			ExecClearTuple(filter->merged_slot);
			memcpy(filter->merged_slot->tts_values, new_slot->tts_values, desc->natts * sizeof(Datum));
			memcpy(filter->merged_slot->tts_isnull, new_slot->tts_isnull, desc->natts * sizeof(bool));
			merged = true;
		}
		filter->merged_slot->tts_values[i] = old_slot->tts_values[i];
		filter->merged_slot->tts_isnull[i] = false;
	}
	if (!merged)
		return new_slot;
	ExecStoreVirtualTuple(filter->merged_slot);
	return filter->merged_slot;
}

int
filter_index(ReorderBufferChangeType action) {
	switch (action) {
	case REORDER_BUFFER_CHANGE_INSERT:
		return kFilterInsert;
	case REORDER_BUFFER_CHANGE_UPDATE:
		return kFilterUpdate;
	default:
		return kFilterDelete;
	}
}

} // namespace

void
row_filter_build(RowFilter *filter, MemoryContext parent, Relation relation, const RowFilterSources *sources) {
	row_filter_release(filter);
	if (sources->text[kFilterInsert] == NIL && sources->text[kFilterUpdate] == NIL &&
	    sources->text[kFilterDelete] == NIL)
		return;
	filter->context = AllocSetContextCreate(parent, "readscale_decoder row filter", ALLOCSET_SMALL_SIZES);
	MemoryContext caller = MemoryContextSwitchTo(filter->context);
	filter->estate = filter_estate(relation);
	for (int i = 0; i < kRowFilterActions; i++)
		if (sources->text[i] != NIL)
			filter->expr[i] = ExecPrepareExpr(combine(sources->text[i]), filter->estate);
	/* Copies: a slot pins a refcounted descriptor in the current resource owner; a copy is not refcounted. */
	TupleDesc desc = RelationGetDescr(relation);
	filter->old_slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(desc), &TTSOpsHeapTuple);
	filter->new_slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(desc), &TTSOpsHeapTuple);
	filter->merged_slot = MakeSingleTupleTableSlot(CreateTupleDescCopyConstr(desc), &TTSOpsVirtual);
	MemoryContextSwitchTo(caller);
}

void
row_filter_release(RowFilter *filter) {
	if (filter->context != nullptr)
		MemoryContextDelete(filter->context);
	*filter = RowFilter {};
}

bool
row_filter_pass(RowFilter *filter, Relation relation, ReorderBufferChange *change, ReorderBufferChangeType *action) {
	ExprState *expr = filter->expr[filter_index(*action)];
	if (expr == nullptr)
		return true;
	ResetPerTupleExprContext(filter->estate);
	ExprContext *econtext = GetPerTupleExprContext(filter->estate);
	HeapTuple new_tuple = rs_change_heap_tuple(change->data.tp.newtuple);
	HeapTuple old_tuple = rs_change_heap_tuple(change->data.tp.oldtuple);
	if (new_tuple != nullptr)
		ExecStoreHeapTuple(new_tuple, filter->new_slot, false);
	if (old_tuple != nullptr)
		ExecStoreHeapTuple(old_tuple, filter->old_slot, false);
	if (new_tuple == nullptr || old_tuple == nullptr) {
		if (new_tuple == nullptr && old_tuple == nullptr)
			return false; /* nothing to test (REPLICA IDENTITY NOTHING): not sent, as pgoutput */
		return matches(expr, econtext, new_tuple != nullptr ? filter->new_slot : filter->old_slot);
	}
	bool old_matched = matches(expr, econtext, filter->old_slot);
	bool new_matched = matches(expr, econtext, new_row_for_test(filter, RelationGetDescr(relation)));
	if (old_matched && !new_matched)
		*action = REORDER_BUFFER_CHANGE_DELETE;
	else if (!old_matched && new_matched)
		*action = REORDER_BUFFER_CHANGE_INSERT;
	return old_matched || new_matched;
}

} // namespace readscale::decoder::glue
