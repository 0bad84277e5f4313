# Shared helpers for scripts/setup, scripts/test and scripts/demo. Sourced, not run.
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the project needs to build, test and demo.
# shellcheck disable=SC2034 # used by the scripts that source this file
PACKAGES=(
	postgresql-15 postgresql-server-dev-15 libpq-dev pgbouncer postgresql-client-15 postgresql-15-wal2json
	g++ make cmake libboost-dev libgtest-dev libipc-run-perl clang libclang-rt-dev
	binutils bc ca-certificates prometheus haproxy iproute2 sqlsmith python3-psycopg
	iptables libnetfilter-queue-dev libmnl-dev iputils-ping shellcheck clang-format-14
	wget debian-archive-keyring # debootstrap of the newer majors' chroots (scripts/majors.sh)
)

# Only for scripts/test --long: building the Debian package (test/package/run).
# shellcheck disable=SC2034 # used by scripts/test
LONG_PACKAGES=(debhelper postgresql-server-dev-all dpkg-dev)

# Installs the listed Debian packages that are not installed yet.
install_missing() { # package...
	local package missing=()
	for package in "$@"; do
		dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
	[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages and starts PostgreSQL as the postgres user"
}

# Runs a command as the postgres OS user (PostgreSQL refuses to run as root),
# from /: root's current directory may be the checkout in a folder postgres
# cannot enter (mktemp -d, /root), and PostgreSQL's programs then print "could
# not change directory" on stderr, which breaks any caller reading it. Give it
# absolute paths. In network namespace $READSCALE_NETNS when that is set.
as_postgres() {
	local netns=()
	if [ -n "${READSCALE_NETNS:-}" ]; then netns=(ip netns exec "$READSCALE_NETNS"); fi
	(cd / && "${netns[@]}" runuser -u postgres -- env PATH="$PG_BIN:$PATH" "$@")
}

# Runs a PostgreSQL server program (initdb, pg_ctl, pg_basebackup) as the
# servers' postgres user: the host's PostgreSQL 15 (as_postgres), or, when
# READSCALE_PG_ROOT names a newer major's chroot (scripts/test sets it, with
# READSCALE_PG_MAJOR and READSCALE_PG_SHARED), that major's own binaries inside
# it, where the data directories must sit under READSCALE_PG_SHARED (mounted at
# the same path inside; pg_server_dir). Clients (psql, drivers, HAProxy) stay on
# the host and connect over TCP. In network namespace $READSCALE_NETNS when set.
as_pg_server() {
	[ -n "${READSCALE_PG_ROOT:-}" ] || { as_postgres "$@"; return; }
	local netns=()
	if [ -n "${READSCALE_NETNS:-}" ]; then netns=(ip netns exec "$READSCALE_NETNS"); fi
	"${netns[@]}" chroot "$READSCALE_PG_ROOT" runuser -u postgres -- \
		env -i PATH="/usr/lib/postgresql/$READSCALE_PG_MAJOR/bin:/usr/bin:/bin" LANG=C.UTF-8 "$@"
}

# The servers' postgres user for chown (a chroot's uid and gid may differ from the host's).
pg_server_owner() {
	if [ -z "${READSCALE_PG_ROOT:-}" ]; then echo postgres: && return; fi
	echo "$(chroot "$READSCALE_PG_ROOT" id -u postgres):$(chroot "$READSCALE_PG_ROOT" id -g postgres)"
}

# A new folder for data directories, server logs and sockets, owned by the servers' postgres user.
pg_server_dir() { # prefix
	local dir owner
	dir=$(mktemp -d "${READSCALE_PG_SHARED:-/tmp}/$1.XXXXXX") && owner=$(pg_server_owner) && chown "$owner" "$dir" || return 1
	echo "$dir"
}

# A TCP port on 127.0.0.1 with nothing listening, starting from $1.
free_port() {
	local port=$1
	while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
		port=$((port + 1))
	done
	echo "$port"
}

# A scratch directory owned by postgres, holding a copy of what the tests read
# (the checkout itself may sit under a directory postgres cannot enter);
# docs/ for the test that checks docs/reference.md against the catalog.
make_scratch() {
	local dir
	dir=$(mktemp -d /tmp/readscale.XXXXXX)
	copy_for_postgres "$dir/src" Makefile sql expected test mk deploy docs common
	chown postgres: "$dir"
	echo "$dir"
}

# Copies checkout paths (relative to $REPO, keeping their layout; missing ones
# skipped) into dir, all owned by postgres.
copy_for_postgres() { # dir path...
	local dir=$1 path
	shift
	mkdir -p "$dir"
	for path in "$@"; do
		if [ -e "$REPO/$path" ]; then (cd "$REPO" && cp -r --parents "$path" "$dir/"); fi
	done
	chown -R postgres: "$dir"
}

# For benches run as postgres: when run as root, runs the bench script (a path
# relative to $REPO) as postgres from a scratch copy of the given checkout
# paths, removes the copy and exits with its status; otherwise returns.
rerun_as_postgres() { # script [VAR=value...] -- path...
	[ "$(id -u)" -eq 0 ] || return 0
	local script=$1 copy status
	local -a env=()
	shift
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	copy=$(mktemp -d /tmp/readscale-bench.XXXXXX)
	copy_for_postgres "$copy" "$script" "$@"
	as_postgres env "${env[@]}" bash "$copy/$script" && status=0 || status=$?
	rm -rf "$copy"
	exit "$status"
}

# Runs on one machine share the installed libraries: take turns. Child scripts
# inherit the held lock through READSCALE_LOCK_HELD.
take_install_lock() {
	[ -n "${READSCALE_LOCK_HELD:-}" ] && return 0
	exec 9>/tmp/readscale-test.lock
	flock 9
	export READSCALE_LOCK_HELD=1
}
