/*
 * pg_compat.hpp: one place for the differences between PostgreSQL majors.
 *
 * Included at the end of bridge/postgres.hpp. The rule (as citus's
 * pg_version_compat.h and timescaledb's compat.h): glue code is written once
 * against the NEWEST API, and this header back-ports those names to older
 * majors. Only where a name cannot be back-ported (a changed struct field, a
 * changed parameter type) is there a small rs_* helper used on every major.
 */
#pragma once

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 200000
#error "pg_readscale supports PostgreSQL 15 to 19: check bridge/pg_compat.hpp against this major's API first"
#endif

/* 17: PGPROC lost pgprocno; a backend's number is MyProcNumber (a ProcNumber). */
#if PG_VERSION_NUM < 170000
typedef int ProcNumber;
#define MyProcNumber (MyProc->pgprocno)
#endif

/*
 * 17: CreateWaitEventSet takes the ResourceOwner that frees the set (nullptr:
 * none, the caller frees it) instead of a memory context. Before 17 the set
 * lives in TopMemoryContext, which is what a nullptr owner means on 17+.
 */
#if PG_VERSION_NUM < 170000
#define CreateWaitEventSet(owner, nevents) ((void)(owner), (CreateWaitEventSet)(TopMemoryContext, (nevents)))
#endif

/*
 * 17: ReorderBufferTupleBuf is gone; change->data.tp.newtuple/oldtuple are
 * HeapTuples. rs_change_heap_tuple reads either; rs_change_tuple_of makes the
 * field's type from a HeapTuple (a shallow copy of the header before 17).
 */
#if PG_VERSION_NUM >= 170000
typedef HeapTuple ReorderBufferChangeTuple;
static inline HeapTuple
rs_change_heap_tuple(ReorderBufferChangeTuple tuple) {
	return tuple;
}
static inline ReorderBufferChangeTuple
rs_change_tuple_of(HeapTuple tuple) {
	return tuple;
}
#else
typedef ReorderBufferTupleBuf *ReorderBufferChangeTuple;
static inline HeapTuple
rs_change_heap_tuple(ReorderBufferChangeTuple tuple) {
	return tuple == nullptr ? nullptr : &tuple->tuple;
}
static inline ReorderBufferChangeTuple
rs_change_tuple_of(HeapTuple tuple) {
	auto *buffer = static_cast<ReorderBufferTupleBuf *>(palloc0(sizeof(ReorderBufferTupleBuf)));
	buffer->tuple = *tuple;
	return buffer;
}
#endif

