/*
 * rel_cache.cpp: per-relation decisions (is the table sent, which columns,
 * their output functions and pre-escaped keys), built once per relation and
 * invalidated with the relcache, so a change of a filtered-out table costs a
 * hash-free lookup (the last relation is remembered) and nothing else: no
 * catalog access, no allocation, no string compare.
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/guard.hpp"
#include "bridge/postgres.hpp"
#include "glue/publications.hpp"
#include "glue/row_filter.hpp"
#include "glue/state.hpp"

namespace readscale::decoder::glue {

namespace {

/* The state receiving invalidations: plain data (STYLE B8), one decoding context per backend. */
DecoderState *invalidation_target = nullptr;
bool callback_registered = false;

void
invalidate_impl(Oid relid) noexcept {
	if (invalidation_target != nullptr)
		invalidation_target->relations.invalidate(relid);
}

/* B3: runs in the middle of unrelated code; only marks entries. */
extern "C" void
decoder_relcache_callback(Datum arg, Oid relid) {
	(void)arg;
	readscale::pg::guarded_no_throw(WARNING, [=]() { invalidate_impl(relid); });
}

/*
 * B3 as above. A schema rename, or a change to a publication, changes no
 * relation's relcache entry, yet cached "schema" texts and filter decisions
 * are stale: forget them all (such changes are rare).
 */
extern "C" void
decoder_namespace_callback(Datum arg, rs_syscache_id cache_id, uint32 hash_value) {
	(void)arg;
	(void)cache_id;
	(void)hash_value;
	readscale::pg::guarded_no_throw(WARNING, []() { invalidate_impl(InvalidOid); });
}

/* wal2json 2.5's value rules (pg_decode_write_value). */
JsonKind
wal2json_kind_of(Oid type) {
	switch (type) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
	case OIDOID:
	case FLOAT4OID:
	case FLOAT8OID:
	case NUMERICOID:
		return JsonKind::NumberOrNull;
	case BOOLOID:
		return JsonKind::Bool;
	case BYTEAOID:
		return JsonKind::HexBytes;
	default:
		return JsonKind::String;
	}
}

/* Decided here, once per column: the per-row path only reads the column's kind. */
JsonKind
json_kind_of(Oid type, const DecoderOptions &options) {
	switch (type) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
	case OIDOID:
		return JsonKind::Integer;
	case FLOAT4OID:
	case FLOAT8OID:
		return JsonKind::Float;
	case NUMERICOID:
		return options.numeric_as_string ? JsonKind::String : JsonKind::Float;
	case BOOLOID:
		return JsonKind::Bool;
	case JSONOID:
	case JSONBOID:
		/* embedded, a JSON null would read as SQL NULL; as a string, every value round-trips */
		return options.json_as_string ? JsonKind::String : JsonKind::Json;
	default:
		return JsonKind::String;
	}
}

const char *
to_utf8(const DecoderState *state, const char *text) {
	return state->convert_to_utf8 ? pg_server_to_any(text, static_cast<int>(strlen(text)), PG_UTF8) : text;
}

/* C++ only: plans and stores; no PostgreSQL call, so its std::string temporaries may be alive here. */
RelEntry *
install_plan(DecoderState *state, Oid relid, const char *schema, const char *table, const ColumnSource *columns,
             int count) {
	return state->relations.install(
	    relid, plan_relation(state->options, schema, table, columns, static_cast<std::size_t>(count)));
}

/* C-shaped: reads the tuple descriptor and catalogs into a palloc'd POD array. */
ColumnSource *
gather_columns(DecoderState *state, Relation relation, const PublishedColumns *published) {
	TupleDesc desc = RelationGetDescr(relation);
	auto *columns = static_cast<ColumnSource *>(palloc0(sizeof(ColumnSource) * (desc->natts + 1)));
	bool wal2json = state->options.format == OutputFormat::Wal2jsonV2;
	/* NULL under REPLICA IDENTITY FULL or NOTHING, or without a primary key. */
	Bitmapset *key = RelationGetIndexAttrBitmap(relation, INDEX_ATTR_BITMAP_IDENTITY_KEY);
	for (int i = 0; i < desc->natts; i++) {
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		ColumnSource *column = &columns[i];
		column->name = to_utf8(state, NameStr(attr->attname));
		column->dropped = attr->attisdropped;
		column->generated = attr->attgenerated != '\0';
		column->virtual_generated = attr->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL;
		column->identity_key = bms_is_member(attr->attnum - FirstLowInvalidHeapAttributeNumber, key);
		column->unpublished =
		    published != nullptr &&
		    !publication_publishes_column(*column, bms_is_member(attr->attnum, published->listed), published->rule);
		if (column->dropped)
			continue;
		Oid output_fn = InvalidOid;
		bool is_varlena = false;
		getTypeOutputInfo(attr->atttypid, &output_fn, &is_varlena);
		column->output_function = output_fn;
		column->kind = wal2json ? wal2json_kind_of(attr->atttypid) : json_kind_of(attr->atttypid, state->options);
		if (wal2json && state->options.include_types)
			column->type_name = to_utf8(state, format_type_with_typemod(attr->atttypid, attr->atttypmod));
	}
	return columns;
}

