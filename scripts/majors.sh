# PostgreSQL majors newer than Debian 12's 15, from Debian's own newer suites.
# Sourced by scripts/test (after lib.sh), not run. Debian's 17-19 binaries need a
# newer glibc, so each major's server runs in a chroot of its suite; our libraries
# are built on the host against that major's extracted postgresql-server-dev-NN.
# Everything is cached under $MAJORS_CACHE, keyed by suite or package version,
# so a second run only checks the (at most 12 h old) package lists.
# shellcheck shell=bash

MAJORS_CACHE=${READSCALE_MAJORS_CACHE:-/var/cache/pg_readscale}
MAJORS_MIRROR=http://deb.debian.org/debian
MAJORS_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# shellcheck disable=SC2034 # read by scripts/test
MAJORS_NEWER=(17 18 19)

# Runs on one machine share the cached chroots (and the servers a run starts in them): take turns.
majors_take_lock() {
	mkdir -p "$MAJORS_CACHE"
	exec 7>"$MAJORS_CACHE/.lock"
	flock 7
}

major_suite() { # major -> the Debian suite its chroot is made of
	# 15 runs on the host; test/package/run checks its Debian package in a bookworm chroot.
	case "$1" in 15) echo bookworm ;; 17) echo trixie ;; 18 | 19) echo sid ;; *) return 1 ;; esac
}

# The suite its packages come from (19 is only in experimental).
major_package_suite() { # major
	case "$1" in 19) echo experimental ;; *) major_suite "$1" ;; esac
}

# Packages for the chroot: the server, and what the TAP tests call (004 compiles a libpq client).
major_chroot_packages() { # major
	local nn=$1 from
	from=$(major_package_suite "$nn")
	echo "postgresql-$nn/$from postgresql-client-$nn/$from libpq5/$from libpq-dev/$from"
	echo "libipc-run-perl make perl g++ pgbouncer haproxy prometheus"
	major_has_wal2json "$nn" && echo "postgresql-$nn-wal2json"
	return 0
}

major_has_wal2json() { # major
	[ "$1" != 19 ]
}

