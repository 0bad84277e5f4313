#!/usr/bin/env bash
# Decoding offload benchmark (not a test; PostgreSQL 16+): how much of the
# decoding cost leaves the primary when readscale_decoder decodes on a hot
# standby. A primary and a hot standby (hot_standby_feedback over a physical
# slot, as docs/integrations/analytics.md sets it up), REPEAT readscale_decoder
# slots on each made before the standard decoder workload
# (bench/decoder/workload.sh); once the standby has replayed it, pg_recvlogical
# decodes it to a file through each slot in turn (-o batch-bytes=65536, what
# the README runs), alternating primary and standby. For each run: the wall
# time, the CPU of the walsender that decoded, and the CPU of each whole
# cluster (postmaster, its children, and the children it reaped: the
# walsender exits with pg_recvlogical), from /proc/PID/stat (10 ms ticks).
# Then live: the workload again (fresh tables) while a subscriber decodes it
# on the primary, on the standby, or while none does (the baseline), with
# each cluster's CPU from the workload's start until the subscriber has it.
# Prints the best of REPEAT per case (live: the median); never asserts.
#
# As root it builds this tree for MAJOR (default 17; 16+ and a chroot from
# scripts/majors.sh) and re-runs itself as postgres in that major's chroot,
# holding the majors lock (a chroot run that ends kills what runs in it). As
# postgres it uses the newest /usr/lib/postgresql/*/bin (or PG_BIN).
# Tunables: SCALE (1: 1.35 M row changes), REPEAT (3).
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
	# shellcheck source=scripts/lib.sh
	source "$(dirname "$0")/../../scripts/lib.sh"
	# shellcheck source=scripts/majors.sh
	source "$REPO/scripts/majors.sh"
	# shellcheck source=scripts/majors_test.sh
	source "$REPO/scripts/majors_test.sh"
	MAJOR_NN=${MAJOR:-17}
	majors_take_lock
	major_prepare "$MAJOR_NN" >/dev/null
	build_log=$(mktemp /tmp/readscale-offload-build.XXXXXX)
	major_build "$MAJOR_NN" >"$build_log" 2>&1 || { tail -20 "$build_log"; exit 1; }
	rm -f "$build_log"
	scratch=$(mktemp -d /tmp/readscale-offload.XXXXXX)
	mkdir -p "$scratch/bench" "$scratch/decoder"
	cp -r "$REPO/bench/decoder" "$scratch/bench/"
	cp "$MAJOR_DIR/build/decoder/readscale_decoder.so" "$scratch/decoder/"
	major_own_scratch "$scratch"
	# shellcheck disable=SC2034 # read by major_as_postgres
	MAJOR_SCRATCH=$scratch
	status=0
	major_as_postgres env SCALE="${SCALE:-1}" REPEAT="${REPEAT:-3}" \
		PG_BIN="/usr/lib/postgresql/$MAJOR_NN/bin" bash "$scratch/bench/decoder/offload.sh" || status=$?
	rm -rf "$scratch"
	exit "$status"
fi

PG_BIN=${PG_BIN:-$(find /usr/lib/postgresql -maxdepth 2 -name bin | sort -V | tail -1)}
export PATH="$PG_BIN:$PATH"
major=$(postgres -V | sed -E 's/.* ([0-9]+)[.~a-z].*/\1/')
if [ "$major" -lt 16 ]; then
	echo "logical decoding on a standby needs PostgreSQL 16 ($PG_BIN is $major): run as root (MAJOR=17)" >&2
	exit 1
fi
REPEAT=${REPEAT:-3}
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=bench/decoder/workload.sh
source "$here/workload.sh"
# shellcheck source=bench/decoder/instance.sh
source "$here/instance.sh"
# shellcheck source=bench/decoder/cpu.sh
source "$here/cpu.sh"

base=$(mktemp -d /tmp/readscale-offload.XXXXXX)
primary_port=$((20000 + RANDOM % 10000))
standby_port=$((primary_port + 1))
cleanup() {
	local node
	for node in standby primary; do pg_ctl -D "$base/$node" -m immediate stop >/dev/null 2>&1 || true; done
	rm -rf "$base"
}
trap cleanup EXIT
initdb -D "$base/primary" --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1
use_tree_decoder "$base/lib" "$base/primary"
cat >>"$base/primary/postgresql.conf" <<CONF
port = $primary_port
listen_addresses = ''
unix_socket_directories = '$base'
wal_level = logical
hot_standby_feedback = on
max_wal_senders = $((2 * REPEAT + 5))
max_replication_slots = $((2 * REPEAT + 5))
output_plugin_libraries = 'readscale_decoder'
logical_decoding_work_mem = '1GB'
shared_buffers = '256MB'
synchronous_commit = off
fsync = off
autovacuum = off
CONF
pg_ctl -D "$base/primary" -l "$base/primary.log" -w start >/dev/null
qp() { psql -X -q -t -A -h "$base" -p "$primary_port" -d postgres -v ON_ERROR_STOP=1 "$@"; }
qs() { psql -X -q -t -A -h "$base" -p "$standby_port" -d postgres -v ON_ERROR_STOP=1 "$@"; }
qp -c "SELECT 'init' FROM pg_create_physical_replication_slot('standby')" >/dev/null
pg_basebackup -h "$base" -p "$primary_port" -D "$base/standby" -X stream -S standby -R --no-sync
echo "port = $standby_port" >>"$base/standby/postgresql.conf"
pg_ctl -D "$base/standby" -l "$base/standby.log" -w start >/dev/null

