# Builds our libraries for a newer major (scripts/majors.sh prepared it: MAJOR_DIR)
# and runs its pg_regress and TAP suites inside the major's chroot. Sourced by
# scripts/test after lib.sh and majors.sh, not run.
# shellcheck shell=bash

# Builds both libraries and the boundary probe against the major's extracted headers,
# in a per-major copy of the sources (PGXS builds in-tree; no objects of another
# major are copied), and installs them into the chroot.
major_build() { # major
	local tree=$MAJOR_DIR/build pg_config=$MAJOR_DIR/dev/pg_config
	mkdir -p "$tree"
	# Objects built from another checkout may be newer than this one's sources: make would keep them.
	if [ "$(cat "$tree/.checkout" 2>/dev/null)" != "$REPO" ]; then
		find "$tree" \( -name '*.o' -o -name '*.so' -o -name '*.bc' \) -delete
		echo "$REPO" >"$tree/.checkout"
	fi
	(cd "$REPO" && tar -cf - --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
		Makefile extension decoder common bridge mk test/modules) | tar -xf - -C "$tree" || return 1
	# The tree keeps its objects between runs: drop sources the checkout no longer has, with their objects.
	(cd "$tree" && find extension decoder common bridge test/modules -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.sql' \) |
		while read -r file; do [ -e "$REPO/$file" ] || rm -f "$file" "${file%.cpp}.o"; done)
	make -C "$tree" -s -j"$(nproc)" PG_CONFIG="$pg_config" all &&
		make -C "$tree" -s PG_CONFIG="$pg_config" DESTDIR="$MAJOR_DIR/root" install install-test
}

# The chroot's postgres user owns the scratch folder (its uid may differ from the host's).
major_own_scratch() { # scratch
	local owner
	owner=$(chroot "$MAJOR_DIR/root" id -u postgres):$(chroot "$MAJOR_DIR/root" id -g postgres) || return 1
	chown -R "$owner" "$1"
}

# as_postgres for the major: in its chroot, with MAJOR_SCRATCH mounted at the same path,
# so the suites' paths and logs read the same inside and on the host.
major_as_postgres() { # [VAR=value...] command...
	local status
	# A hung suite must not eat CI's budget: at most MAJORS_SUITE_TIMEOUT seconds (default 20 minutes).
	MAJORS_BIND=$MAJOR_SCRATCH majors_in_chroot "$MAJOR_DIR/root" timeout -k 10 "${MAJORS_SUITE_TIMEOUT:-1200}" \
		runuser -u postgres -- env PATH="/usr/lib/postgresql/$MAJOR_NN/bin:/usr/bin:/bin:/usr/sbin:/sbin" "$@"
	status=$?
	rmdir "$MAJOR_DIR/root$MAJOR_SCRATCH" 2>/dev/null
	return $status
}

# Runs a host command (a suite whose servers start through as_pg_server:
# scripts/cluster.sh, test/net/wan_latency.sh) with the major's own server
# binaries, run in its chroot; data directories go under MAJOR_SCRATCH, mounted
# at the same path inside. Clients stay on the host.
major_with_servers() { # command...
	local status
	export READSCALE_PG_ROOT=$MAJOR_DIR/root READSCALE_PG_MAJOR=$MAJOR_NN READSCALE_PG_SHARED=$MAJOR_SCRATCH
	MAJORS_BIND=$MAJOR_SCRATCH majors_with_mounts "$MAJOR_DIR/root" "$@"
	status=$?
	unset READSCALE_PG_ROOT READSCALE_PG_MAJOR READSCALE_PG_SHARED
	rmdir "$MAJOR_DIR/root$MAJOR_SCRATCH" 2>/dev/null
	return $status
}

# What the chroot lacks, as "kind name reason" lines: pg_regress files needing the
# wal2json plugin, TAP files calling a program the major's suite does not ship.
major_skips() { # source-tree
	local src=$1 tool file
	if [ ! -f "$MAJOR_DIR/root/usr/lib/postgresql/$MAJOR_NN/lib/wal2json.so" ]; then
		grep -lE "'wal2json'" "$src"/sql/*.sql | while read -r file; do
			echo "regress $(basename "$file" .sql) no postgresql-$MAJOR_NN-wal2json package in Debian"
		done
	fi
	for tool in promtool haproxy pgbouncer g++; do
		chroot "$MAJOR_DIR/root" sh -c "command -v $tool" >/dev/null 2>&1 && continue
		for file in $(grep -lF "'$tool'" "$src"/test/t/*.pl; grep -lF "/usr/sbin/$tool'" "$src"/test/t/*.pl); do
			echo "tap $(basename "$file") no $tool in the $(major_suite "$MAJOR_NN") chroot"
		done
	done | sort -u
}

# The suite's files less the skipped ones (space-separated, for REGRESS= or PROVE_TESTS=).
major_kept() { # kind skips-text files...
	local kind=$1 skips=$2 file name
	shift 2
	for file in "$@"; do
		name=$(basename "$file")
		[ "$kind" = regress ] && name=${name%.sql}
		grep -qE "^$kind $name " <<<"$skips" && continue
		if [ "$kind" = regress ]; then printf '%s ' "$name"; else printf 'test/t/%s ' "$name"; fi
	done
}
