/*
 * publications.cpp: the publication-names option. For one relation, read
 * once per plan build (never per change): whether any named publication
 * includes it (FOR ALL TABLES, FOR TABLE, FOR TABLES IN SCHEMA), the union of
 * their published actions, the union of their column lists (a
 * publication without a list publishes every column), and their row filters
 * per action (compiled and evaluated by row_filter.cpp). A partition is
 * published when it or an ancestor is; under publish_via_partition_root its
 * changes are sent as the topmost published ancestor's, with that
 * ancestor's column lists and row filters (pgoutput's get_rel_sync_entry).
 * 19's FOR ALL TABLES EXCEPT (TABLE t): such a publication does not publish
 * t, nor, for a partition, anything whose partition root it excludes.
 * Generated columns as pgoutput 18 (publication_publishes_column): the lists,
 * else publish_generated_columns of the publications without a list, which
 * must agree when the table has generated columns (pgoutput's error).
 *
 * The publications are looked up with the decoding snapshot, as pgoutput
 * does, so they must exist when the decoded changes were made. Changes to
 * them invalidate every cached plan (rel_cache.cpp registers the syscache
 * callbacks). C-shaped throughout: catalog access may ERROR.
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"
#include "core/value_text.hpp"

#include "bridge/postgres.hpp"
#include "glue/publications.hpp"

namespace readscale::decoder::glue {

namespace {

unsigned
actions_of(const Publication *publication) {
	const PublicationActions *pub = &publication->pubactions;
	return (pub->pubinsert ? kActionInsert : 0u) | (pub->pubupdate ? kActionUpdate : 0u) |
	       (pub->pubdelete ? kActionDelete : 0u) | (pub->pubtruncate ? kActionTruncate : 0u);
}

/*
 * Reads this publication's entry for relid: adds its column list to
 * *columns (sets *all_columns when it has none) and returns its row filter
 * text, or nullptr. FOR ALL TABLES and FOR TABLES IN SCHEMA have neither.
 */
char *
read_publication_rel(const Publication *publication, Oid relid, bool by_entry, Bitmapset **columns, bool *all_columns) {
	HeapTuple tuple =
	    by_entry ? SearchSysCache2(PUBLICATIONRELMAP, ObjectIdGetDatum(relid), ObjectIdGetDatum(publication->oid))
	             : nullptr;
	if (!HeapTupleIsValid(tuple)) {
		*all_columns = true;
		return nullptr;
	}
	bool isnull = false;
	Datum qual = SysCacheGetAttr(PUBLICATIONRELMAP, tuple, Anum_pg_publication_rel_prqual, &isnull);
	char *filter = isnull ? nullptr : TextDatumGetCString(qual);
	Datum list = SysCacheGetAttr(PUBLICATIONRELMAP, tuple, Anum_pg_publication_rel_prattrs, &isnull);
	if (isnull)
		*all_columns = true;
	else
		*columns = pub_collist_to_bitmapset(*columns, list, CurrentMemoryContext);
	ReleaseSysCache(tuple);
	return filter;
}

/*
 * pgoutput's rule: the filters of one action are OR'ed; a publication that
 * sends the action without a filter (or publishes the table through FOR
 * ALL TABLES or its schema) means that action is not filtered at all.
 */
void
add_row_filter(const Publication *publication, char *filter, RowFilterSources *filters, bool unfiltered[]) {
	const bool sends[kRowFilterActions] = {publication->pubactions.pubinsert, publication->pubactions.pubupdate,
	                                       publication->pubactions.pubdelete};
	for (int i = 0; i < kRowFilterActions; i++) {
		if (!sends[i])
			continue;
		if (filter == nullptr)
			unfiltered[i] = true;
		else
			filters->text[i] = lappend(filters->text[i], filter);
	}
}

/*
 * pgoutput's rule for one publication: does it publish relid, and as which
 * relation (*via, *level ancestors up): the partition itself, or with
 * publish_via_partition_root its topmost ancestor the publication names.
 */