# apt on the host with a private configuration: never the machine's own sources or state.
majors_apt() { # apt-get|apt-cache args...
	local tool=$1 apt=$MAJORS_CACHE/apt
	shift
	"$tool" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/sources.list.d" \
		-o Dir::Etc::PreferencesParts="$apt/preferences.d" -o Dir::State::Lists="$apt/lists" \
		-o Dir::Cache="$apt/cache" -o Dir::State::status="$apt/status" \
		-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

# Refreshes the private package lists when they are missing or older than 12 hours.
majors_lists() {
	local apt=$MAJORS_CACHE/apt
	mkdir -p "$apt/sources.list.d" "$apt/preferences.d" "$apt/lists/partial" "$apt/cache/archives/partial"
	touch "$apt/status"
	cat >"$apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: $MAJORS_MIRROR
		Suites: bookworm-backports trixie sid experimental
		Components: main
		Signed-By: $MAJORS_KEYRING
	EOF
	[ -n "$(find "$apt/lists.stamp" -mmin -720 2>/dev/null)" ] && return 0
	majors_apt apt-get -qq update && touch "$apt/lists.stamp"
}

# The Debian version of a package in one suite, from the private lists.
majors_version_in() { # package suite
	majors_apt apt-cache madison "$1" | awk -F' *[|] *' -v suite=" $2/" 'index($3, suite) { print $2; exit }'
}

# Downloads a package's .deb into a folder (private apt) and prints its path.
majors_download() { # package=version folder
	mkdir -p "$2"
	(cd "$2" && majors_apt apt-get -qq download "$1") >/dev/null || return 1
	ls "$2"/"${1%%=*}"_*.deb
}

# bookworm-backports' debootstrap (knows trixie and sid), run from its extracted package.
majors_debootstrap() { # debootstrap args...
	local version dir
	version=$(majors_version_in debootstrap bookworm-backports)
	dir=$MAJORS_CACHE/debootstrap-$version
	if [ ! -x "$dir/usr/sbin/debootstrap" ]; then
		rm -rf "$dir"
		dpkg -x "$(majors_download "debootstrap=$version" "$dir.deb")" "$dir" || return 1
		rm -rf "$dir.deb"
	fi
	DEBOOTSTRAP_DIR=$dir/usr/share/debootstrap "$dir/usr/sbin/debootstrap" "$@"
}

# A minbase chroot of the suite, made once and copied for each major.
majors_base() { # suite -> prints its folder
	local base=$MAJORS_CACHE/base-$1
	if [ ! -f "$base.ready" ]; then
		majors_umount_under "$base"
		rm -rf "$base"
		majors_debootstrap --variant=minbase --keyring="$MAJORS_KEYRING" "$1" "$base" "$MAJORS_MIRROR" \
			>"$MAJORS_CACHE/base-$1.log" 2>&1 || { tail -20 "$MAJORS_CACHE/base-$1.log" >&2; return 1; }
		touch "$base.ready"
	fi
	echo "$base"
}

# Unmounts whatever is mounted under a folder (deepest first).
majors_umount_under() { # folder
	local target
	findmnt -rn -o TARGET | awk -v dir="$1" '$0 == dir || index($0, dir "/") == 1' | sort -r | while read -r target; do
		umount "$target" || umount -l "$target"
	done
}

# Ends what a chroot run left running (servers of a TAP test killed by a timeout), by pid.
majors_kill_leftovers() { # root
	local link pid
	for link in /proc/[0-9]*/root; do
		[ "$(readlink "$link" 2>/dev/null)" = "$1" ] || continue
		pid=${link#/proc/}
		kill -9 "${pid%/root}" 2>/dev/null
	done
	return 0
}

# proc, dev, dev/pts and dev/shm (PostgreSQL's dynamic shared memory); slaves, so nothing propagates back.
majors_mount() { # root
	local sub
	mount -t proc proc "$1/proc" || return 1
	for sub in /dev /dev/pts /dev/shm; do
		mkdir -p "$1$sub"
		mount --bind "$sub" "$1$sub" && mount --make-rslave "$1$sub" || return 1
	done
}

# Runs a command in the chroot with proc and dev mounted, unmounting afterwards whatever happens.
# MAJORS_BIND: a host folder also mounted at the same path inside (test scratch folders).
majors_in_chroot() { # root command...
	majors_with_mounts "$1" chroot "$1" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "${@:2}"
}

# Runs a host command while the chroot has proc, dev and MAJORS_BIND mounted (it may
# start processes inside: servers), then ends what it left running there and unmounts.
majors_with_mounts() { # root command...
	local root=$1 status
	shift
	if [ -n "${MAJORS_BIND:-}" ]; then
		mkdir -p "$root$MAJORS_BIND" && mount --bind "$MAJORS_BIND" "$root$MAJORS_BIND" || return 1
	fi
	majors_mount "$root" || { majors_umount_under "$root"; return 1; }
	trap 'majors_umount_under "'"$root"'"; exit 130' INT TERM
	"$@"
	status=$?
	majors_kill_leftovers "$root"
	majors_umount_under "$root"
	trap - INT TERM
	return $status
}

# apt inside the chroot: its own suite (plus experimental for 19), no server started, no cluster made.
majors_configure_chroot() { # root major
	local root=$1 nn=$2 suite
	suite=$(major_suite "$nn")
	{
		echo "deb $MAJORS_MIRROR $suite main"
		[ "$(major_package_suite "$nn")" = experimental ] && echo "deb $MAJORS_MIRROR experimental main"
		# bookworm (the package check of 15): the host's server comes from its security updates.
		[ "$suite" = bookworm ] && echo "deb $MAJORS_MIRROR-security bookworm-security main"
	} >"$root/etc/apt/sources.list"
	echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99readscale"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	mkdir -p "$root/etc/postgresql-common"
	echo 'create_main_cluster = false' >"$root/etc/postgresql-common/createcluster.conf"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

majors_install_packages() { # root major
	# shellcheck disable=SC2046 # one word per package
	majors_in_chroot "$1" sh -c 'apt-get -qq update &&
		DEBIAN_FRONTEND=noninteractive apt-get -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold install "$@" &&
		apt-get clean' sh $(major_chroot_packages "$2")
}

# A pg_config for the host that prints the extracted headers and PGXS, and the
# chroot's own install folders (installed with DESTDIR=<chroot>).
majors_pg_config() { # dev-folder major
	local dev=$1 nn=$2 lib=/usr/lib/postgresql/$2
	cat >"$dev/pg_config" <<-EOF
		#!/bin/sh
		# Stand-in pg_config for PostgreSQL $nn headers extracted under $dev.
		for arg in "\$@"; do
		case "\$arg" in
		--pgxs) echo "$dev$lib/lib/pgxs/src/makefiles/pgxs.mk" ;;
		--includedir-server) echo "$dev/usr/include/postgresql/$nn/server" ;;
		--includedir) echo "$dev/usr/include/postgresql" ;;
		--pkgincludedir) echo "$dev/usr/include/postgresql" ;;
		--bindir) echo "$lib/bin" ;;
		--libdir) echo "/usr/lib/x86_64-linux-gnu" ;;
		--pkglibdir) echo "$lib/lib" ;;
		--sharedir) echo "/usr/share/postgresql/$nn" ;;
		--docdir) echo "/usr/share/doc/postgresql-doc-$nn" ;;
		--htmldir) echo "/usr/share/doc/postgresql-doc-$nn/html" ;;
		--mandir) echo "/usr/share/postgresql/$nn/man" ;;
		--localedir) echo "/usr/share/locale" ;;
		--sysconfdir) echo "/etc/postgresql-common" ;;
		--version) echo "PostgreSQL $nn" ;;
		*) echo "pg_config stand-in: unsupported option \$arg" >&2; exit 1 ;;
		esac
		done
	EOF
	chmod 755 "$dev/pg_config"
	# Debian 12's g++ 12 rejects -fexcess-precision=standard for C++; gcc 12 lacks -Wmissing-variable-declarations.
	sed -i -E '/^CXXFLAGS *=/s/ -fexcess-precision=standard//; /^CFLAGS *=/s/ -Wmissing-variable-declarations//' \
		"$dev$lib/lib/pgxs/src/Makefile.global"
}

