#!/bin/sh
# Without a Kconfig tool: write the defaults of Config.in (and the files
# it sources) to .config, or turn .config into autoconf.h.
#   scripts/config.sh defconfig SRCDIR > .config
#   scripts/config.sh header SRCDIR .config > autoconf.h
#   scripts/config.sh make SRCDIR .config > auto.conf (for make)
# Every symbol becomes ENABLE_X (0 or 1), so `if (ENABLE_X)` compiles
# either way, and CONFIG_X when set.
set -eu
mode=$1 src=$2

symbols() { # NAME DEFAULT for every bool in Config.in and its sources
	for f in "$src/Config.in" "$src/applets/Config.in"; do
		[ -f "$f" ] && cat "$f"
	done | awk '
		/^[ \t]*(menu)?config[ \t]/ { if (sym != "") print sym, def; sym = $2; def = "n"; next }
		/^[ \t]*default[ \t]+y/ && sym != "" { def = "y" }
		END { if (sym != "") print sym, def }'
}

case $mode in
defconfig)
	echo "# nbdbox configuration: defaults from Config.in"
	symbols | while read -r sym def; do
		if [ "$def" = y ]; then echo "CONFIG_$sym=y"; else echo "# CONFIG_$sym is not set"; fi
	done
	;;
header|make)
	conf=$3
	[ $mode = header ] && printf '%s\n' "/* Generated from $conf: do not edit. */" \
		"#ifndef NBDBOX_AUTOCONF_H" "#define NBDBOX_AUTOCONF_H"
	[ $mode = make ] && echo "# Generated from $conf: do not edit."
	# A symbol the .config does not mention yet (Config.in grew since)
	# takes its default, as `make oldconfig` would.
	symbols | while read -r sym def; do
		if grep -q "^CONFIG_$sym=y" "$conf" ||
		   { [ "$def" = y ] && ! grep -q "^# CONFIG_$sym is not set" "$conf"; }; then
			if [ $mode = make ]; then echo "CONFIG_$sym=y"; else
				echo "#define CONFIG_$sym 1"; echo "#define ENABLE_$sym 1"; fi
		elif [ $mode = header ]; then
			echo "#define ENABLE_$sym 0"
		fi
	done
	[ $mode = header ] && echo "#endif"
	true
	;;
*)
	echo "usage: $0 defconfig|header SRCDIR [.config]" >&2
	exit 2
	;;
esac
