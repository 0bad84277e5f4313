#!/usr/bin/env bash
# Decoder benchmark (not a test): decodes the same WAL with readscale_decoder,
# wal2json (format 1 and 2), test_decoding and pgoutput with an empty
# publication (the floor: WAL reading and reorder buffer, no formatting), each
# through pg_logical_slot_peek_changes on a temporary instance, and prints the
# best of REPEAT times per configuration and its ratio to the floor. Then
# times pg_recvlogical end to end (walsender, network protocol, client
# writing the stream to a file: what subscribers use) for the main cases, one
# fresh slot per run (pg_recvlogical confirms what it receives, so a slot
# cannot be read twice), best of REPEAT.
#
# Run as the postgres OS user (or as root: it re-runs itself as postgres
# from a scratch copy),
# after `make` (or `make install`) of this tree (see instance.sh). Tunables: SCALE (1 is issue 5's
# standard workload, 1.35 M row changes; SCALE=0.1 for a quick run), REPEAT.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
	# shellcheck source=scripts/lib.sh
	source "$(dirname "$0")/../../scripts/lib.sh"
	rerun_as_postgres bench/decoder/run.sh SCALE="${SCALE:-}" REPEAT="${REPEAT:-}" -- \
		bench/decoder decoder/readscale_decoder.so
fi
export PATH="/usr/lib/postgresql/15/bin:$PATH"
REPEAT=${REPEAT:-3}

# shellcheck source=bench/decoder/workload.sh
source "$(dirname "$(readlink -f "$0")")/workload.sh"
# shellcheck source=bench/decoder/instance.sh
source "$(dirname "$(readlink -f "$0")")/instance.sh"

# pg_recvlogical cases: label | plugin | options. Slots r<case>_<run> are made before the workload.
# What a new user gets: the command of the README, scripts/demo and docs/integrations/analytics.md
# (batch-bytes=65536, GETTING_STARTED), and the plugin with no option at all (one message per change).
GETTING_STARTED="readscale_decoder as the README runs it (batch-bytes=65536)"
NO_OPTIONS="readscale_decoder ndjson, no options (one message per change)"
RECV_CASES=(
	"pgoutput, empty publication (floor)|pgoutput|-o proto_version=1 -o publication_names=empty_pub"
	"pgoutput binary, all tables|pgoutput|-o proto_version=1 -o publication_names=all_pub"
	"wal2json format-version 1|wal2json|-o format-version=1"
	"wal2json format-version 2|wal2json|-o format-version=2"
	"$NO_OPTIONS|readscale_decoder|"
	"$GETTING_STARTED|readscale_decoder|-o batch-bytes=65536"
	"readscale_decoder format=wal2json-v2|readscale_decoder|-o format=wal2json-v2"
	"wal2json v2, 1 table of 10|wal2json|-o format-version=2 -o add-tables=public.t0"
	"pgoutput binary, 1 table of 10|pgoutput|-o proto_version=1 -o publication_names=one_pub"
	"readscale_decoder, 1 table of 10|readscale_decoder|-o add-tables=public.t0"
	"readscale, 1 table of 10, batch-bytes=65536|readscale_decoder|-o add-tables=public.t0 -o batch-bytes=65536"
)
start_instance bench "max_replication_slots = $((${#RECV_CASES[@]} * REPEAT + 10))
max_wal_senders = 10
output_plugin_libraries = 'pgoutput, test_decoding, wal2json, readscale_decoder'
logical_decoding_work_mem = '1GB'
shared_buffers = '512MB'
synchronous_commit = off"
q() { psql -X -q -h "$dir" -p "$port" -d postgres -v ON_ERROR_STOP=1 "$@"; }

q >/dev/null <<SQL
CREATE PUBLICATION empty_pub;
$(decoder_tables_sql)
CREATE PUBLICATION one_pub FOR TABLE t0;
CREATE PUBLICATION all_pub FOR ALL TABLES;
SELECT 'init' FROM pg_create_logical_replication_slot('s_pgoutput', 'pgoutput');
SELECT 'init' FROM pg_create_logical_replication_slot('s_test_decoding', 'test_decoding');
SELECT 'init' FROM pg_create_logical_replication_slot('s_wal2json', 'wal2json');
SELECT 'init' FROM pg_create_logical_replication_slot('s_readscale', 'readscale_decoder');
SQL

