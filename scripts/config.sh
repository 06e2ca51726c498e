#!/bin/sh
# Without a Kconfig tool: write the defaults of Config.in (and the files
# it sources) to .config, or turn .config into autoconf.h.
#   scripts/config.sh defconfig SRCDIR > .config
#   scripts/config.sh header SRCDIR .config > autoconf.h
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
header)
	conf=$3
	echo "/* Generated from $conf: do not edit. */"
	echo "#ifndef NBDBOX_AUTOCONF_H"
	echo "#define NBDBOX_AUTOCONF_H"
	symbols | while read -r sym def; do
		if grep -q "^CONFIG_$sym=y" "$conf"; then
			echo "#define CONFIG_$sym 1"
			echo "#define ENABLE_$sym 1"
		else
			echo "#define ENABLE_$sym 0"
		fi
	done
	echo "#endif"
	;;
*)
	echo "usage: $0 defconfig|header SRCDIR [.config]" >&2
	exit 2
	;;
esac
