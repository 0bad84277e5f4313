/*
 * postgres.hpp: the one place C++ code includes PostgreSQL (STYLE B7).
 *
 * - Standard and Boost headers come first: PostgreSQL's port.h renames
 *   snprintf, printf, strerror, ... to pg_* macros, which breaks <string> and
 *   friends if they are included afterwards; the renames are undone below.
 * - PostgreSQL's headers have no __cplusplus guards, so they sit in extern "C".
 * - The Makefiles pass the server include directory with -isystem so that
 *   -Wall -Wextra -Werror applies to our code, not to theirs (s_lock.h uses
 *   "register", ilist.h has unused parameters).
 * - We build with -fvisibility=hidden, so PGDLLEXPORT (empty on Linux in 15)
 *   is defined as default visibility before c.h reads it.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/container/flat_map.hpp>

#define PGDLLEXPORT __attribute__((visibility("default")))

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "access/xlogrecovery.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_lsn.h"
#include "utils/rel.h"
#include "access/timeline.h"
#include "executor/executor.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/postmaster.h"
#include "replication/walreceiver.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/utility.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
#include "utils/tuplestore.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "nodes/pg_list.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "utils/pg_lsn.h"
#include "utils/relcache.h"
#include "nodes/bitmapset.h"
#include "access/sysattr.h"
#include "replication/walreceiver.h"
#include "utils/array.h"
#include "utils/timestamp.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/wait_event.h"
#include "executor/spi.h"
#include "utils/tuplestore.h"
#include "mb/pg_wchar.h"
#include "replication/origin.h"
#include "utils/inval.h"
#include "utils/syscache.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_rel.h"
#include "catalog/partition.h"
#include "access/tupconvert.h"
#include "pgtime.h"
#include "utils/float.h"
#include "utils/timestamp.h"
#include "utils/acl.h"
#include "utils/resowner.h"
#include "catalog/pg_authid.h"
#include "commands/extension.h"
#include "storage/buf_internals.h"
#include "storage/standby.h"
#include "storage/procarray.h"
#include "storage/procsignal.h"
#include "parser/parse_relation.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#if PG_VERSION_NUM >= 190000
#include "access/xlogwait.h"
#include "commands/defrem.h"
#endif
}

#undef printf
#undef vprintf
#undef snprintf
#undef vsnprintf
#undef sprintf
#undef vsprintf
#undef fprintf
#undef vfprintf
#undef strerror
#undef strerror_r

/* xlogdefs.h's version uses __builtin_types_compatible_p, which C++ lacks. */
#undef LSN_FORMAT_ARGS
#define LSN_FORMAT_ARGS(lsn) static_cast<uint32>((lsn) >> 32), static_cast<uint32>(lsn)

/* 15 does not declare _PG_init; 16+ do, with PGDLLEXPORT too: a compatible redeclaration. */
extern "C" PGDLLEXPORT void _PG_init(void);

#include "bridge/pg_compat.hpp"
