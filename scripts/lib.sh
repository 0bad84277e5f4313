# Shared helpers for scripts/setup, scripts/test and scripts/demo. Sourced, not run.
# shellcheck shell=bash

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the project needs to build, test and demo.
PACKAGES=(
	postgresql-15 postgresql-server-dev-15 libpq-dev pgbouncer postgresql-client-15 postgresql-15-wal2json
	g++ make cmake libboost-dev libgtest-dev libipc-run-perl clang libclang-rt-dev
	binutils bc ca-certificates prometheus haproxy iproute2 sqlsmith python3-psycopg
	iptables libnetfilter-queue-dev libmnl-dev iputils-ping
	wget debian-archive-keyring # debootstrap of the newer majors' chroots (scripts/majors.sh)
)

# Only for scripts/test --long: building the Debian package (test/package/run).
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

# Runs a command as the postgres OS user (PostgreSQL refuses to run as root).
as_postgres() {
	runuser -u postgres -- env PATH="$PG_BIN:$PATH" "$@"
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
	mkdir -p "$dir/src"
	cp -r "$REPO/Makefile" "$REPO/sql" "$REPO/expected" "$REPO/test" "$REPO/mk" "$REPO/deploy" "$REPO/docs" "$dir/src/"
	chown -R postgres: "$dir"
	echo "$dir"
}

# Runs on one machine share the installed libraries: take turns. Child scripts
# inherit the held lock through READSCALE_LOCK_HELD.
take_install_lock() {
	[ -n "${READSCALE_LOCK_HELD:-}" ] && return 0
	exec 9>/tmp/readscale-test.lock
	flock 9
	export READSCALE_LOCK_HELD=1
}