# Prepares major NN once per Debian version: its chroot with the server installed,
# and postgresql-server-dev-NN extracted on the host (with a stand-in pg_config)
# and in the chroot (pg_regress and the TAP modules run there). Sets MAJOR_DIR.
major_prepare() { # major
	local nn=$1 version dir base deb
	majors_lists || { echo "apt update of the private lists failed" >&2; return 1; }
	version=$(majors_version_in "postgresql-server-dev-$nn" "$(major_package_suite "$nn")")
	[ -n "$version" ] || { echo "no postgresql-server-dev-$nn in $(major_package_suite "$nn")" >&2; return 1; }
	dir=$MAJORS_CACHE/pg$nn-$version
	# shellcheck disable=SC2034 # read by majors_test.sh and scripts/test
	MAJOR_DIR=$dir
	[ -f "$dir/.ready" ] && return 0
	majors_forget_other_versions "$nn" "$dir"
	majors_umount_under "$dir"
	rm -rf "$dir"
	mkdir -p "$dir"
	base=$(majors_base "$(major_suite "$nn")") || return 1
	cp -a "$base" "$dir/root"
	majors_configure_chroot "$dir/root" "$nn"
	majors_install_packages "$dir/root" "$nn" >"$dir/install.log" 2>&1 || { tail -20 "$dir/install.log" >&2; return 1; }
	deb=$(majors_download "postgresql-server-dev-$nn=$version" "$dir/debs") || return 1
	dpkg -x "$deb" "$dir/dev" && dpkg -x "$deb" "$dir/root" || return 1
	# PGXS ships in postgresql-NN on trixie and later: a host copy, whose flags majors_pg_config fixes.
	cp -a "$dir/root/usr/lib/postgresql/$nn/lib/pgxs" "$dir/dev/usr/lib/postgresql/$nn/lib/" || return 1
	majors_pg_config "$dir/dev" "$nn"
	touch "$dir/.ready"
}

# Drops cached folders of the major's older Debian versions.
majors_forget_other_versions() { # major current-dir
	local old
	for old in "$MAJORS_CACHE/pg$1-"*; do
		if [ ! -d "$old" ] || [ "$old" = "$2" ]; then continue; fi
		majors_umount_under "$old"
		rm -rf "$old"
	done
}
