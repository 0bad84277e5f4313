# The chroots test/package/run builds and checks the Debian package in, one pair per
# major, cached beside scripts/majors.sh's test chroots (which they never touch):
#   build:  the suite's base chroot plus debian/control's Build-Depends and that
#           major's postgresql-server-dev (not for 15: it builds on the host);
#   server: the base chroot plus only that major's server, copied afresh for each
#           check so the package goes into a clean root.
# Keyed by the major's Debian version and a hash of Build-Depends. Sourced after
# scripts/lib.sh and scripts/majors.sh, not run.
# shellcheck shell=bash

# 15's Debian version: the host's server, the one its package is built against.
package_major_version() { # major
	if [ "$1" = 15 ]; then
		dpkg-query -W -f='${Version}' postgresql-15
	else
		majors_version_in "postgresql-server-dev-$1" "$(major_package_suite "$1")"
	fi
}

# The cache folder of a major's package chroots; drops those of its older versions.
package_cache_dir() { # major
	local nn=$1 version key dir old
	version=$(package_major_version "$nn")
	[ -n "$version" ] || { echo "no Debian version of PostgreSQL $nn found" >&2; return 1; }
	key=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$REPO/debian/control.in" | sha256sum | cut -c1-8)
	dir=$MAJORS_CACHE/pkg$nn-$version-$key
	for old in "$MAJORS_CACHE/pkg$nn-"*; do
		if [ ! -d "$old" ] || [ "$old" = "$dir" ]; then continue; fi
		majors_umount_under "$old"
		rm -rf "$old"
	done
	echo "$dir"
}

# A copy of the suite's base chroot with apt configured for the major (majors.sh's rules).
package_new_root() { # major root
	local base
	base=$(majors_base "$(major_suite "$1")") || return 1
	majors_umount_under "$2"
	rm -rf "$2"
	cp -a "$base" "$2" && majors_configure_chroot "$2" "$1"
}

# A package of the major's suite for apt-get install; 15's bare name takes bookworm-security's newer one.
package_from_suite() { # package major
	if [ "$2" = 15 ]; then echo "$1"; else echo "$1/$(major_package_suite "$2")"; fi
}

# Runs apt-get install (or build-dep) in a chroot, quietly, without recommends.
package_apt_in() { # root apt-get-verb args...
	local root=$1
	shift
	majors_in_chroot "$root" sh -c 'apt-get -qq update &&
		DEBIAN_FRONTEND=noninteractive apt-get -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "$@" &&
		apt-get clean' sh "$@"
}

# The build chroot: Build-Depends from debian/control (apt-get build-dep, as a buildd
# resolves them) and the major's own postgresql-server-dev from its suite.
package_build_root() { # major cache-dir
	local nn=$1 root=$2/build
	[ -f "$root.ready" ] && { echo "$root"; return 0; }
	package_new_root "$nn" "$root" || return 1
	mkdir -p "$root/tmp/readscale-deps"
	cp -r "$REPO/debian" "$root/tmp/readscale-deps/"
	cp "$REPO/debian/control.in" "$root/tmp/readscale-deps/debian/control"
	{
		package_apt_in "$root" build-dep /tmp/readscale-deps &&
			package_apt_in "$root" install "$(package_from_suite "postgresql-server-dev-$nn" "$nn")"
	} >"$2/build-root.log" 2>&1 || { tail -20 "$2/build-root.log" >&2; return 1; }
	rm -rf "$root/tmp/readscale-deps"
	touch "$root.ready"
	echo "$root"
}

# The server chroot: the major's server and nothing of ours.
package_server_root() { # major cache-dir
	local nn=$1 root=$2/server
	[ -f "$root.ready" ] && { echo "$root"; return 0; }
	package_new_root "$nn" "$root" || return 1
	# Named with their suite: experimental's postgresql-19 needs experimental's client and libpq5 (as majors.sh).
	# shellcheck disable=SC2046 # one word per package
	package_apt_in "$root" install $(for name in "postgresql-$nn" "postgresql-client-$nn" libpq5; do
		package_from_suite "$name" "$nn"
	done) >"$2/server-root.log" 2>&1 ||
		{ tail -20 "$2/server-root.log" >&2; return 1; }
	touch "$root.ready"
	echo "$root"
}
