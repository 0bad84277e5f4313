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
	(void) arg;
	readscale::pg::guarded_no_throw(WARNING, [=]() { invalidate_impl(relid); });
}

/* wal2json 2.5's value rules (pg_decode_write_value). */
/*
 * B3 as above. A schema rename, or a change to a publication, changes no
 * relation's relcache entry, yet cached "schema" texts and filter decisions
 * are stale: forget them all (such changes are rare).
 */
extern "C" void
decoder_namespace_callback(Datum arg, int cache_id, uint32 hash_value) {
	(void) arg;
	(void) cache_id;
	(void) hash_value;
	readscale::pg::guarded_no_throw(WARNING, []() { invalidate_impl(InvalidOid); });
}

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

JsonKind
json_kind_of(Oid type, bool numeric_as_string) {
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
		return numeric_as_string ? JsonKind::String : JsonKind::Float;
	case BOOLOID:
		return JsonKind::Bool;
	case JSONOID:
	case JSONBOID:
		return JsonKind::Json;
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
gather_columns(DecoderState *state, Relation relation, Bitmapset *published) {
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
		column->identity_key = bms_is_member(attr->attnum - FirstLowInvalidHeapAttributeNumber, key);
		column->unpublished = published != nullptr && !bms_is_member(attr->attnum, published);
		if (column->dropped)
			continue;
		Oid output_fn = InvalidOid;
		bool is_varlena = false;
		getTypeOutputInfo(attr->atttypid, &output_fn, &is_varlena);
		column->output_function = output_fn;
		column->kind = wal2json ? wal2json_kind_of(attr->atttypid)
		                        : json_kind_of(attr->atttypid, state->options.numeric_as_string);
		if (wal2json && state->options.include_types)
			column->type_name = to_utf8(state, format_type_with_typemod(attr->atttypid, attr->atttypmod));
	}
	return columns;
}