decoder_tables_sql | qp >/dev/null
# Slot creation on a standby waits for a running-xacts record: the primary logs one on demand.
create_standby_slot() { # slot
	qs -c "SELECT 'init' FROM pg_create_logical_replication_slot('$1', 'readscale_decoder')" >/dev/null &
	local creator=$!
	while kill -0 "$creator" 2>/dev/null; do
		qp -c 'SELECT pg_log_standby_snapshot()' >/dev/null
		sleep 0.1
	done
	wait "$creator"
}
wait_replayed() { # lsn
	until [ "$(qs -c "SELECT pg_last_wal_replay_lsn() >= '$1'")" = t ]; do sleep 0.1; done
}
wait_replayed "$(qp -c 'SELECT pg_current_wal_lsn()')"
for ((r = 0; r < REPEAT; r++)); do
	qp -c "SELECT 'init' FROM pg_create_logical_replication_slot('on_primary_$r', 'readscale_decoder')" >/dev/null
	create_standby_slot "on_standby_$r"
done

start=$(date +%s%N)
decoder_workload_sql | qp >/dev/null
workload_ms=$((($(date +%s%N) - start) / 1000000))
qp -c 'CHECKPOINT' >/dev/null
endpos=$(qp -c 'SELECT pg_current_wal_lsn()')
wal_mb=$(qp -c "SELECT round(pg_wal_lsn_diff('$endpos', min(restart_lsn)) / 1048576) FROM pg_replication_slots WHERE slot_type = 'logical'")
wait_replayed "$endpos"
primary_pm=$(head -1 "$base/primary/postmaster.pid")
standby_pm=$(head -1 "$base/standby/postmaster.pid")

# One decode: prints "wall_ms walsender_ticks primary_ticks standby_ticks bytes md5".
decode() { # side(primary|standby) slot
	local side=$1 slot=$2 port pm before_p before_s start ms out=$base/out.ndjson sampler_file=$base/walsender.ticks
	if [ "$side" = primary ]; then port=$primary_port pm=$primary_pm; else port=$standby_port pm=$standby_pm; fi
	before_p=$(cluster_ticks "$primary_pm")
	before_s=$(cluster_ticks "$standby_pm")
	walsender_sampler "$pm" "$(children_of "$pm")" "$sampler_file" &
	local sampler=$!
	start=$(date +%s%N)
	pg_recvlogical -h "$base" -p "$port" -d postgres -S "$slot" --start --no-loop -E "$endpos" \
		-o batch-bytes=65536 -f "$out"
	ms=$((($(date +%s%N) - start) / 1000000))
	wait "$sampler" # ends when the walsender has exited and been reaped
	echo "$ms $(cat "$sampler_file") $(($(cluster_ticks "$primary_pm") - before_p))" \
		"$(($(cluster_ticks "$standby_pm") - before_s)) $(stat -c %s "$out") $(md5sum <"$out" | cut -c1-32)"
	rm -f "$out"
}
results=$base/results
for ((r = 0; r < REPEAT; r++)); do
	for side in primary standby; do
		echo "$side $(decode "$side" "on_${side}_$r")" >>"$results"
	done
done