for ((c = 0; c < ${#RECV_CASES[@]}; c++)); do
	IFS='|' read -r _ plugin _ <<<"${RECV_CASES[$c]}"
	for ((r = 0; r < REPEAT; r++)); do
		q -c "SELECT 'init' FROM pg_create_logical_replication_slot('r${c}_$r', '$plugin')" >/dev/null
	done
done

# The workload (bench/decoder/workload.sh).
decoder_workload_sql | q >/dev/null
q -c 'CHECKPOINT' >/dev/null

peek() { # slot options...
	local slot=$1 sql_options=""
	shift
	for o in "$@"; do sql_options+=", '$o'"; done
	echo "SELECT count(*) || ' ' || coalesce(sum(octet_length(data)), 0) FROM pg_logical_slot_peek_changes('$slot', NULL, NULL$sql_options)"
}
peek_pgoutput() { # publication
	echo "SELECT count(*) || ' ' || coalesce(sum(octet_length(data)), 0) FROM pg_logical_slot_peek_binary_changes('s_pgoutput', NULL, NULL, 'proto_version', '1', 'publication_names', '$1')"
}

# label | query; the floor first.
PEEK_CASES=(
	"pgoutput, empty publication (floor)|$(peek_pgoutput empty_pub)"
	"pgoutput binary, all tables|$(peek_pgoutput all_pub)"
	"test_decoding|$(peek s_test_decoding skip-empty-xacts 1)"
	"wal2json format-version 1|$(peek s_wal2json format-version 1)"
	"wal2json format-version 2|$(peek s_wal2json format-version 2)"
	"readscale_decoder ndjson|$(peek s_readscale)"
	"readscale_decoder format=wal2json-v2|$(peek s_readscale format wal2json-v2)"
	"pgoutput binary, 1 table of 10|$(peek_pgoutput one_pub)"
	"wal2json v2, 1 table of 10|$(peek s_wal2json format-version 2 add-tables public.t0)"
	"readscale_decoder, 1 table of 10|$(peek s_readscale add-tables public.t0)"
	"readscale_decoder wal2json-v2, 1 table of 10|$(peek s_readscale format wal2json-v2 add-tables public.t0)"
	"readscale_decoder, no table matched|$(peek s_readscale add-tables public.none)"
	# batch-bytes: a row (message) per up to 64kB of one transaction's lines, not per change
	"readscale ndjson, batch-bytes=65536|$(peek s_readscale batch-bytes 65536)"
	"readscale, 1 table of 10, batch-bytes=65536|$(peek s_readscale add-tables public.t0 batch-bytes 65536)"
	# The SQL function keeps its result in a tuplestore that spills to a temporary file past
	# work_mem (4MB by default): what that costs the one-table cases.
	"floor, work_mem 1GB|SET work_mem = '1GB'; $(peek_pgoutput empty_pub)"
	"pgoutput binary, 1 table of 10, work_mem 1GB|SET work_mem = '1GB'; $(peek_pgoutput one_pub)"
	"readscale_decoder, 1 table of 10, work_mem 1GB|SET work_mem = '1GB'; $(peek s_readscale add-tables public.t0)"
)
# Best of REPEAT, in ms, with records and output bytes. Rounds go over every case in turn, so that a
# burst of load from another user of the machine costs one round of each case, not every round of one.
declare -a best records bytes
for ((r = 0; r < REPEAT; r++)); do
	for ((c = 0; c < ${#PEEK_CASES[@]}; c++)); do
		out=$(q -t -A -c '\timing on' -c "${PEEK_CASES[$c]#*|}" | tr '\n' ' ')
		ms=$(grep -oE 'Time: [0-9.]+' <<<"$out" | awk '{print $2}')
		records[c]=$(awk '{print $1}' <<<"$out")
		bytes[c]=$(awk '{print $2}' <<<"$out")
		best[c]=$(awk -v a="${best[c]:-999999999}" -v b="$ms" 'BEGIN { print (b < a) ? b : a }')
	done
done
results=$dir/results
for ((c = 0; c < ${#PEEK_CASES[@]}; c++)); do
	printf '%s\t%s\t%s\t%s\n' "${PEEK_CASES[$c]%%|*}" "${best[c]}" "${bytes[c]}" "${records[c]}"
done >"$results"

# The compatibility mode must produce wal2json's bytes, not just similar ones.
digest() { # slot options...
	local slot=$1 sql_options=""
	shift
	for o in "$@"; do sql_options+=", '$o'"; done
	q -t -A -c "SELECT md5(string_agg(data, E'\\n' ORDER BY n)) FROM pg_logical_slot_peek_changes('$slot', NULL, NULL$sql_options) WITH ORDINALITY AS x(l, x, data, n)"
}
if [ "$(digest s_wal2json format-version 2)" = "$(digest s_readscale format wal2json-v2)" ]; then
	identical="identical"
else
	identical="DIFFERENT"
fi
# Batching changes the messages, never the lines.
if [ "$(digest s_readscale)" = "$(digest s_readscale batch-bytes 65536)" ]; then
	batch_identical="identical"
else
	batch_identical="DIFFERENT"
fi

# pg_recvlogical from each case's fresh slots up to the end of the workload; best of REPEAT, ms and bytes.
endpos=$(q -t -A -c 'SELECT pg_current_wal_lsn()')
# Fixed cost of a run (connect, start, notice endpos) with nothing to decode: a slot made after the workload.
q -c "SELECT 'init' FROM pg_create_logical_replication_slot('r_empty', 'readscale_decoder')" >/dev/null
start=$(date +%s%N)
pg_recvlogical -h "$dir" -p "$port" -d postgres -S r_empty --start --no-loop -E "$endpos" -f /dev/null
recv_fixed=$((($(date +%s%N) - start) / 1000000))
recv_results=$dir/recv_results
declare -a recv_best recv_bytes recv_md5
for ((r = 0; r < REPEAT; r++)); do
	for ((c = 0; c < ${#RECV_CASES[@]}; c++)); do
		IFS='|' read -r _ _ recv_options <<<"${RECV_CASES[$c]}"
		start=$(date +%s%N)
		# shellcheck disable=SC2086 # recv_options holds several -o arguments
		pg_recvlogical -h "$dir" -p "$port" -d postgres -S "r${c}_$r" --start --no-loop -E "$endpos" $recv_options -f "$dir/recv.out"
		ms=$((($(date +%s%N) - start) / 1000000))
		recv_bytes[c]=$(stat -c %s "$dir/recv.out")
		recv_md5[c]=$(md5sum <"$dir/recv.out")
		rm -f "$dir/recv.out"
		recv_best[c]=$((ms < ${recv_best[c]:-999999999} ? ms : ${recv_best[c]:-999999999}))
	done
done
for ((c = 0; c < ${#RECV_CASES[@]}; c++)); do
	printf '%s\t%s\t%s\n' "${RECV_CASES[$c]%%|*}" "${recv_best[c]}" "${recv_bytes[c]}"
done >"$recv_results"

# Two rows decode the floor (work_mem does not matter with no rows): the ratios use the faster of
# them, so that a disturbed floor measurement cannot flatter the plugins.
floor=$(awk -F'\t' 'NR == 1 || $1 == "floor, work_mem 1GB" { if (f == "" || $2 < f) f = $2 } END { print f }' "$results")
v2=$(grep -F 'wal2json format-version 2' "$results" | cut -f2)
printf 'SCALE %s, best of %d, PostgreSQL %s; the changes decoded (test_decoding), all tables and t0:\n\n' \
	"$SCALE" "$REPEAT" "$(q -t -A -c 'SHOW server_version')"
q -c "SELECT count(*) FILTER (WHERE data ~ '^table') AS changes,
	count(*) FILTER (WHERE data ~ '^table [^ ]+: INSERT') AS inserts,
	count(*) FILTER (WHERE data ~ '^table [^ ]+: UPDATE') AS updates,
	count(*) FILTER (WHERE data ~ '^table [^ ]+: DELETE') AS deletes,
	count(*) FILTER (WHERE data ~ '^BEGIN') AS transactions,
	count(*) FILTER (WHERE data ~ '^table public\\.t0:') AS t0_changes,
	count(*) FILTER (WHERE data ~ '^table public\\.t0: INSERT') AS t0_inserts,
	count(*) FILTER (WHERE data ~ '^table public\\.t0: UPDATE') AS t0_updates,
	count(*) FILTER (WHERE data ~ '^table public\\.t0: DELETE') AS t0_deletes
	FROM pg_logical_slot_peek_changes('s_test_decoding', NULL, NULL)"
printf '\nthrough pg_logical_slot_peek_changes; x floor: against the faster floor row, %.0f ms\n\n' "$floor"
printf '| configuration | ms | records | output MB | x floor | wal2json v2 / this |\n|---|---:|---:|---:|---:|---:|\n'
while IFS=$'\t' read -r label ms bytes records; do
	awk -v l="$label" -v ms="$ms" -v b="$bytes" -v n="$records" -v f="$floor" -v v2="$v2" \
		'BEGIN { printf "| %s | %.0f | %d | %.1f | %.2f | %.2f |\n", l, ms, n, b / 1048576, ms / f, v2 / ms }'
done <"$results"
printf '\nwal2json-v2 mode output vs wal2json format-version 2: %s bytes\n' "$identical"
printf 'ndjson with batch-bytes=65536, lines joined, vs without: %s bytes\n' "$batch_identical"

recv_floor=$(head -1 "$recv_results" | cut -f2)
recv_v2=$(grep -F 'wal2json format-version 2' "$recv_results" | cut -f2)
printf '\npg_recvlogical end to end (to a file), best of %d; a run with nothing to decode takes %d ms\n\n' "$REPEAT" "$recv_fixed"
printf '| configuration | ms | output MB | x floor | wal2json v2 / this |\n|---|---:|---:|---:|---:|\n'
while IFS=$'\t' read -r label ms bytes; do
	awk -v l="$label" -v ms="$ms" -v b="$bytes" -v f="$recv_floor" -v v2="$recv_v2" \
		'BEGIN { printf "| %s | %.0f | %.1f | %.2f | %.2f |\n", l, ms, b / 1048576, ms / f, v2 / ms }'
done <"$recv_results"
recv_md5_of() { # label
	for ((c = 0; c < ${#RECV_CASES[@]}; c++)); do
		[ "${RECV_CASES[$c]%%|*}" = "$1" ] && echo "${recv_md5[c]}"
	done
}
same() { [ "$(recv_md5_of "$1")" = "$(recv_md5_of "$2")" ] && echo identical || echo DIFFERENT; }
printf '\npg_recvlogical files with batch-bytes=65536 vs without: all tables %s, 1 table of 10 %s\n' \
	"$(same "$NO_OPTIONS" "$GETTING_STARTED")" \
	"$(same 'readscale_decoder, 1 table of 10' 'readscale, 1 table of 10, batch-bytes=65536')"

# What a new user gets, beside every peer that sends all tables (ms ratio: above 1 means readscale is faster).
recv_ms_of() { awk -F'\t' -v l="$1" '$1 == l { print $2 }' "$recv_results"; }
printf '\nend to end, what a new user gets against the peers (peer ms / readscale ms):\n\n'
printf '| readscale_decoder | ms | pgoutput binary | wal2json format-version 1 | wal2json format-version 2 |\n|---|---:|---:|---:|---:|\n'
for mine in "$GETTING_STARTED" "$NO_OPTIONS"; do
	awk -v l="$mine" -v ms="$(recv_ms_of "$mine")" -v p="$(recv_ms_of 'pgoutput binary, all tables')" \
		-v w1="$(recv_ms_of 'wal2json format-version 1')" -v w2="$(recv_ms_of 'wal2json format-version 2')" \
		'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %.2f |\n", l, ms, p / ms, w1 / ms, w2 / ms }'
done