bool
publishes(const Publication *publication, Oid relid, bool is_partition, List *by_table, List *by_schema, Oid *via,
          int *level) {
	*via = relid;
	*level = 0;
	if (publication->alltables) {
		/* pgoutput 19 checks EXCEPT on the partition root, with or without publish_via_partition_root */
		Oid listed = relid;
		if (is_partition) {
			List *ancestors = get_partition_ancestors(relid);
			listed = llast_oid(ancestors);
			if (publication->pubviaroot) {
				*via = listed;
				*level = list_length(ancestors);
			}
		}
		return !list_member_oid(GetRelationExcludedPublications(listed), publication->oid);
	}
	bool ancestor_published = false;
	if (is_partition) {
		int ancestor_level = 0;
		Oid ancestor =
		    GetTopMostAncestorInPublication(publication->oid, get_partition_ancestors(relid), &ancestor_level);
		ancestor_published = OidIsValid(ancestor);
		if (ancestor_published && publication->pubviaroot) {
			*via = ancestor;
			*level = ancestor_level;
		}
	}
	return ancestor_published || list_member_oid(by_table, publication->oid) ||
	       list_member_oid(by_schema, publication->oid);
}

/*
 * The named publications that publish relation, reduced as pgoutput does to
 * those publishing it through the topmost ancestor (*publish_as); *actions
 * is the union over all of them. A partitioned table is published only by
 * publications with publish_via_partition_root (its partitions carry the
 * rows otherwise).
 */
List *
choose_publications(const DecoderState *state, Relation relation, unsigned *actions, Oid *publish_as) {
	Oid relid = RelationGetRelid(relation);
	bool partitioned = relation->rd_rel->relkind == RELKIND_PARTITIONED_TABLE;
	List *by_table = GetRelationIncludedPublications(relid);
	List *by_schema = GetSchemaPublications(RelationGetNamespace(relation));
	List *chosen = NIL;
	int top_level = 0;
	*actions = 0;
	*publish_as = relid;
	for (const std::string &name : state->options.publication_names) {
		Publication *publication = GetPublicationByName(name.c_str(), false);
		Oid via = InvalidOid;
		int level = 0;
		if (!publishes(publication, relid, relation->rd_rel->relispartition, by_table, by_schema, &via, &level) ||
		    (partitioned && !publication->pubviaroot))
			continue;
		*actions |= actions_of(publication);
		if (level < top_level)
			continue;
		if (level > top_level) {
			top_level = level;
			*publish_as = via;
			chosen = NIL;
		}
		chosen = lappend(chosen, publication);
	}
	return chosen;
}

bool
has_generated_column(Relation relation) {
	TupleDesc desc = RelationGetDescr(relation);
	for (int i = 0; i < desc->natts; i++)
		if (TupleDescAttr(desc, i)->attgenerated != '\0')
			return true;
	return false;
}

/* pgoutput_pubgencols_init: publications without a column list must agree on publish_generated_columns. */
void
add_generated_rule(const Publication *publication, Relation relation, bool *seen, bool *stored_generated) {
	bool stored = rs_publication_sends_stored_generated(publication);
	if (*seen && stored != *stored_generated && has_generated_column(relation))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("cannot use different values of publish_generated_columns for table \"%s.%s\" in "
		                       "different publications",
		                       get_namespace_name(RelationGetNamespace(relation)), RelationGetRelationName(relation))));
	*seen = true;
	*stored_generated = stored;
}

} // namespace

bool
publications_include(const DecoderState *state, Relation relation, unsigned *actions, PublishedColumns *columns,
                     RowFilterSources *filters, Oid *publish_as) {
	List *chosen = choose_publications(state, relation, actions, publish_as);
	List *by_schema = GetSchemaPublications(get_rel_namespace(*publish_as));
	bool all_columns = false;
	bool rule_seen = false;
	bool unfiltered[kRowFilterActions] = {false, false, false};
	*columns = PublishedColumns {nullptr, {false, false}};
	for (int i = 0; i < kRowFilterActions; i++)
		filters->text[i] = NIL;
	ListCell *cell;
	foreach (cell, chosen) {
		auto *publication = static_cast<Publication *>(lfirst(cell));
		bool whole = publication->alltables || list_member_oid(by_schema, publication->oid);
		bool without_list = false;
		char *filter = read_publication_rel(publication, *publish_as, !whole, &columns->listed, &without_list);
		add_row_filter(publication, filter, filters, unfiltered);
		if (without_list)
			add_generated_rule(publication, relation, &rule_seen, &columns->rule.stored_generated);
		all_columns = all_columns || without_list;
	}
	/* a publication without a list sends every column (our union; pgoutput refuses differing lists) */
	if (all_columns)
		columns->listed = nullptr;
	columns->rule.has_list = columns->listed != nullptr;
	for (int i = 0; i < kRowFilterActions; i++)
		if (unfiltered[i])
			filters->text[i] = NIL;
	return chosen != NIL;
}

} // namespace readscale::decoder::glue