FastOutput
fast_output_of(Oid type) {
	switch (type) {
	case INT2OID:
		return kFastInt2;
	case INT4OID:
		return kFastInt4;
	case INT8OID:
		return kFastInt8;
	case BOOLOID:
		return kFastBool;
	case TEXTOID:
	case VARCHAROID:
		return kFastText;
	case FLOAT8OID:
		return kFastFloat8;
	case NUMERICOID:
		return kFastNumeric;
	case TIMESTAMPTZOID:
		return kFastTimestamptz;
	default:
		return kFastNone;
	}
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

namespace {

/* C-shaped: the conversion of relation's rows to target's, in a context of its own (nullptr: none needed). */
void
build_root_map(DecoderState *state, RelEntry *entry, Relation relation, Relation target) {
	if (entry->root_context != nullptr)
		MemoryContextDelete(entry->root_context);
	entry->root_context = nullptr;
	entry->root_map = nullptr;
	if (target == relation)
		return;
	entry->root_context = AllocSetContextCreate(state->session_context, "readscale_decoder root map",
	                                            ALLOCSET_SMALL_SIZES);
	MemoryContext caller = MemoryContextSwitchTo(entry->root_context);
	entry->root_map = convert_tuples_by_name(RelationGetDescr(relation), RelationGetDescr(target));
	MemoryContextSwitchTo(caller);
}

/* C-shaped: a tuple buffer holding tuple converted by map, or buffer itself without one. */
ReorderBufferTupleBuf *
converted(ReorderBufferTupleBuf *buffer, TupleConversionMap *map) {
	if (buffer == nullptr || map == nullptr)
		return buffer;
	auto *copy = static_cast<ReorderBufferTupleBuf *>(palloc0(sizeof(ReorderBufferTupleBuf)));
	copy->tuple = *execute_attr_map_tuple(&buffer->tuple, map);
	return copy;
}

} // namespace

RelEntry *
relation_entry(DecoderState *state, Relation relation) {
	Oid relid = RelationGetRelid(relation);
	RelEntry *entry = state->relations.find(relid);
	if (entry != nullptr)
		return entry;
	ColumnSource *columns = nullptr;
	int count = 0;
	unsigned actions = kAllActions;
	Bitmapset *published = nullptr;
	RowFilterSources filters = {{NIL, NIL, NIL}};
	Oid publish_as = relid;
	bool included = state->options.publication_names.empty() ||
	                publications_include(state, relation, &actions, &published, &filters, &publish_as);
	/* names, columns and filters are the root's when the changes are sent as the root's */
	Relation target = publish_as == relid ? relation : RelationIdGetRelation(publish_as);
	const char *schema = to_utf8(state, get_namespace_name(RelationGetNamespace(target)));
	const char *table = to_utf8(state, RelationGetRelationName(target));
	included = included && table_included(state->options, schema, table);
	if (included) {
		columns = gather_columns(state, target, published);
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

Relation
publish_target(const RelEntry *entry, Relation relation, ReorderBufferChange **change) {
	if (entry->publish_as == RelationGetRelid(relation))
		return relation;
	auto *copy = static_cast<ReorderBufferChange *>(palloc(sizeof(ReorderBufferChange)));
	*copy = **change;
	copy->data.tp.newtuple = converted(copy->data.tp.newtuple, entry->root_map);
	copy->data.tp.oldtuple = converted(copy->data.tp.oldtuple, entry->root_map);
	*change = copy;
	return RelationIdGetRelation(entry->publish_as);
}

namespace {

/*
 * C-shaped: fills the zone cache for seconds from pg_localtime (what
 * timestamp2tm uses) and the zone's next transition; marks the zone unusable
 * when its local time is not UTC + offset (a zone with leap seconds).
 */
void
fill_zone_cache(ZoneOffsetCache *cache, pg_time_t seconds) {
	cache->tz = session_timezone;
	cache->usable = false;
	struct pg_tm *local = pg_localtime(&seconds, session_timezone);
	long before = 0;
	long after = 0;
	int before_isdst = 0;
	int after_isdst = 0;
	pg_time_t boundary = 0;
	int found = pg_next_dst_boundary(&seconds, &before, &before_isdst, &boundary, &after, &after_isdst, session_timezone);
	if (local == nullptr || found < 0 || before != local->tm_gmtoff)
		return;
	int64 local_seconds = seconds + local->tm_gmtoff;
	int64 time_of_day = local_seconds - (local_seconds >= 0 ? local_seconds / 86400 : (local_seconds - 86399) / 86400) * 86400;
	if (time_of_day != local->tm_hour * 3600 + local->tm_min * 60 + local->tm_sec)
		return;
	cache->usable = true;
	cache->from = seconds;
	cache->until = found == 0 ? PG_INT64_MAX : boundary;
	cache->gmtoff = local->tm_gmtoff;
}

/* C-shaped: timestamptz_out's text in DateStyle ISO, or nullptr when the output function must write it. */
const char *
timestamptz_text(const DecoderState *state, Datum value, char *buffer, std::size_t *length) {
	TimestampTz stamp = DatumGetTimestampTz(value);
	if (DateStyle != USE_ISO_DATES || TIMESTAMP_NOT_FINITE(stamp) || session_timezone == nullptr)
		return nullptr;
	ZoneOffsetCache *cache = &state->zone;
	pg_time_t seconds = unix_seconds_of(stamp);
	if (cache->tz != session_timezone || (cache->usable && (seconds < cache->from || seconds >= cache->until)))
		fill_zone_cache(cache, seconds);
	if (!cache->usable)
		return nullptr;
	return format_timestamptz_iso(stamp, cache->gmtoff, buffer, length) ? buffer : nullptr;
}

/* C-shaped: numeric_out's text, or nullptr when it would not fit in buffer. */
const char *
numeric_text(Datum value, char *buffer, std::size_t *length) {
	struct varlena *number = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
	const auto *data = reinterpret_cast<const unsigned char *>(VARDATA_ANY(number));
	std::size_t size = VARSIZE_ANY_EXHDR(number);
	std::size_t bound = numeric_text_bound(data, size);
	if (bound == 0 || bound > kValueBufferSize)
		return nullptr;
	*length = format_numeric(data, size, buffer);
	return buffer;
}

} // namespace

const char *
column_text(const DecoderState *state, const RelEntry *entry, std::size_t i, Datum value, char *buffer,
            std::size_t *length) {
	const char *fast = nullptr;
	switch (entry->fast[i]) {
	case kFastInt2:
		*length = static_cast<std::size_t>(pg_itoa(DatumGetInt16(value), buffer));
		return buffer;
	case kFastInt4:
		*length = static_cast<std::size_t>(pg_ltoa(DatumGetInt32(value), buffer));
		return buffer;
	case kFastInt8:
		*length = static_cast<std::size_t>(pg_lltoa(DatumGetInt64(value), buffer));
		return buffer;
	case kFastBool:
		*length = 1;
		return DatumGetBool(value) ? "t" : "f";
	case kFastText: {
		struct varlena *text = pg_detoast_datum_packed(reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
		*length = VARSIZE_ANY_EXHDR(text);
		return VARDATA_ANY(text);
	}
	case kFastFloat8:
		if (extra_float_digits <= 0) /* then float8out prints %.*g, not the shortest text */
			break;
		*length = format_float8(DatumGetFloat8(value), buffer);
		return buffer;
	case kFastNumeric:
		fast = numeric_text(value, buffer, length);
		break;
	case kFastTimestamptz:
		fast = timestamptz_text(state, value, buffer, length);
		break;
	default:
		break;
	}
	if (fast != nullptr)
		return fast;
	char *text = OutputFunctionCall(const_cast<FmgrInfo *>(&entry->output[i]), value);
	if (state->convert_to_utf8)
		text = pg_server_to_any(text, static_cast<int>(strlen(text)), PG_UTF8);
	*length = strlen(text);
	return text;
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
	if (isnull || VARATT_IS_EXTERNAL_ONDISK(old_value))
		return false;
	*value = old_value;
	return true;
}

void
attach_invalidation(DecoderState *state) {
	if (!callback_registered) {
		CacheRegisterRelcacheCallback(decoder_relcache_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, decoder_namespace_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONOID, decoder_namespace_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, decoder_namespace_callback, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONNAMESPACEMAP, decoder_namespace_callback, (Datum) 0);
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
