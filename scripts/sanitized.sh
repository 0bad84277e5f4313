# The sanitized-server suite's helpers (scripts/test --long). Sourced, not run.
# Both libraries and the boundary probe are built with gcc's AddressSanitizer
# and UndefinedBehaviorSanitizer in a copy of the tree, installed over the
# normal build while the install lock is held, and loaded into the real,
# uninstrumented PostgreSQL: every program the suites start gets the ASan
# runtime through LD_PRELOAD (it must come first), inherited from make/prove
# by pg_regress, pg_ctl and the postmaster. docs/reliability.md has the why
# of each option.
# shellcheck shell=bash

SANITIZE_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"

# Copies what PGXS builds into dir and builds it sanitized, plus the preload shim.
build_sanitized() { # dir
	local dir=$1 flags=(READSCALE_EXTRA_CXXFLAGS="$SANITIZE_FLAGS" READSCALE_EXTRA_LDFLAGS="-fsanitize=address,undefined")
	mkdir -p "$dir/test/modules"
	cp -r "$REPO/Makefile" "$REPO/extension" "$REPO/decoder" "$REPO/common" "$REPO/bridge" "$REPO/mk" "$dir/"
	cp -r "$REPO/test/modules/boundary_probe" "$dir/test/modules/"
	find "$dir" \( -name '*.o' -o -name '*.so' -o -name '*.bc' \) -delete
	make -C "$dir" -s -j"$(nproc)" all "${flags[@]}" &&
		make -C "$dir/test/modules/boundary_probe" -s -j"$(nproc)" "${flags[@]}" &&
		gcc -shared -fPIC -O2 -Wall -Werror -o "$dir/asan_preload_shim.so" "$REPO/test/sanitizer/asan_preload_shim.c" &&
		chmod -R a+rX "$dir"
}

# Installs the libraries built in a tree (sanitized copy or the checkout).
install_tree() { # dir
	make -C "$1" -s install && make -C "$1/test/modules/boundary_probe" -s install
}

# VAR=value words for env: the ASan runtime first, then the shim; reports to files under report_dir.
# detect_leaks=0: PostgreSQL frees by dropping memory contexts and at exit, not
# object by object; our own leaks are checked by the sanitized unit tests.
# abort_on_error: a report ends the process with SIGABRT, so the postmaster logs
# it as a crash and restarts, and the test that caused it fails too.
sanitizer_env() { # dir report_dir
	local runtime
	runtime=$(readlink -f "$(gcc -print-file-name=libasan.so)")
	printf '%s\n' \
		"LD_PRELOAD=$runtime $1/asan_preload_shim.so" \
		"ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:log_path=$2/asan" \
		"UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$2/ubsan"
}

# Prints every sanitizer report (report files, and "runtime error:" or
# "AddressSanitizer" lines in server logs) and the count on the last line.
sanitizer_reports() { # report_dir log-dir...
	local report_dir=$1 count=0 file
	shift
	for file in "$report_dir"/asan.* "$report_dir"/ubsan.*; do
		[ -f "$file" ] || continue
		echo "--- $file"
		head -40 "$file"
		count=$((count + 1))
	done
	while IFS= read -r file; do
		echo "--- $file"
		grep -E 'runtime error:|AddressSanitizer' "$file" | head -20
		count=$((count + 1))
	done < <(grep -rlE 'runtime error:|ERROR: AddressSanitizer' "$@" 2>/dev/null)
	echo "$count"
}

# Whether the servers really run sanitized code: the installed libraries need
# the ASan runtime, and a postmaster started through pg_ctl with this
# environment has the runtime and pg_readscale.so mapped.
sanitizer_in_use() { # work-dir VAR=value...
	local data="$1/check" port pid lib ok=0
	shift
	for lib in pg_readscale readscale_decoder boundary_probe; do
		ldd "$("$PG_BIN/pg_config" --pkglibdir)/$lib.so" | grep -q libasan || { echo "$lib.so is not the sanitized build"; return 1; }
	done
	port=$(free_port 56500)
	as_postgres "$@" initdb -D "$data" >/dev/null 2>&1 || { echo "initdb failed"; return 1; }
	printf "shared_preload_libraries = 'pg_readscale'\nport = %s\nunix_socket_directories = '%s'\nlisten_addresses = ''\n" \
		"$port" "$data" >>"$data/postgresql.conf"
	as_postgres "$@" pg_ctl -D "$data" -l "$data/server.log" -w start >/dev/null || { cat "$data/server.log"; return 1; }
	pid=$(head -1 "$data/postmaster.pid")
	grep -q libasan "/proc/$pid/maps" && grep -q pg_readscale.so "/proc/$pid/maps" && ok=1
	as_postgres pg_ctl -D "$data" -m fast -w stop >/dev/null
	[ "$ok" -eq 1 ] || echo "the postmaster has no ASan runtime or no pg_readscale.so mapped"
	[ "$ok" -eq 1 ]
}
