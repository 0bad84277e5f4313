#!/usr/bin/env bash
# A hot standby in its own network namespace, behind a WAN-like delay, and
# what pg_readscale does over that link: the gate and wait_for_lsn still give
# read-your-writes with a token from the primary, standby_lag reports the
# round trip as write lag (local_lag on the standby cannot see it), a lag
# policy tighter than the link turns the verdict critical under load, and
# HAProxy's checks of the standby's HTTP endpoint (bound to the namespace
# address) keep it in rotation, take it out when replay is paused, and bring
# it back.
#
# Root only (network namespaces); servers run as postgres: the host's
# PostgreSQL 15, or a newer major's own binaries in its chroot when scripts/test
# sets READSCALE_PG_ROOT (as_pg_server in scripts/lib.sh; the standby's as
# `ip netns exec NS chroot ...`). psql, HAProxy and the delay run on the host
# for every major, so the delay mechanism is the same for each. The delay is
# `tc qdisc ... netem delay` on both veth ends when the kernel has netem;
# otherwise (this project's Firecracker kernel has no sch_netem and loads no
# modules) test/net/nfq_delay.c, fed by iptables NFQUEUE rules inside the
# namespace, holds every packet crossing the veth; only when that cannot run
# either does test/net/delay_relay.pl relay each crossing TCP connection and
# delay it per direction (TCP then never sees the round trip). Only the
# project's own namespace (its rules die with it), veth pair and
# 10.231.x.0/30 addresses, and loopback, are used; all are removed on exit.
# Prints TAP lines ("ok N - ...", "1..N"); "1..0 # SKIP ..." when namespaces
# cannot be created. Environment: READSCALE_NET_DELAY_MS (default 20, one way);
# READSCALE_NET_DELAY_BY = netem, nfqueue or relay to try only that one (default:
# the first that works, in that order).
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/../../scripts/lib.sh"

