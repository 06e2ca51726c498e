#!/bin/bash
# Build the Debian packages from the tree as it is (the tracked files of
# the working tree, as `git stash create` takes them) in a clean clone:
# dpkg-buildpackage -us -uc -b. The .deb, .changes and .buildinfo files go
# to OUTDIR; the build's log is OUTDIR/build.log.
#   tests/pkg/build.sh OUTDIR [VERSION-SUFFIX]
# With VERSION-SUFFIX (+pkgtest1, say) debian/changelog gets an entry of
# that higher version first (the upgrade test's package).
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
out=$1 suffix=${2:-}
mkdir -p "$out"
out=$(cd "$out" && pwd)
w=$(mktemp -d /var/tmp/nbdbox-build.XXXXXX)
trap 'rm -rf "$w"' EXIT
snap=$(git -C "$TOP" stash create 2> /dev/null || true)
git clone -q "$TOP" "$w/nbdbox"
git -C "$w/nbdbox" checkout -q "${snap:-HEAD}"
cd "$w/nbdbox"
if [ -n "$suffix" ]; then
	v=$(dpkg-parsechangelog -S Version)
	DEBEMAIL=test@localhost dch -v "$v$suffix" -D unstable "Rebuilt from the tree by tests/pkg/build.sh."
fi
if ! dpkg-buildpackage -us -uc -b > "$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	exit 1
fi
mv "$w"/*.deb "$w"/*.changes "$w"/*.buildinfo "$out/"
