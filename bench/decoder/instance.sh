# Sourced by the decoder benchmarks: start_instance NAME EXTRA_CONF creates and
# starts a throw-away PostgreSQL instance (removed on exit) and sets $dir and
# $port. The readscale_decoder.so built in this tree is loaded when present
# (dynamic_library_path), so another tree's `make install` cannot swap the
# library mid-run.
# This tree's build, when present, never one another run installs mid-way: copied
# to lib-dir and put first on the data directory's dynamic_library_path.
use_tree_decoder() { # lib-dir data-dir
	local tree_lib
	tree_lib=$(dirname "${BASH_SOURCE[0]}")/../../decoder/readscale_decoder.so
	[ -r "$tree_lib" ] || return 0
	mkdir "$1" && cp "$tree_lib" "$1/"
	echo "dynamic_library_path = '$1:\$libdir'" >>"$2/postgresql.conf"
}

start_instance() { # name extra-conf
	dir=$(mktemp -d "/tmp/readscale-$1.XXXXXX")
	port=$((20000 + RANDOM % 10000))
	trap 'pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
	initdb -D "$dir/data" --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1
	use_tree_decoder "$dir/lib" "$dir/data"
	cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
wal_level = logical
fsync = off
autovacuum = off
$2
CONF
	pg_ctl -D "$dir/data" -l "$dir/log" -w start >/dev/null
}