delay_ms=${READSCALE_NET_DELAY_MS:-20}
tests=0
failed=0
pass() { tests=$((tests + 1)); echo "ok $tests - $* (${SECONDS}s)"; }
fail() { tests=$((tests + 1)); failed=$((failed + 1)); echo "not ok $tests - $* (${SECONDS}s)"; }
check() { # description command...
	local description=$1
	shift
	if "$@"; then pass "$description"; else fail "$description"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip_all "needs root to create a network namespace"
# Only the host's 15 loads the host's installed libraries; a chroot has its own.
[ -n "${READSCALE_PG_ROOT:-}" ] || take_install_lock

ns=rs-wan-$$
veth_host=rswan$$h
veth_ns=rswan$$n
subnet=10.231.$(($$ % 250 + 1))
host_ip=$subnet.1
ns_ip=$subnet.2
work=$(pg_server_dir readscale-net) || { echo "cannot create a folder for the servers"; exit 1; }
pids=()

cleanup() {
	set +e
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
	for data in "$work/standby" "$work/primary"; do
		[ -f "$data/postmaster.pid" ] && as_pg_server pg_ctl -D "$data" -m immediate stop >/dev/null 2>&1
	done
	ip link del "$veth_host" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	if [ "$failed" -eq 0 ] && [ -z "${READSCALE_NET_KEEP:-}" ]; then rm -rf "$work"; else echo "# files kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the namespace, the veth pair and the delay
ip netns add "$ns" 2>"$work/netns.err" || skip_all "cannot create a network namespace: $(head -1 "$work/netns.err")"
if ! { ip link add "$veth_host" type veth peer name "$veth_ns" &&
	ip link set "$veth_ns" netns "$ns" &&
	ip addr add "$host_ip/30" dev "$veth_host" && ip link set "$veth_host" up &&
	ip -n "$ns" addr add "$ns_ip/30" dev "$veth_ns" && ip -n "$ns" link set "$veth_ns" up &&
	ip -n "$ns" link set lo up; }; then
	skip_all "cannot set up a veth pair into the namespace"
fi

primary_port=$(free_port 25432)
standby_port=$(free_port $((primary_port + 1)))
http_port=$(free_port $((standby_port + 1)))
# The delay, best first: netem on both veth ends; else nfq_delay holding every
# packet that crosses the namespace's veth end (NFQUEUE rules in the namespace,
# OUTPUT and INPUT: one delay each way); else the userspace relay. The first two
# leave the standby and the primary talking TCP to each other over the veth.
netem() {
	tc qdisc add dev "$veth_host" root netem delay "${delay_ms}ms" 2>"$work/tc.err" &&
		ip netns exec "$ns" tc qdisc add dev "$veth_ns" root netem delay "${delay_ms}ms" 2>>"$work/tc.err"
}
nfqueue() { # the reason it cannot is in $work/nfq.err
	local ipt
	cc -std=c11 -O2 -Wall -Wextra -Werror -o "$work/nfq_delay" "$REPO/test/net/nfq_delay.c" \
		-lnetfilter_queue -lmnl >"$work/nfq.err" 2>&1 || return 1
	for ipt in iptables iptables-legacy ''; do # iptables-nft needs nft_compat; legacy does not
		[ -n "$ipt" ] || return 1
		ip netns exec "$ns" "$ipt" -A OUTPUT -o "$veth_ns" -j NFQUEUE --queue-num 0 --queue-bypass 2>>"$work/nfq.err" &&
			ip netns exec "$ns" "$ipt" -A INPUT -i "$veth_ns" -j NFQUEUE --queue-num 0 --queue-bypass 2>>"$work/nfq.err" &&
			break
		ip netns exec "$ns" "$ipt" -F 2>/dev/null
	done
	# nice: on a busy machine a late wake-up is extra delay; the program sleeps between releases.
	ip netns exec "$ns" nice -n -10 "$work/nfq_delay" 0 "$delay_ms" >"$work/nfq_delay.out" 2>&1 &
	nfq_pid=$!
	pids+=("$nfq_pid")
	for _ in $(seq 50); do grep -qs ready "$work/nfq_delay.out" && break; sleep 0.1; done
	grep -q ready "$work/nfq_delay.out" || { cat "$work/nfq_delay.out" >>"$work/nfq.err"; return 1; }
	delay_by="nfq_delay (NFQUEUE, $ipt in the namespace; no netem: $(why_not tc.err))"
}
nfq_pid=
tried() { [ "${READSCALE_NET_DELAY_BY:-$1}" = "$1" ]; }
why_not() { tail -1 "$work/$1" 2>/dev/null || echo "not tried"; }
if { tried netem && netem; } || { tried nfqueue && nfqueue; }; then
	[ -n "$nfq_pid" ] || delay_by="netem on both veth ends"
	packet_path=1
	upstream="host=$host_ip port=$primary_port"          # the standby's way to the primary
	standby_sql=(-h "$ns_ip" -p "$standby_port")         # clients' way to the standby
	standby_http="$ns_ip:$http_port"                     # HAProxy's way to the endpoint
else
	tried relay || skip_all "unknown READSCALE_NET_DELAY_BY=$READSCALE_NET_DELAY_BY, or it does not work here"
	delay_by="delay_relay.pl (no netem: $(why_not tc.err); no NFQUEUE: $(why_not nfq.err))"
	packet_path=
	relay_up=$(free_port $((http_port + 1)))
	relay_sql=$(free_port $((relay_up + 1)))
	relay_http=$(free_port $((relay_sql + 1)))
	perl "$REPO/test/net/delay_relay.pl" "$delay_ms" "$host_ip:$relay_up=127.0.0.1:$primary_port" \
		"127.0.0.1:$relay_sql=$ns_ip:$standby_port" "127.0.0.1:$relay_http=$ns_ip:$http_port" >"$work/relay.out" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do grep -q ready "$work/relay.out" && break; sleep 0.1; done
	grep -q ready "$work/relay.out" || { cat "$work/relay.out"; skip_all "the delay relay did not start"; }
	upstream="host=$host_ip port=$relay_up"
	standby_sql=(-h 127.0.0.1 -p "$relay_sql")
	standby_http="127.0.0.1:$relay_http"
fi
echo "# standby in namespace $ns at $ns_ip (setup ${SECONDS}s), ${delay_ms} ms each way by $delay_by"

# --- the servers
p_sql() { psql -XAtq -U postgres -h 127.0.0.1 -p "$primary_port" -d postgres -c "$@"; }
s_sql() { psql -XAtq -U postgres "${standby_sql[@]}" -d postgres -c "$@"; }
in_ns() { READSCALE_NETNS=$ns as_postgres "$@"; }
in_ns_server() { READSCALE_NETNS=$ns as_pg_server "$@"; }
poll() { # node sql: until the query says t (up to 60 s)
	local i
	for i in $(seq 300); do
		[ "$("$1" "$2" 2>/dev/null)" = t ] && return 0
		sleep 0.2
	done
	return 1
}

as_pg_server initdb -D "$work/primary" -A trust -U postgres --no-sync >"$work/initdb.log" 2>&1 || {
	cat "$work/initdb.log"
	exit 1
}
cat >>"$work/primary/postgresql.conf" <<CONF
port = $primary_port
listen_addresses = '127.0.0.1,$host_ip'
unix_socket_directories = '$work'
shared_preload_libraries = 'pg_readscale'
cluster_name = 'wan_primary'
hot_standby_feedback = on
fsync = off
CONF
printf 'host all all %s.0/30 trust\nhost replication all %s.0/30 trust\n' "$subnet" "$subnet" >>"$work/primary/pg_hba.conf"
as_pg_server pg_ctl -D "$work/primary" -l "$work/primary.log" -w start >/dev/null || { cat "$work/primary.log"; exit 1; }
p_sql 'CREATE EXTENSION pg_readscale' >/dev/null
echo "# primary up (${SECONDS}s): $(p_sql 'SELECT version()')"

# The base backup crosses the delayed link too, from inside the namespace.
host=${upstream#host=}
in_ns_server pg_basebackup -h "${host%% *}" -p "${upstream##*port=}" -U postgres -D "$work/standby" -R -X stream -c fast --no-sync \
	>"$work/basebackup.log" 2>&1 || { cat "$work/basebackup.log"; exit 1; }
cat >>"$work/standby/postgresql.conf" <<CONF
port = $standby_port
listen_addresses = '$ns_ip'
cluster_name = 'wan_standby'
readscale.http_listen = '$ns_ip:$http_port'
CONF
in_ns_server pg_ctl -D "$work/standby" -l "$work/standby.log" -w start >/dev/null || { cat "$work/standby.log"; exit 1; }
echo "# standby up (${SECONDS}s): $(s_sql 'SELECT version()')"

check "the standby in namespace $ns streams from the primary over the delayed link" \
	poll p_sql "SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'wan_standby' AND state = 'streaming'"
start=$(date +%s%N)
s_sql 'SELECT 1' >/dev/null
standby_ms=$((($(date +%s%N) - start) / 1000000))
start=$(date +%s%N)
p_sql 'SELECT 1' >/dev/null
echo "# connect + SELECT 1 from the host: standby $standby_ms ms, primary $((($(date +%s%N) - start) / 1000000)) ms"
echo "# SELECT 1 on an open session from the host (timed by psql): standby" \
	"$(psql -XAq -U postgres "${standby_sql[@]}" -d postgres -c '\timing on' -c 'SELECT 1' -c 'SELECT 1' | grep -o '[0-9.]* ms' | paste -sd' ')"
if [ -n "$packet_path" ]; then
	echo "# ping across the veth: $(ping -q -c 10 -i 0.05 "$ns_ip" 2>&1 | tail -1)"
	# The kernel's own smoothed RTT of the WAL stream, read inside the namespace: with
	# the delay on the packet path it includes both directions (a relay would hide it).
	tcp_rtt() { ip netns exec "$ns" ss -tni state established dst "$host_ip:$primary_port" | grep -o ' rtt:[0-9.]*' | head -1 | cut -d: -f2; }
	rtt=$(tcp_rtt)
	echo "# TCP RTT of the replication connection (ss -ti in $ns): ${rtt:-none} ms"
	check "the delay is on the packet path: the WAL stream's TCP RTT is at least $((2 * delay_ms)) ms" \
		awk -v r="${rtt:-0}" -v d="$((2 * delay_ms))" 'BEGIN { exit !(r >= d) }'
fi

# --- read-your-writes through the gate and wait_for_lsn, with a token from the primary.
# The reader sits next to the standby (inside the namespace, one open session),
# the primary is across the link: the geography read scaling is for. Each read
# is sent as soon as its write has committed, before the WAL can have crossed.
p_sql 'CREATE TABLE w (id int PRIMARY KEY)' >/dev/null
# Before the first read, or it fails on a missing table and its three error lines shift every later answer.
poll s_sql "SELECT to_regclass('public.w') IS NOT NULL" || fail "table w reached the standby"
p_sql "SELECT 1" -c 'SELECT readscale.current_token()' >/dev/null
coproc reader { in_ns psql -XAtq -h "$ns_ip" -p "$standby_port" -d postgres 2>&1; }
pids+=("$reader_PID")
ask() { # sql lines: sends the statements, prints the next "lines" lines of output (no pipelines: a
	# subshell other than $(...) does not get the coprocess's descriptors)
	local line i
	echo "$1" >&"${reader[1]}"
	echo "> $1" >>"$work/reader.log"
	for i in $(seq "$2"); do read -r -t 30 line <&"${reader[0]}" && echo "$line" && echo "$line" >>"$work/reader.log"; done
}
ask "SET readscale.gate_timeout = '10s';" 0
ungated_missed=0
gated=0
waited=0
for i in $(seq 1 20); do
	p_sql "INSERT INTO w VALUES ($i)" -c 'SELECT readscale.current_token()' >/dev/null
	[ "$(ask "SELECT count(*) FROM w WHERE id = $i;" 1)" = 0 ] && ungated_missed=$((ungated_missed + 1))
	token=$(p_sql "INSERT INTO w VALUES ($((i + 100)))" -c 'SELECT readscale.current_token()')
	[ "$(ask "BEGIN; SET LOCAL readscale.min_lsn = '$token'; SELECT count(*) FROM w WHERE id = $((i + 100)); COMMIT;" 1)" = 1 ] &&
		gated=$((gated + 1))
	token=$(p_sql "INSERT INTO w VALUES ($((i + 200)))" -c 'SELECT readscale.current_token()')
	[ "$(ask "SELECT readscale.wait_for_lsn('$token', '10s'); SELECT count(*) FROM w WHERE id = $((i + 200));" 2)" = $'success\n1' ] &&
		waited=$((waited + 1))
done
check "20 of 20 gated reads (SET LOCAL readscale.min_lsn) see their write ($gated)" [ "$gated" -eq 20 ]
check "20 of 20 reads after wait_for_lsn see their write ($waited)" [ "$waited" -eq 20 ]
echo "# ungated reads sent right after the write that missed it: $ungated_missed of 20"
echo "# gate_stats on the standby (waits, immediate, reached, timeouts):" \
	"$(s_sql 'SELECT waits, immediate, reached, timeouts FROM readscale.gate_stats')"
echo '\q' >&"${reader[1]}"

# --- lag verdicts under a steady write load
p_sql 'CREATE TABLE load (i int)' >/dev/null
PGAPPNAME=wan_load psql -XAtq -U postgres -h 127.0.0.1 -p "$primary_port" -d postgres -c \
	"DO \$\$ BEGIN LOOP INSERT INTO load VALUES (1); COMMIT; PERFORM pg_sleep(0.01); END LOOP; END \$\$" \
	>/dev/null 2>&1 &
pids+=($!)
# The round trip is a floor of write_lag (WAL out, the standby's reply back): a lower bound, not a timing assertion.
check "standby_lag: write_lag under load is at least the round trip ($((2 * delay_ms)) ms)" \
	poll p_sql "SELECT write_lag >= interval '$((2 * delay_ms)) ms' FROM readscale.standby_lag WHERE application_name = 'wan_standby'"
echo "# standby_lag: $(p_sql "SELECT 'write_lag ' || write_lag || ', replay_lag ' || replay_lag || ', network_bytes ' || network_bytes
	FROM readscale.standby_lag WHERE application_name = 'wan_standby'")"
p_sql "INSERT INTO readscale.lag_policy (application_name_pattern, warning_lag, critical_lag)
	VALUES ('wan_standby', '1 ms', '$((delay_ms / 2)) ms')" >/dev/null
check "a policy tighter than the link ($((delay_ms / 2)) ms critical) makes the verdict critical under load" \
	poll p_sql "SELECT verdict = 'critical' FROM readscale.standby_lag WHERE application_name = 'wan_standby'"
echo "# reason: $(p_sql "SELECT reason FROM readscale.standby_lag WHERE application_name = 'wan_standby'")"
check "local_lag on the standby: streaming, and it cannot see the network part (verdict not critical)" \
	poll s_sql "SELECT wal_receiver_streaming AND verdict <> 'critical' FROM readscale.local_lag"
echo "# local_lag: $(s_sql "SELECT 'staleness ' || coalesce(staleness::text, 'unknown')
	|| ', receive_replay_bytes ' || receive_replay_bytes FROM readscale.local_lag")"
p_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wan_load'" >/dev/null
check "once the load stops and the standby catches up the verdict is ok again" \
	poll p_sql "SELECT verdict = 'ok' FROM readscale.standby_lag WHERE application_name = 'wan_standby'"

# --- HAProxy health checks through the delayed link
proxy=$(free_port $((primary_port + 100)))
listen_section() { # name port
	cat <<CFG
listen $1
    bind 127.0.0.1:$2
    option httpchk GET /replica?max_lag=1s
    http-check expect status 200
    default-server inter 200ms fall 2 rise 2 on-marked-down shutdown-sessions
    server wan_standby ${standby_sql[1]}:${standby_sql[3]} check addr ${standby_http%:*} port ${standby_http#*:}
    server wan_primary 127.0.0.1:$primary_port backup
CFG
}
{
	printf 'defaults\n    mode tcp\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n'
	listen_section reads "$proxy"
} >"$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)

# Polls until 5 consecutive connections through proxy port $1 land on node $2.
lands_on() {
	local i n
	for i in $(seq 150); do
		for n in 1 2 3 4 5; do
			[ "$(PGCONNECT_TIMEOUT=5 psql -XAtq -U postgres -h 127.0.0.1 -p "$1" -d postgres \
				-c "SELECT current_setting('cluster_name')" 2>/dev/null)" = "$2" ] || break
			[ "$n" -eq 5 ] && return 0
		done
		sleep 0.2
	done
	return 1
}
check "HAProxy: the standby's checks pass across the link and it is in rotation" lands_on "$proxy" wan_standby
s_sql 'SELECT pg_wal_replay_pause()' >/dev/null
p_sql 'CREATE TABLE paused AS SELECT g FROM generate_series(1, 1000) g' >/dev/null
check "HAProxy: a standby with replay paused leaves rotation (its /replica answers 503 across the link)" \
	lands_on "$proxy" wan_primary
s_sql 'SELECT pg_wal_replay_resume()' >/dev/null
check "HAProxy: once resumed and caught up it is back" lands_on "$proxy" wan_standby
echo "# HAProxy check durations: $(grep -o 'check duration: [0-9]*ms' "$work/haproxy.log" | sort | uniq -c | tr -s ' ' | paste -sd, -)"

if [ -n "$nfq_pid" ]; then # its counters (SIGTERM: it accepts what it holds, then prints them)
	kill "$nfq_pid" && wait "$nfq_pid"
	echo "# nfq_delay: $(tail -1 "$work/nfq_delay.out")"
fi
if grep -q 'terminated by signal' "$work/primary.log" "$work/standby.log"; then fail "no server crash"; else pass "no server crash"; fi
echo "1..$tests"
echo "# network: $((tests - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