/* C-shaped: sizes the FmgrInfo array (C++, POD elements), then fills it through the catalogs. */
void
prepare_output_functions(DecoderState *state, RelEntry *entry, TupleDesc desc) {
	std::size_t count = entry->plan.columns.size();
	entry->output.resize(count);
	entry->fast.resize(count);
	for (std::size_t i = 0; i < count; i++) {
		const ColumnPlan *column = &entry->plan.columns[i];
		fmgr_info_cxt(column->output_function, &entry->output[i], state->session_context);
		/* converted text must go through the output function and pg_server_to_any */
		Oid type = TupleDescAttr(desc, column->attribute_index)->atttypid;
		entry->fast[i] = state->convert_to_utf8 ? kFastNone : fast_output_of(type);
	}
}

} // namespace

RelEntry *
RelCache::install(Oid relid, RelationPlan plan) {
	RelEntry &entry = entries_[relid]; /* may move other entries: last_ is reset below */
	entry.plan = std::move(plan);
	entry.output.clear();
	entry.valid = false; /* valid once its output functions are ready */
	last_relid_ = relid;
	last_ = &entry;
	return &entry;
}

void
RelCache::invalidate(Oid relid) noexcept {
	if (relid == InvalidOid) {
		for (auto &item : entries_)
			item.second.valid = false;
		return;
	}
	/* also the partitions sent as this root: they hold its name and columns */
	for (auto &item : entries_)
		if (item.first == relid || item.second.publish_as == relid)
			item.second.valid = false;
}

RelEntry *
relation_entry(DecoderState *state, Relation relation) {
	Oid relid = RelationGetRelid(relation);
	RelEntry *entry = state->relations.find(relid);
	if (entry != nullptr)
		return entry;
	ColumnSource *columns = nullptr;
	int count = 0;
	unsigned actions = kAllActions;
	PublishedColumns published = {nullptr, {false, false}};
	RowFilterSources filters = {{NIL, NIL, NIL}};
	Oid publish_as = relid;
	bool included = state->options.publication_names.empty() ||
	                publications_include(state, relation, &actions, &published, &filters, &publish_as);
	/* names, columns and filters are the root's when the changes are sent as the root's */
	Relation target = publish_as == relid ? relation : open_root(publish_as);
	const char *schema = to_utf8(state, get_namespace_name(RelationGetNamespace(target)));
	const char *table = to_utf8(state, RelationGetRelationName(target));
	included = included && table_included(state->options, schema, table);
	if (included) {
		columns = gather_columns(state, target, state->options.publication_names.empty() ? nullptr : &published);
		count = RelationGetDescr(target)->natts;
	}
	entry = install_plan(state, relid, schema, table, columns, count);
	entry->plan.included = included;
	entry->actions = actions;
	entry->publish_as = publish_as;
	prepare_output_functions(state, entry, RelationGetDescr(target));
	row_filter_build(&entry->filter, state->session_context, target, &filters);
	build_root_map(state, entry, relation, target);
	list_free(RelationGetIndexList(target)); /* sets rd_replidindex */
	entry->has_identity_index = OidIsValid(target->rd_replidindex);
	if (target != relation)
		RelationClose(target);
	entry->valid = true;
	return entry;
}

const Datum *
deform_tuple(const RelEntry *entry, TupleDesc desc, HeapTuple tuple, const bool **nulls) {
	auto natts = static_cast<std::size_t>(desc->natts);
	if (entry->values.size() < natts) {
		entry->values.resize(natts);
		entry->nulls.resize(natts);
	}
	heap_deform_tuple(tuple, desc, entry->values.data(), entry->nulls.data());
	*nulls = entry->nulls.data();
	return entry->values.data();
}

bool
take_old_value(HeapTuple old, TupleDesc desc, int attribute_index, Datum *value) {
	bool isnull = false;
	Datum old_value = heap_getattr(old, attribute_index + 1, desc, &isnull);
	if (isnull || VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(old_value)))
		return false;
	*value = old_value;
	return true;
}

void
attach_invalidation(DecoderState *state) {
	if (!callback_registered) {
		CacheRegisterRelcacheCallback(decoder_relcache_callback, (Datum)0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, decoder_namespace_callback, (Datum)0);
		CacheRegisterSyscacheCallback(PUBLICATIONOID, decoder_namespace_callback, (Datum)0);
		CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, decoder_namespace_callback, (Datum)0);
		CacheRegisterSyscacheCallback(PUBLICATIONNAMESPACEMAP, decoder_namespace_callback, (Datum)0);
		callback_registered = true;
	}
	invalidation_target = state;
}

void
detach_invalidation(DecoderState *state) noexcept {
	if (invalidation_target == state)
		invalidation_target = nullptr;
}

} // namespace readscale::decoder::glue
