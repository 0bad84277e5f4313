/*
 * publications.cpp: the publication-names option. For one relation, read
 * once per plan build (never per change): whether any named publication
 * includes it (FOR ALL TABLES, FOR TABLE, FOR TABLES IN SCHEMA), the union of
 * their published actions, the union of their column lists (a
 * publication without a list publishes every column), and their row filters
 * per action (compiled and evaluated by row_filter.cpp). Partitions are matched as themselves (publish_via_partition_root is not
 * honoured).
 *
 * The publications are looked up with the decoding snapshot, as pgoutput
 * does, so they must exist when the decoded changes were made. Changes to
 * them invalidate every cached plan (rel_cache.cpp registers the syscache
 * callbacks). C-shaped throughout: catalog access may ERROR.
 */
#include "core/options.hpp"
#include "core/relation_plan.hpp"

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
read_publication_rel(const Publication *publication, Oid relid, bool by_entry, Bitmapset **columns,
                     bool *all_columns) {
	HeapTuple tuple = by_entry ? SearchSysCache2(PUBLICATIONRELMAP, ObjectIdGetDatum(relid),
	                                             ObjectIdGetDatum(publication->oid))
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

} // namespace

bool
publications_include(const DecoderState *state, Relation relation, unsigned *actions, Bitmapset **columns,
                     RowFilterSources *filters) {
	Oid relid = RelationGetRelid(relation);
	List *by_table = GetRelationPublications(relid);
	List *by_schema = GetSchemaPublications(RelationGetNamespace(relation));
	const std::vector<std::string> &names = state->options.publication_names;
	bool included = false;
	bool all_columns = false;
	bool unfiltered[kRowFilterActions] = {false, false, false};
	*actions = 0;
	*columns = nullptr;
	for (int i = 0; i < kRowFilterActions; i++)
		filters->text[i] = NIL;
	for (std::size_t i = 0; i < names.size(); i++) {
		Publication *publication = GetPublicationByName(names[i].c_str(), false);
		bool whole = publication->alltables || list_member_oid(by_schema, publication->oid);
		if (!whole && !list_member_oid(by_table, publication->oid))
			continue;
		included = true;
		*actions |= actions_of(publication);
		char *filter = read_publication_rel(publication, relid, !whole, columns, &all_columns);
		add_row_filter(publication, filter, filters, unfiltered);
	}
	if (all_columns)
		*columns = nullptr;
	for (int i = 0; i < kRowFilterActions; i++)
		if (unfiltered[i])
			filters->text[i] = NIL;
	return included;
}

} // namespace readscale::decoder::glue
