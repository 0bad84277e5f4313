#!/usr/bin/env bash
# Decoder memory benchmark (not a test): peak RSS of the decoding backend as
# one transaction grows. For each size in SIZES, writes a single transaction
# of that many rows, then decodes it with readscale_decoder through
# pg_logical_slot_peek_changes in a fresh backend, with stream-changes on and
# off, and prints that backend's VmHWM (peak resident set, from
# /proc/self/status read by the backend itself) before and after decoding.
#
# logical_decoding_work_mem stays at WORK_MEM (default PostgreSQL's 64MB):
# with streaming the reorder buffer sends the transaction in blocks of that
# size; without it, it spills to disk at that size. Either way the plugin must
# not add memory that grows with the transaction (per-change context reset,
# no per-change allocation left behind).
#
# Run as the postgres OS user (or as root: it re-runs itself as postgres
# from a scratch copy),
# after `make` (or `make install`) of this tree (see instance.sh). Tunables: SIZES, WORK_MEM.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
	# shellcheck source=scripts/lib.sh
	source "$(dirname "$0")/../../scripts/lib.sh"
	rerun_as_postgres bench/decoder/memory.sh SIZES="${SIZES:-}" WORK_MEM="${WORK_MEM:-}" DEBUG="${DEBUG:-}" -- \
		bench/decoder decoder/readscale_decoder.so
fi
export PATH="/usr/lib/postgresql/15/bin:$PATH"
SIZES=${SIZES:-"100000 1000000 5000000"}
WORK_MEM=${WORK_MEM:-64MB}

# shellcheck source=bench/decoder/instance.sh
source "$(dirname "$(readlink -f "$0")")/instance.sh"
start_instance membench "max_replication_slots = 10
output_plugin_libraries = 'readscale_decoder'
logical_decoding_work_mem = '$WORK_MEM'
max_wal_size = '4GB'"
q() { psql -X -q -t -A -h "$dir" -p "$port" -d postgres -v ON_ERROR_STOP=1 "$@"; }

q -c "CREATE TABLE big (id bigint PRIMARY KEY, a int, b text, c timestamptz)" >/dev/null

hwm="substring(pg_read_file('/proc/self/status') from 'VmHWM:\\s+(\\d+)')::bigint"
printf 'logical_decoding_work_mem = %s, PostgreSQL %s\n\n' "$WORK_MEM" "$(q -c 'SHOW server_version')"
printf '| rows in one transaction | stream-changes | records | seconds | VmHWM before (MB) | VmHWM after (MB) | growth (MB) |\n'
printf '|---:|---|---:|---:|---:|---:|---:|\n'
for size in $SIZES; do
	q -c "TRUNCATE big" >/dev/null
	q -c "SELECT 'init' FROM pg_create_logical_replication_slot('mem', 'readscale_decoder')" >/dev/null
	q -c "INSERT INTO big SELECT g, g % 1000, 'row ' || g, '2024-01-01'::timestamptz + g * interval '1 s' FROM generate_series(1, $size) g" >/dev/null
	for stream in on off; do
		mapfile -t out < <(q -c "SELECT $hwm" -c '\timing on' \
			-c "SELECT count(*) FROM pg_logical_slot_peek_changes('mem', NULL, NULL, 'stream-changes', '$stream')" \
			-c '\timing off' -c "SELECT $hwm")
		[ -n "${DEBUG:-}" ] && printf '%s\n' "${out[@]}" >&2
		before=${out[0]} records=${out[1]} after=${out[3]}
		ms=$(grep -oE '[0-9.]+' <<<"${out[2]}" | head -1)
		awk -v s="$size" -v st="$stream" -v r="$records" -v ms="$ms" -v b="$before" -v a="$after" \
			'BEGIN { printf "| %d | %s | %d | %.1f | %.1f | %.1f | %.1f |\n", s, st, r, ms / 1000, b / 1024, a / 1024, (a - b) / 1024 }'
	done
	q -c "SELECT pg_drop_replication_slot('mem')" >/dev/null
done
