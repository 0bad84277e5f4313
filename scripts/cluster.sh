# Throwaway PostgreSQL nodes on loopback for scripts/demo, test/clients/run and bench/:
# a primary and hot standbys in one temporary directory, run as the postgres OS
# user, trust authentication on 127.0.0.1 only. Sourced after lib.sh, not run.
# The servers are the host's PostgreSQL 15, or a newer major's in its chroot when
# scripts/test sets READSCALE_PG_ROOT (as_pg_server, pg_server_dir in lib.sh);
# psql runs on the host either way. The caller owns cleanup: call
# cluster_stop_all from its EXIT trap.
# shellcheck shell=bash

CLUSTER_DIR=
CLUSTER_NODES=()

cluster_init() { # prefix
	CLUSTER_DIR=$(pg_server_dir "$1")
}

# Stops every node started here (fast shutdown) and removes the directory.
cluster_stop_all() {
	local node
	for node in "${CLUSTER_NODES[@]}"; do
		as_pg_server pg_ctl -D "$CLUSTER_DIR/$node" -m fast -w stop >/dev/null 2>&1 || true
	done
	CLUSTER_NODES=()
	if [ -n "$CLUSTER_DIR" ]; then rm -rf "$CLUSTER_DIR"; fi
	CLUSTER_DIR=
}

# pg_ctl waits up to $PGCTLTIMEOUT seconds (default 60). The node is listed
# first, so that cluster_stop_all also stops one whose start timed out.
cluster_start() { # name
	CLUSTER_NODES+=("$1")
	as_pg_server pg_ctl -D "$CLUSTER_DIR/$1" -l "$CLUSTER_DIR/$1.log" -w start >/dev/null
}

# A primary with pg_readscale preloaded and created in database postgres.
cluster_primary() { # name port [extra postgresql.conf lines]
	local name=$1 port=$2 extra=${3:-}
	as_pg_server initdb -D "$CLUSTER_DIR/$name" -A trust -U postgres >/dev/null
	cat >>"$CLUSTER_DIR/$name/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$CLUSTER_DIR'
wal_level = logical
shared_preload_libraries = 'pg_readscale'
output_plugin_libraries = 'pgoutput, test_decoding, readscale_decoder'
hot_standby_feedback = on
$extra
CONF
	cluster_start "$name"
	as_postgres psql -X -q -h 127.0.0.1 -p "$port" -d postgres -c 'CREATE EXTENSION pg_readscale'
}

# A hot standby streaming from the primary on primary_port, from a base backup.
cluster_standby() { # name port primary_port [extra postgresql.conf lines]
	cluster_basebackup "$@" && cluster_start "$1"
}

# A standby's data directory, not started (a bench may copy it or start it its own way).
cluster_basebackup() { # name port primary_port [extra postgresql.conf lines]
	local name=$1 port=$2 primary_port=$3 extra=${4:-}
	as_pg_server pg_basebackup -h 127.0.0.1 -p "$primary_port" -D "$CLUSTER_DIR/$name" -R -X stream -c fast \
		-d "application_name=$name"
	sed -i "s/^port = .*/port = $port/" "$CLUSTER_DIR/$name/postgresql.conf"
	if [ -n "$extra" ]; then printf '%s\n' "$extra" >>"$CLUSTER_DIR/$name/postgresql.conf"; fi
}

cluster_psql() { # port psql-args...
	local port=$1
	shift
	as_postgres psql -X -q -h 127.0.0.1 -p "$port" -d postgres "$@"
}

# Pauses replay on a standby and returns once it is paused.
cluster_pause_replay() { # port
	cluster_psql "$1" -c 'SELECT pg_wal_replay_pause()' >/dev/null
	until [ "$(cluster_psql "$1" -At -c 'SELECT pg_get_wal_replay_pause_state()')" = paused ]; do sleep 0.05; done
}

# Waits until the standby on port has replayed everything the primary has flushed.
cluster_catch_up() { # primary_port standby_port
	local lsn
	lsn=$(cluster_psql "$1" -At -c 'SELECT pg_current_wal_flush_lsn()')
	cluster_psql "$2" -At -c "SELECT readscale.wait_for_lsn('$lsn', '30s')" >/dev/null
}
