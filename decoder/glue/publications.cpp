/*
 * publications.cpp: the publication-names option. For one relation, read
 * once per plan build (never per change): whether any named publication
 * includes it (FOR ALL TABLES, FOR TABLE, FOR TABLES IN SCHEMA), the union of
 * their published actions, and the union of their column lists (a
 * publication without a list publishes every column). Row filters are not
 * evaluated yet: a relation with one is refused rather than sent unfiltered.
 * Partitions are matched as themselves (publish_via_partition_root is not
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

/* Adds this publication's column list for relid to *columns; sets *all_columns when it has none. */
void
add_column_list(const Publication *publication, Oid relid, Bitmapset **columns, bool *all_columns) {
	HeapTuple tuple = SearchSysCache2(PUBLICATIONRELMAP, ObjectIdGetDatum(relid), ObjectIdGetDatum(publication->oid));
	if (!HeapTupleIsValid(tuple)) {
		*all_columns = true; /* published through FOR ALL TABLES or a schema */
		return;
	}
	bool isnull = false;
	SysCacheGetAttr(PUBLICATIONRELMAP, tuple, Anum_pg_publication_rel_prqual, &isnull);
	if (!isnull) {
		ReleaseSysCache(tuple);
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("row filters of publication \"%s\" are not supported by readscale_decoder",
		                       publication->name),
		                errhint("Remove the WHERE clause from the publication, or name another publication.")));
	}
	Datum list = SysCacheGetAttr(PUBLICATIONRELMAP, tuple, Anum_pg_publication_rel_prattrs, &isnull);
	if (isnull)
		*all_columns = true;
	else
		*columns = pub_collist_to_bitmapset(*columns, list, CurrentMemoryContext);
	ReleaseSysCache(tuple);
}

} // namespace

bool
publications_include(const DecoderState *state, Relation relation, unsigned *actions, Bitmapset **columns) {
	Oid relid = RelationGetRelid(relation);
	List *by_table = GetRelationPublications(relid);
	List *by_schema = GetSchemaPublications(RelationGetNamespace(relation));
	const std::vector<std::string> &names = state->options.publication_names;
	bool included = false;
	bool all_columns = false;
	*actions = 0;
	*columns = nullptr;
	for (std::size_t i = 0; i < names.size(); i++) {
		Publication *publication = GetPublicationByName(names[i].c_str(), false);
		if (!publication->alltables && !list_member_oid(by_table, publication->oid) &&
		    !list_member_oid(by_schema, publication->oid))
			continue;
		included = true;
		*actions |= actions_of(publication);
		add_column_list(publication, relid, columns, &all_columns);
	}
	if (all_columns)
		*columns = nullptr;
	return included;
}

} // namespace readscale::decoder::glue