/* 16: GUC storage moved to a memory context; a check hook's extra must come from guc_malloc. */
#if PG_VERSION_NUM < 160000
static inline void *
guc_malloc(int elevel, size_t size) {
	void *data = malloc(size);
	if (data == nullptr)
		ereport(elevel, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	return data;
}
#endif

/* 19: RepOriginId was renamed ReplOriginId. */
#if PG_VERSION_NUM < 190000
typedef RepOriginId ReplOriginId;
#define InvalidReplOriginId InvalidRepOriginId
#endif

/* 19: GetRelationPublications became GetRelationIncludedPublications (EXCEPT lists came with it). */
#if PG_VERSION_NUM < 190000
#define GetRelationIncludedPublications(relid) GetRelationPublications(relid)
#endif

/* 19: txn->xact_time.commit_time became txn->commit_time (an anonymous union). */
static inline TimestampTz
rs_commit_time(const ReorderBufferTXN *txn) {
#if PG_VERSION_NUM >= 190000
	return txn->commit_time;
#else
	return txn->xact_time.commit_time;
#endif
}

/* 19: post_parse_analyze_hook's JumbleState became const. */
#if PG_VERSION_NUM >= 190000
typedef const JumbleState rs_jumble_state;
#else
typedef JumbleState rs_jumble_state;
#endif

/* 19: a syscache callback's cache id is a SysCacheIdentifier (an int before). */
#if PG_VERSION_NUM >= 190000
typedef SysCacheIdentifier rs_syscache_id;
#else
typedef int rs_syscache_id;
#endif

/*
 * ExecInitRangeTable over one relation, as pgoutput's create_estate_for_relation
 * does on each major: 16 added the permission infos, 18 the unpruned relids.
 */
static inline void
rs_init_range_table(EState *estate, RangeTblEntry *rte) {
#if PG_VERSION_NUM >= 160000
	List *perminfos = NIL;
	addRTEPermissionInfo(&perminfos, rte);
#endif
#if PG_VERSION_NUM >= 180000
	ExecInitRangeTable(estate, list_make1(rte), perminfos, bms_make_singleton(1));
#elif PG_VERSION_NUM >= 160000
	ExecInitRangeTable(estate, list_make1(rte), perminfos);
#else
	ExecInitRangeTable(estate, list_make1(rte));
#endif
}

/* ---- runtime behaviour back-ports (branch majors-fix; guc_malloc is above) ----- */

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
rs_publication_sends_stored_generated(const Publication *publication) {
	return publication->pubgencols_type == PUBLISH_GENCOLS_STORED;
}
#else
/* Before 18 a publication sends no generated column (pgoutput skips them; column lists cannot name them). */
static inline bool
rs_publication_sends_stored_generated(const Publication *) {
	return false;
}
/* 18 added virtual generated columns (the default kind); older majors have only stored ones. */
#define ATTRIBUTE_GENERATED_VIRTUAL 'v'
#endif

/* 19's WAL receiver has a "connecting" state (WALRCV_CONNECTING) before it streams. */
static inline bool
rs_walrcv_is_connecting(WalRcvState state) {
#if PG_VERSION_NUM >= 190000
	return state == WALRCV_CONNECTING;
#else
	(void)state;
	return false;
#endif
}

/*
 * 19: pg_stat_recovery, the startup process's state read in one go (pause
 * state, timeline of the last replayed record, whether a promotion was
 * triggered). Before 19 recovery_state.cpp reads the same shared-memory fields
 * through GetRecoveryPauseState(), GetXLogReplayRecPtr() and
 * PromoteIsTriggered(). The SQL scripts never name the view: they run on
 * every major.
 */
#if PG_VERSION_NUM >= 190000
constexpr const char *kRecoveryViewQuery =
    "SELECT r.pause_state::pg_catalog.text, r.last_replayed_tli::pg_catalog.int4, r.promote_triggered"
    " FROM pg_catalog.pg_stat_recovery r";
#else
constexpr const char *kRecoveryViewQuery = nullptr;
#endif

/* ---- replication slots (extension/glue/slot_fns.cpp) --------------------------- */

/*
 * pg_replication_slots columns newer than 15, as the end of a select list over
 * "pg_catalog.pg_replication_slots s": failover, synced, conflicting (16),
 * invalidation_reason, inactive_since (17), slotsync_skip_reason (19). Older
 * majors select typed NULLs, so the SPI query, and every view built on it, has
 * the same shape on each major. The SQL scripts are shared by all majors and
 * must never name these columns.
 */
#if PG_VERSION_NUM >= 190000
#define RS_SLOT_NEWER_COLUMNS                                                                                          \
	"s.failover, s.synced, s.conflicting, s.invalidation_reason, s.inactive_since, "                                   \
	"s.slotsync_skip_reason::pg_catalog.text"
#elif PG_VERSION_NUM >= 170000
#define RS_SLOT_NEWER_COLUMNS                                                                                          \
	"s.failover, s.synced, s.conflicting, s.invalidation_reason, s.inactive_since, NULL::pg_catalog.text"
#elif PG_VERSION_NUM >= 160000
#define RS_SLOT_NEWER_COLUMNS                                                                                          \
	"NULL::pg_catalog.bool, NULL::pg_catalog.bool, s.conflicting, NULL::pg_catalog.text,"                              \
	" NULL::pg_catalog.timestamptz, NULL::pg_catalog.text"
#else
#define RS_SLOT_NEWER_COLUMNS                                                                                          \
	"NULL::pg_catalog.bool, NULL::pg_catalog.bool, NULL::pg_catalog.bool, NULL::pg_catalog.text,"                      \
	" NULL::pg_catalog.timestamptz, NULL::pg_catalog.text"
#endif

/*
 * 17: logical slots with failover = true, which a standby's slot sync worker
 * copies (and, valid ones only, whose consumers a promotion can keep), as a
 * condition on "pg_catalog.pg_replication_slots s"; no slot before 17.
 */
#if PG_VERSION_NUM >= 170000
#define RS_VALID_FAILOVER_SLOT "s.failover AND s.invalidation_reason IS NULL"
constexpr bool kServerHasFailoverSlots = true;
#else
#define RS_VALID_FAILOVER_SLOT "false"
constexpr bool kServerHasFailoverSlots = false;
#endif

/* 17: the server records when a slot became inactive; before, the guard keeps its own clock (slot_tracker.cpp). */
constexpr bool kServerRecordsSlotInactiveSince = PG_VERSION_NUM >= 170000;

/* 18: idle_replication_slot_timeout (s) invalidates idle slots at checkpoints; none before (0: off). */
#if PG_VERSION_NUM < 180000
constexpr int idle_replication_slot_timeout_secs = 0;
#endif

/* 17: synchronized_standby_slots, the physical slots logical walsenders wait for; "" before 17 or GUC init. */
static inline const char *
rs_synchronized_standby_slots() {
#if PG_VERSION_NUM >= 170000
	return synchronized_standby_slots != nullptr ? synchronized_standby_slots : "";
#else
	return "";
#endif
}

/*
 * 19: with wal_level = replica, logical decoding is on while a valid logical
 * slot exists (effective_wal_level); dropping the last one turns it off. Before
 * 19 logical decoding depends on wal_level only.
 */
static inline bool
rs_logical_decoding_follows_slots() {
#if PG_VERSION_NUM >= 190000
	return wal_level == WAL_LEVEL_REPLICA;
#else
	return false;
#endif
}

/*
 * 19: recovery conflicts are signalled with SignalRecoveryConflict(proc, pid, reason),
 * the reason a RecoveryConflictReason. Before 19 each reason was its own ProcSignalReason,
 * sent to the backend's BackendId (15, 16) or ProcNumber (17, 18).
 */
#if PG_VERSION_NUM < 190000
typedef ProcSignalReason RecoveryConflictReason;
#define RECOVERY_CONFLICT_LOCK      PROCSIG_RECOVERY_CONFLICT_LOCK
#define RECOVERY_CONFLICT_BUFFERPIN PROCSIG_RECOVERY_CONFLICT_BUFFERPIN
static inline bool
SignalRecoveryConflict(PGPROC *proc, pid_t pid, RecoveryConflictReason reason) {
#if PG_VERSION_NUM >= 170000
	return SendProcSignal(pid, reason, GetNumberFromPGProc(proc)) == 0;
#else
	return SendProcSignal(pid, reason, proc->backendId) == 0;
#endif
}
#endif

/*
 * 16: a BufferTag names its relation by dbOid, spcOid and relNumber (a RelFileNumber)
 * instead of rnode.{dbNode,spcNode,relNode}. rs_buffer_tag_file reads either.
 */
struct RsBufferFile {
	Oid database;
	Oid tablespace;
	Oid file_number; /* pg_class.relfilenode */
};
static inline RsBufferFile
rs_buffer_tag_file(const BufferTag *tag) {
#if PG_VERSION_NUM >= 160000
	return RsBufferFile {tag->dbOid, tag->spcOid, tag->relNumber};
#else
	return RsBufferFile {tag->rnode.dbNode, tag->rnode.spcNode, tag->rnode.relNode};
#endif
}

/* ---- end of runtime behaviour back-ports ------------------------------------------ */

/* ---- standby waits (extension/glue/wait_loop.cpp, wait_locks.cpp) ---------------- */

#if PG_VERSION_NUM < 190000
/*
 * 19: GetAnyGrantedHeavyweightLock reports one heavyweight lock this backend
 * holds (WAIT FOR LSN refuses to wait while one is held). Before 19 we read
 * our own PGPROC: first the fast-path relation slots (weak locks on plain
 * relations live only there until a strong locker moves them), then the
 * PROCLOCKs of every lock partition. Our own virtual transaction lock is not
 * a lock replay can wait for, so it is skipped, as 19's local-lock scan never
 * sees it.
 */
constexpr int kRsFastPathBitsPerSlot = 3; /* lock.c's FAST_PATH_BITS_PER_SLOT, unchanged 15-19 */

static inline bool
rs_fast_path_lock(LOCKTAG *locktag) {
#if PG_VERSION_NUM >= 180000
	const int slots = FP_LOCK_SLOTS_PER_GROUP * FastPathLockGroupsPerBackend;
#else
	const int slots = FP_LOCK_SLOTS_PER_BACKEND;
#endif
	bool found = false;
	LWLockAcquire(&MyProc->fpInfoLock, LW_SHARED);
	for (int slot = 0; slot < slots && !found; slot++) {
#if PG_VERSION_NUM >= 180000
		uint64 bits = MyProc->fpLockBits[slot / FP_LOCK_SLOTS_PER_GROUP] >>
		              (kRsFastPathBitsPerSlot * (slot % FP_LOCK_SLOTS_PER_GROUP));
#else
		uint64 bits = MyProc->fpLockBits >> (kRsFastPathBitsPerSlot * slot);
#endif
		if ((bits & ((1 << kRsFastPathBitsPerSlot) - 1)) == 0)
			continue;
		SET_LOCKTAG_RELATION(*locktag, MyDatabaseId, MyProc->fpRelId[slot]);
		found = true;
	}
	LWLockRelease(&MyProc->fpInfoLock);
	return found;
}

/* Caller holds the partition's lock. */
static inline bool
rs_granted_in_partition(int partition, LOCKTAG *locktag) {
#if PG_VERSION_NUM >= 160000
	/* dlist_foreach and dlist_container assert types with a C-only builtin: walk the list by hand. */
	dlist_head *list = &MyProc->myProcLocks[partition];
	for (dlist_node *node = list->head.next; node != nullptr && node != &list->head; node = node->next) {
		PROCLOCK *proclock =
		    reinterpret_cast<PROCLOCK *>(reinterpret_cast<char *>(node) - offsetof(PROCLOCK, procLink));
#else
	SHM_QUEUE *list = &MyProc->myProcLocks[partition];
	for (PROCLOCK *proclock = reinterpret_cast<PROCLOCK *>(SHMQueueNext(list, list, offsetof(PROCLOCK, procLink)));
	     proclock != nullptr; proclock = reinterpret_cast<PROCLOCK *>(
	                              SHMQueueNext(list, &proclock->procLink, offsetof(PROCLOCK, procLink)))) {
#endif
		const LOCKTAG &tag = proclock->tag.myLock->tag;
		if (proclock->holdMask == 0 || tag.locktag_type == LOCKTAG_VIRTUALTRANSACTION)
			continue;
		*locktag = tag;
		return true;
	}
	return false;
}

static inline bool
GetAnyGrantedHeavyweightLock(LOCKTAG *locktag) {
	if (rs_fast_path_lock(locktag))
		return true;
	for (int partition = 0; partition < NUM_LOCK_PARTITIONS; partition++) {
		LWLock *partition_lock = LockHashPartitionLockByIndex(partition);
		LWLockAcquire(partition_lock, LW_SHARED);
		bool found = rs_granted_in_partition(partition, locktag);
		LWLockRelease(partition_lock);
		if (found)
			return true;
	}
	return false;
}
#endif

/*
 * 17: WaitEventExtensionNew registers a named wait event (pg_stat_activity.wait_event
 * shows the name, wait_event_type "Extension"). Before 17 every extension wait is
 * the one event "Extension". Registering takes a lock and a hash lookup: cache the result.
 */
static inline uint32
rs_wait_event_extension(const char *name) {
#if PG_VERSION_NUM >= 170000
	return WaitEventExtensionNew(name);
#else
	(void)name;
	return PG_WAIT_EXTENSION;
#endif
}

/*
 * 19: WAIT FOR LSN 'x' [WITH (MODE ...)] is a utility statement (WaitStmt). This
 * returns x for a WAIT in replay mode (the default, "standby_replay"), the only
 * mode that makes the LSN visible to queries; InvalidXLogRecPtr for any other
 * statement, and always before 19. Call it after the statement ran: the literal
 * was parsed by the WAIT itself, so it cannot fail here.
 */
static inline XLogRecPtr
rs_wait_stmt_replay_lsn(Node *statement) {
#if PG_VERSION_NUM >= 190000
	if (statement == nullptr || !IsA(statement, WaitStmt))
		return InvalidXLogRecPtr;
	auto *wait = reinterpret_cast<WaitStmt *>(statement);
	ListCell *cell;
	foreach (cell, wait->options) {
		auto *option = static_cast<DefElem *>(lfirst(cell));
		if (strcmp(option->defname, "mode") == 0 && pg_strcasecmp(defGetString(option), "standby_replay") != 0)
			return InvalidXLogRecPtr;
	}
	return DatumGetLSN(DirectFunctionCall1(pg_lsn_in, CStringGetDatum(wait->lsn_literal)));
#else
	(void)statement;
	return InvalidXLogRecPtr;
#endif
}

/*
 * 19: core keeps LSN waiters in shared memory and wakes them itself: the startup
 * process after each replayed record, the WAL receiver for write/flush, WAL
 * flushers on a primary (WaitForLSN, access/xlogwait.h). On 19 our waits sleep
 * in WaitForLSN and the rm_redo wrapper is not installed; before 19 these names
 * exist only so that glue compiles once, and kCoreWakesLsnWaiters keeps them unused.
 */
constexpr bool kCoreWakesLsnWaiters = PG_VERSION_NUM >= 190000;
#if PG_VERSION_NUM < 190000
typedef enum { WAIT_LSN_RESULT_SUCCESS, WAIT_LSN_RESULT_NOT_IN_RECOVERY, WAIT_LSN_RESULT_TIMEOUT } WaitLSNResult;
typedef enum WaitLSNType {
	WAIT_LSN_TYPE_STANDBY_REPLAY,
	WAIT_LSN_TYPE_STANDBY_WRITE,
	WAIT_LSN_TYPE_STANDBY_FLUSH,
	WAIT_LSN_TYPE_PRIMARY_FLUSH
} WaitLSNType;
static inline WaitLSNResult
WaitForLSN(WaitLSNType, XLogRecPtr, int) {
	elog(ERROR, "WaitForLSN needs PostgreSQL 19");
	return WAIT_LSN_RESULT_TIMEOUT;
}
#endif
