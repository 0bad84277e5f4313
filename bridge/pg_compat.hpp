/*
 * pg_compat.hpp: differences between PostgreSQL majors 15-19, in one place (citus'
 * pg_version_compat.h, timescaledb's compat.h). Call sites use the newest major's
 * name; older majors get a back-port under that name.
 *
 * Included at the end of postgres.hpp; never include it directly.
 */
#pragma once

/* ---- runtime behaviour back-ports (branch majors-fix) ---------------------------- */

#if PG_VERSION_NUM < 160000
/*
 * 16+: a GUC's extra must come from guc_malloc(), because GUC storage lives in a
 * memory context and is released with guc_free() (a malloc'ed extra fails there with
 * "pfree called with invalid pointer"). 15 frees it with free() and keeps its own
 * guc_malloc static, so this stand-in mallocs with the same signature and behaviour.
 */
static inline void *
guc_malloc(int elevel, size_t size) {
	void *data = malloc(size != 0 ? size : 1);
	if (data == nullptr)
		ereport(elevel, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	return data;
}
#endif

/*
 * 19 prints pg_lsn with the low half zero-padded ("%X/%08X", "0/0302DB00"); 15-18
 * print "%X/%X". We print LSNs as the running server does: pass this to core's
 * format_lsn / format_lsn_into (parsers accept both forms).
 */
constexpr bool kServerLsnZeroPadded = PG_VERSION_NUM >= 190000;

#if PG_VERSION_NUM < 190000
/*
 * 19: FOR ALL TABLES EXCEPT (TABLE t) stores prexcept rows; this lists the ALL
 * TABLES publications that exclude relid. Before 19 no publication excludes one.
 */
static inline List *
GetRelationExcludedPublications(Oid) {
	return NIL;
}
#endif

#if PG_VERSION_NUM >= 180000
/* 18: publish_generated_columns = stored makes publications without a column list send stored generated columns. */
static inline bool
publication_sends_stored_generated(const Publication *publication) {
	return publication->pubgencols_type == PUBLISH_GENCOLS_STORED;
}
#else
/* Before 18 a publication sends no generated column (pgoutput skips them; column lists cannot name them). */
static inline bool
publication_sends_stored_generated(const Publication *) {
	return false;
}
/* 18 added virtual generated columns (the default kind); older majors have only stored ones. */
#define ATTRIBUTE_GENERATED_VIRTUAL 'v'
#endif

/* 19's WAL receiver has a "connecting" state (WALRCV_CONNECTING) before it streams. */
static inline bool
walrcv_is_connecting(WalRcvState state) {
#if PG_VERSION_NUM >= 190000
	return state == WALRCV_CONNECTING;
#else
	(void) state;
	return false;
#endif
}

/* ---- end of runtime behaviour back-ports ------------------------------------------ */
