#!/bin/sh
# Runs inside a clean root of one PostgreSQL major (test/package/run copies it there
# with the built .deb and the source's extension files under /tmp/readscale-check):
# installs the package with dpkg, starts that major's server as postgres and checks
# the package for real. Prints one "ok - ..." / "not ok - ..." line per check.
# Usage: check_installed.sh major deb-file
nn=$1
deb=$2
here=/tmp/readscale-check
bin=/usr/lib/postgresql/$nn/bin
data=$here/data
port=54329

check() { # description command...
	what=$1
	shift
	if "$@"; then echo "ok - pg$nn: $what"; else echo "not ok - pg$nn: $what"; fi
}

sql() { # query -> unaligned tuples, as postgres on the local socket
	runuser -u postgres -- "$bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$here" -p "$port" -d postgres -c "$1"
}

# Runs a command with its output in a log, shown as # lines when it fails.
logged() { # log command...
	log=$1
	shift
	"$@" >"$log" 2>&1 || { sed 's/^/# /' "$log"; return 1; }
}

package=$(dpkg-deb -f "$deb" Package)
check "dpkg -i $package (its Depends met by this root's postgresql-$nn)" logged "$here/dpkg.log" dpkg -i "$deb"

chown postgres: "$here"
runuser -u postgres -- "$bin/initdb" -D "$data" -A trust >"$here/initdb.log" 2>&1 || sed 's/^/# /' "$here/initdb.log"
{
	echo "shared_preload_libraries = 'pg_readscale'"
	echo "wal_level = logical"
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$here'"
	echo "port = $port"
	# Debian's servers here only let listed libraries act as output plugins.
	"$bin/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries' &&
		echo "output_plugin_libraries = 'pgoutput, test_decoding, readscale_decoder'"
} >>"$data/postgresql.conf"
check "PostgreSQL $nn starts with shared_preload_libraries = 'pg_readscale'" \
	logged "$here/pg_ctl.log" runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$here/server.log" -w start ||
	sed 's/^/# /' "$here/server.log"

server=$(sql "SELECT current_setting('server_version_num')::int / 10000")
check "the server running is PostgreSQL $nn (got ${server:-none})" test "$server" = "$nn"

# Where this server looks for libraries and extension files, from its own pg_config().
pkglibdir=$(sql "SELECT setting FROM pg_config() WHERE name = 'PKGLIBDIR'")
sharedir=$(sql "SELECT setting FROM pg_config() WHERE name = 'SHAREDIR'")
echo "# pkglibdir $pkglibdir, extension dir $sharedir/extension"
owned() { dpkg -L "$package" | grep -qxF "$1"; }
check "pg_readscale.so in the server's pkglibdir" owned "$pkglibdir/pg_readscale.so"
check "readscale_decoder.so in the server's pkglibdir" owned "$pkglibdir/readscale_decoder.so"
check "no test-only boundary_probe.so" test ! -e "$pkglibdir/boundary_probe.so"
for source in "$here"/extension/*; do
	name=$(basename "$source")
	check "$name in the server's extension dir, identical to the source" \
		cmp -s "$source" "$sharedir/extension/$name"
done

version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$here/extension/pg_readscale.control")
sql "CREATE EXTENSION pg_readscale" >"$here/create.log" 2>&1 || sed 's/^/# /' "$here/create.log"
installed=$(sql "SELECT extversion FROM pg_extension WHERE extname = 'pg_readscale'")
check "CREATE EXTENSION pg_readscale installs version $version (got ${installed:-none})" test "$installed" = "$version"
token=$(sql "SELECT readscale.current_token()")
check "readscale.current_token() answers (${token:-none})" test -n "$token"

# Separate statements: a slot cannot be made in a transaction that has written.
sql "CREATE TABLE package_probe (id int PRIMARY KEY, name text)" &&
	sql "SELECT 'init' FROM pg_create_logical_replication_slot('package_slot', 'readscale_decoder')" >/dev/null &&
	sql "INSERT INTO package_probe VALUES (1, 'packaged')"
decoded=$(sql "SELECT data::jsonb ->> 'op', data::jsonb ->> 'table', data::jsonb -> 'new' ->> 'name'
	FROM pg_logical_slot_get_changes('package_slot', NULL, NULL)" 2>&1)
check "readscale_decoder decodes an insert through a slot (${decoded:-nothing})" \
	test "$decoded" = "insert|package_probe|packaged"

runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1
grep -E 'PANIC|terminated by signal' "$here/server.log" | sed 's/^/# /'
check "the server log shows no crash" sh -c "! grep -qE 'PANIC|terminated by signal' '$here/server.log'"