# Live: the workload runs while a subscriber decodes it on the primary, on the standby, or while
# none does (the baseline). Fresh tables and slot per round; the round ends when the subscriber has
# written a message emitted after the workload (and the standby has replayed it), and its CPU is
# measured from just before the workload to then.
live_round() { # side(none|primary|standby) round
	local side=$1 slot=live_$1_$2 port pm before_p before_s start subscriber sampler out=$base/live.ndjson
	qp -c 'DROP TABLE t0, t1, t2, t3, t4, t5, t6, t7, t8, t9' >/dev/null
	decoder_tables_sql | qp >/dev/null
	if [ "$side" = primary ]; then
		port=$primary_port pm=$primary_pm
		qp -c "SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'readscale_decoder')" >/dev/null
	elif [ "$side" = standby ]; then
		port=$standby_port pm=$standby_pm
		create_standby_slot "$slot"
	fi
	wait_replayed "$(qp -c 'SELECT pg_current_wal_lsn()')"
	before_p=$(cluster_ticks "$primary_pm")
	before_s=$(cluster_ticks "$standby_pm")
	if [ "$side" != none ]; then
		walsender_sampler "$pm" "$(children_of "$pm")" "$base/walsender.ticks" &
		sampler=$!
		pg_recvlogical -h "$base" -p "$port" -d postgres -S "$slot" --start -o batch-bytes=65536 -f "$out" &
		subscriber=$!
	fi
	start=$(date +%s%N)
	decoder_workload_sql | qp >/dev/null
	qp -c "SELECT 'end' FROM pg_logical_emit_message(false, 'offload', 'end')" >/dev/null
	local workload_ms=$((($(date +%s%N) - start) / 1000000))
	wait_replayed "$(qp -c 'SELECT pg_current_wal_lsn()')"
	if [ "$side" != none ]; then
		until tail -c 200 "$out" 2>/dev/null | grep -q '"prefix":"offload"'; do sleep 0.02; done
	fi
	local ms=$((($(date +%s%N) - start) / 1000000)) walsender=0
	if [ "$side" != none ]; then
		kill -INT "$subscriber"
		wait "$subscriber" || true
		wait "$sampler"
		walsender=$(cat "$base/walsender.ticks")
		rm -f "$out"
		if [ "$side" = primary ]; then qp -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null; fi
		if [ "$side" = standby ]; then qs -c "SELECT pg_drop_replication_slot('$slot')" >/dev/null; fi
	fi
	echo "$side $workload_ms $ms $walsender $(($(cluster_ticks "$primary_pm") - before_p)) $(($(cluster_ticks "$standby_pm") - before_s))"
}
live_results=$base/live_results
for ((r = 0; r < REPEAT; r++)); do
	for side in none primary standby; do
		live_round "$side" "$r" >>"$live_results"
	done
done

tck=$(getconf CLK_TCK)
printf 'PostgreSQL %s, SCALE %s (workload %.1f s on the primary, %s MB of WAL), best of %d, %s\n\n' \
	"$(qp -c 'SHOW server_version')" "$SCALE" "$(awk -v ms="$workload_ms" 'BEGIN { print ms / 1000 }')" \
	"$wal_mb" "$REPEAT" "$(machine_description)"
printf '| decoded on | decode wall s | decoding walsender CPU s | primary cluster CPU s | standby cluster CPU s | output MB |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for side in primary standby; do
	awk -v side="$side" -v tck="$tck" '$1 == side {
			if (n == 0 || $2 < wall) wall = $2
			if (n == 0 || $3 < ws) ws = $3
			if (n == 0 || $4 < p) p = $4
			if (n == 0 || $5 < s) s = $5
			bytes = $6; n++
		}
		END { printf "| %s | %.2f | %.2f | %.2f | %.2f | %.1f |\n", side, wall / 1000, ws / tck, p / tck, s / tck, bytes / 1048576 }' "$results"
done
printf '\nevery run (side, wall ms, walsender ticks, primary ticks, standby ticks, bytes, md5), %s ticks a second:\n' "$tck"
cat "$results"
if [ "$(awk '{ print $7 }' "$results" | sort -u | wc -l)" -eq 1 ]; then
	echo "every run's file is byte-identical (primary and standby slots)"
else
	echo "files DIFFER between runs"
fi

# The live rounds are compared by median: differences of a few tenths of a second between cases
# are the point, and a best-of would pit one case's luckiest round against another's.
median_of() { # side column file
	awk -v side="$1" -v col="$2" '$1 == side { print $col }' "$3" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
printf '\nLive: the workload while a subscriber decodes it (median of %d; "until decoded": from the workload'"'"'s\n' "$REPEAT"
printf 'start to the last change written by pg_recvlogical and replayed by the standby):\n\n'
printf '| decoded on | workload s | until decoded s | decoding walsender CPU s | primary cluster CPU s | primary CPU over the baseline | standby cluster CPU s |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
baseline=$(median_of none 5 "$live_results")
for side in none primary standby; do
	awk -v side="$side" -v tck="$tck" -v base="$baseline" -v w="$(median_of "$side" 2 "$live_results")" \
		-v u="$(median_of "$side" 3 "$live_results")" -v ws="$(median_of "$side" 4 "$live_results")" \
		-v p="$(median_of "$side" 5 "$live_results")" -v s="$(median_of "$side" 6 "$live_results")" \
		'BEGIN { printf "| %s | %.2f | %.2f | %.2f | %.2f | %+.2f s (%+.0f %%) | %.2f |\n", side == "none" ? "nowhere (baseline)" : side,
			w / 1000, u / 1000, ws / tck, p / tck, (p - base) / tck, 100 * (p - base) / base, s / tck }'
done
printf '\nevery live round (side, workload ms, until decoded ms, walsender ticks, primary ticks, standby ticks):\n'
cat "$live_results"
