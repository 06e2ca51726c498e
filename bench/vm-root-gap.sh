#!/bin/sh
# The stall a server restart costs a running network root, from the
# restart boots of tests/vm/root/run.sh (it-3field, it-path, dr-name,
# dr-netroot): the root's init writes "line K UPTIME" and syncs every
# 0.2 s while the host kills nbdkit (SIGKILL) and starts it again 10 s
# later. The longest gap between two lines, minus the 10 s outage, is how
# long I/O stayed stuck after the server was back (plus one loop turn,
# ~0.2-0.4 s under TCG). Writes with sync, not reads: each line needs a
# round trip to the server (journal commit + flush).
#   bench/vm-root-gap.sh [build/vmroot-NAME.lines...]
#   (run `tests/vm/root/run.sh it-3field it-path ...` first)
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- build/vmroot-*.lines
for f in "$@"; do
	[ -s "$f" ] || continue
	awk -v f="${f##*/}" '
	{ t = $3 + 0; if (NR > 1) { g = t - p; gaps[NR] = g; if (g > max) max = g } p = t }
	END {
		# gaps over 5 s are outages: list each one
		n = 0; s = ""
		for (i = 2; i <= NR; i++) if (gaps[i] > 5) { n++; s = s sprintf(" %.2f", gaps[i] - 10) }
		printf "%-28s %3d lines, longest gap %.2f s; outages: %d, gap minus 10 s:%s\n", f, NR, max, n, s
	}' "$f"
done
