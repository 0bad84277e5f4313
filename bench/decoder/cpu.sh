# Sourced by bench/decoder/offload.sh: CPU of a PostgreSQL cluster and of one
# walsender, from /proc/PID/stat (utime + stime, in clock ticks).
# shellcheck shell=bash

# Fields of /proc/PID/stat (0-based; the command, "(postgres)", has no space), or nothing once it is gone.
proc_stat() { # pid -> sets the array stat_fields
	stat_fields=()
	read -r -a stat_fields 2>/dev/null <"/proc/$1/stat" || return 1
}

children_of() { # pid -> its child pids, one a line
	local entry pid
	for entry in /proc/[0-9]*; do
		pid=${entry#/proc/}
		proc_stat "$pid" && [ "${stat_fields[3]}" = "$1" ] && echo "$pid"
	done
	return 0
}

# The postmaster's own time plus that of the children it reaped (cutime, cstime:
# a walsender that exited is counted there), plus its live children's.
cluster_ticks() { # postmaster-pid
	local total=0 pid
	proc_stat "$1" && total=$((stat_fields[13] + stat_fields[14] + stat_fields[15] + stat_fields[16]))
	for pid in $(children_of "$1"); do
		proc_stat "$pid" && total=$((total + stat_fields[13] + stat_fields[14]))
	done
	echo "$total"
}

# Finds the walsender the postmaster starts next (a child not in the given list
# whose title says walsender) and writes its utime + stime to the file every
# 20 ms until it has exited and been reaped: the last value is at most 20 ms of
# its work short. Gives up (writes 0) when none starts within 30 s.
walsender_sampler() { # postmaster-pid pids-before file
	local pm=$1 before=$2 file=$3 pid="" candidate tries=0
	echo 0 >"$file"
	while [ -z "$pid" ]; do
		for candidate in $(children_of "$pm"); do
			grep -qx "$candidate" <<<"$before" && continue
			tr '\0' ' ' <"/proc/$candidate/cmdline" 2>/dev/null | grep -q walsender && pid=$candidate
		done
		[ -n "$pid" ] && break
		tries=$((tries + 1))
		[ "$tries" -gt 1500 ] && return 0
		sleep 0.02
	done
	while proc_stat "$pid"; do
		echo $((stat_fields[13] + stat_fields[14])) >"$file"
		sleep 0.02
	done
}

machine_description() {
	printf '%s, %s cores, %s' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(nproc)" \
		"$(awk '/^MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo)"
}
