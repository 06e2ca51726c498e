#!/bin/sh
# Without a Kconfig tool: write the defaults of Config.in (and the files
# it sources) to .config, or turn .config into autoconf.h.
#   scripts/config.sh defconfig SRCDIR [PROFILE] > .config
#     (PROFILE: a configs/*_defconfig naming what differs from the defaults)
#   scripts/config.sh header SRCDIR .config > autoconf.h
#   scripts/config.sh make SRCDIR .config > auto.conf (for make)
# Every symbol becomes ENABLE_X (0 or 1), so `if (ENABLE_X)` compiles
# either way, and CONFIG_X when set. A symbol is on when .config (or, if
# .config does not mention it, its default) says y and its `depends on`
# expression (symbols, !, &&, ||, parentheses) holds, as in Kconfig: with
# PLATFORM_LINUX off, NETLINK is off whatever .config says. defconfig,
# like kconfig-conf --alldefconfig, leaves out symbols whose dependencies
# do not hold.
set -eu
mode=$1 src=$2
conf=${3:-/dev/null}

case $mode in
defconfig|header|make) ;;
*)
	echo "usage: $0 defconfig|header|make SRCDIR [.config]" >&2
	exit 2
	;;
esac

kconfig() { # kconfig FILE: FILE with its `source "F"` lines (paths from SRCDIR) expanded
	[ -f "$1" ] || return 0
	while IFS= read -r line; do
		case $line in
		source*)
			f=${line#source}
			f=$(echo $f | tr -d '"')
			kconfig "$src/$f"
			;;
		*) printf '%s\n' "$line" ;;
		esac
	done < "$1"
}

kconfig "$src/Config.in" | awk -v mode="$mode" -v conf="$conf" '
function tok(s,   n) { # split the expression s into T[1..NT]
	gsub(/&&/, " \\& ", s); gsub(/\|\|/, " | ", s)
	gsub(/!/, " ! ", s); gsub(/\(/, " ( ", s); gsub(/\)/, " ) ", s)
	NT = split(s, T, " "); P = 1
}
function e_or(   v) { v = e_and(); while (T[P] == "|") { P++; v = e_and() || v } return v }
function e_and(  v) { v = e_not(); while (T[P] == "&") { P++; v = e_not() && v } return v }
function e_not(  v) {
	if (T[P] == "!") { P++; return !e_not() }
	if (T[P] == "(") { P++; v = e_or(); P++; return v }
	return on(T[P++])
}
function on(s,   want, save, saveP, savent, i, v) { # is symbol s on? (memoized)
	if (s in val) return val[s]
	if (!(s in def)) return 0  # unknown symbols are n, as in Kconfig
	if (s in busy) { print "config.sh: dependency loop at " s > "/dev/stderr"; exit 1 }
	busy[s] = 1
	want = (s in user) ? user[s] : def[s]
	v = want == "y"
	if (v && dep[s] != "") {
		# evaluate in a fresh token list, then restore the caller'"'"'s
		savent = NT; saveP = P
		for (i = 1; i <= NT; i++) save[i] = T[i]
		tok(dep[s]); v = e_or()
		NT = savent; P = saveP
		for (i = 1; i <= NT; i++) T[i] = save[i]
	}
	delete busy[s]
	return val[s] = v
}
BEGIN {
	while ((getline line < conf) > 0) {
		if (match(line, /^CONFIG_[A-Za-z0-9_]+=y$/))
			user[substr(line, 8, length(line) - 9)] = "y"
		else if (match(line, /^# CONFIG_[A-Za-z0-9_]+ is not set$/))
			user[substr(line, 10, length(line) - 9 - 11)] = "n"
	}
}
/^[ \t]*(menu)?config[ \t]/ { sym = $2; order[++n] = sym; def[sym] = "n"; dep[sym] = ""; next }
/^[ \t]*(menu|endmenu|choice|endchoice|if|endif|comment|mainmenu)([ \t]|$)/ { sym = ""; next }
sym != "" && /^[ \t]*default[ \t]+y[ \t]*$/ { def[sym] = "y" }
sym != "" && /^[ \t]*depends[ \t]+on[ \t]/ {
	d = $0; sub(/^[ \t]*depends[ \t]+on[ \t]+/, "", d)
	dep[sym] = dep[sym] == "" ? "(" d ")" : dep[sym] " && (" d ")"
}
END {
	if (mode == "defconfig") print "# nbdbox configuration: defaults from Config.in"
	if (mode == "header") {
		print "/* Generated from " conf ": do not edit. */"
		print "#ifndef NBDBOX_AUTOCONF_H"; print "#define NBDBOX_AUTOCONF_H"
	}
	if (mode == "make") print "# Generated from " conf ": do not edit."
	for (i = 1; i <= n; i++) {
		s = order[i]
		if (mode == "defconfig") {
			# Dependencies unmet: not written, as kconfig-conf does.
			if (dep[s] != "") { tok(dep[s]); if (!e_or()) continue }
			want = (s in user) ? user[s] : def[s]
			print want == "y" ? "CONFIG_" s "=y" : "# CONFIG_" s " is not set"
		} else if (on(s)) {
			if (mode == "make") print "CONFIG_" s "=y"
			else { print "#define CONFIG_" s " 1"; print "#define ENABLE_" s " 1" }
		} else if (mode == "header")
			print "#define ENABLE_" s " 0"
	}
	if (mode == "header") print "#endif"
}'
