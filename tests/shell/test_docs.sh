#!/bin/bash
# The man pages (doc/*.scd, built with scdoc): each renders without a
# warning (groff -ww -z -man) and has a NAME lexgrog reads; every applet
# has its page; the options of each page are those of the applet's --help
# (the runtime text, whatever declarations it is made from: one in one and
# not the other is a failure); the EXAMPLES run as written
# (tests/shell/docs-examples.sh, root: a network namespace); make
# install-man puts them under MANDIR.
#   NBDBOX=./nbdbox [NBDBOX_TLS=./nbdbox.tls] bash tests/shell/test_docs.sh
# The options are compared on a build with TLS (NBDBOX if it has TLS, else
# NBDBOX_TLS, default ./nbdbox.tls: make tls).
# Ends with "docs: N passed, N failed".
. "$(dirname "$0")/lib.sh"

DOC=${DOC:-$TOP/doc}

oneTimeSetUp() {
	mkdir -p "$TMPD/man" "$TMPD/bin" "$TMPD/work"
	local f
	for f in "$DOC"/*.scd; do
		scdoc < "$f" > "$TMPD/man/$(basename "$f" .scd)" 2> "$TMPD/man/$(basename "$f").err"
	done
	ln -s "$NBDBOX" "$TMPD/bin/nbdbox"
	local a
	for a in $("$NBDBOX" --list); do ln -s "$NBDBOX" "$TMPD/bin/$a"; done
	TLSBIN=$NBDBOX
	if "$NBDBOX" nbd-list --help | grep -q 'built without TLS'; then
		TLSBIN=${NBDBOX_TLS:-$TOP/nbdbox.tls}
	fi
}

# The page of an applet (nbd-client's has another name: Debian's
# nbd-client package owns nbd-client.8).
page_of() {
	case $1 in
	nbdbox) echo "$DOC/nbdbox.1.scd" ;;
	nbd-client) echo "$DOC/nbdbox-nbd-client.8.scd" ;;
	*) ls "$DOC/$1".[0-9].scd 2> /dev/null ;;
	esac
}

# The options a page documents: in its OPTIONS and TLS sections.
page_opts() {
	awk '/^# /{on = ($0 ~ /OPTIONS|TLS/); next} on' "$1" | tr -d '*_' | help_opts
}

test_scdoc_builds_every_page() {
	local f n=0
	for f in "$DOC"/*.scd; do
		n=$((n + 1))
		assertTrue "scdoc $f: $(cat "$TMPD/man/$(basename "$f").err")" \
			"[ -s '$TMPD/man/$(basename "$f" .scd)' ] && [ ! -s '$TMPD/man/$(basename "$f").err' ]"
	done
	assertTrue "at least 9 pages, found $n" "[ $n -ge 9 ]"
}

test_render_without_warnings() {
	local p w
	for p in "$TMPD"/man/*.[1-8]; do
		w=$(groff -ww -z -man "$p" 2>&1)
		assertEquals "groff -ww on $(basename "$p")" "" "$w"
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" 2>&1 > /dev/null)
		assertEquals "man --warnings on $(basename "$p")" "" "$w"
		assertTrue "lexgrog $(basename "$p")" "lexgrog '$p' > /dev/null"
	done
}

test_every_applet_has_a_page() {
	local a p
	for a in nbdbox $("$NBDBOX" --list); do
		p=$(page_of "$a")
		assertTrue "$a has no page in $DOC" "[ -n '$p' ] && [ -f '$p' ]"
	done
	# Sections as the anchors use them: nbd-client (8), nbdtab (5).
	for p in nbdbox.1 nbd-list.1 nbd-probe.1 nbd-copy.1 nbd-attach.8 nbd-detach.8 \
		nbdbox-nbd-client.8 nbdbox-nbdtab.5 nbdbox-root.7; do
		assertTrue "no $p" "[ -f '$DOC/$p.scd' ]"
	done
}

test_options_match_help() {
	local a p h d
	assertFalse "no TLS build to compare with ($TLSBIN): make tls" \
		"'$TLSBIN' nbd-list --help | grep -q 'built without TLS'"
	for a in nbdbox $("$TLSBIN" --list); do
		p=$(page_of "$a")
		[ -n "$p" ] || { fail "$a: no page"; continue; }
		if [ "$a" = nbdbox ]; then h=$("$TLSBIN" --help); else h=$("$TLSBIN" "$a" --help); fi
		d=$(diff <(help_opts <<< "$h") <(page_opts "$p") | grep '^[<>]')
		assertEquals "$a: options only in --help (<) or only in $(basename "$p") (>)" "" "$d"
	done
}

test_option_check_catches_a_missing_option() {
	# The check itself: a page without --wait differs from the help.
	local p=$TMPD/nbd-list.scd
	grep -v 'wait' "$DOC/nbd-list.1.scd" > "$p"
	local d
	d=$(diff <("$TLSBIN" nbd-list --help | help_opts) <(page_opts "$p") | grep '^[<>]')
	assertEquals "< --wait" "$d"
}

# examples PAGE: docs-examples.sh's verdicts, bad ones shown.
examples() {
	( cd "$TMPD/work" && NBDTAB=$TMPD/work/nbdtab \
		bash "$TOP/tests/shell/docs-examples.sh" "$DOC/$1.scd" "$TMPD/bin" "$TMPD/work" ) > "$TMPD/ex.out" 2>&1
	local n
	n=$(grep -cE '^(ok|kernel) ' "$TMPD/ex.out")
	assertFalse "$1: examples that failed: $(cat "$TMPD/ex.out")" "grep -q '^bad ' '$TMPD/ex.out'"
	assertTrue "$1: $2 examples expected, $n ran: $(cat "$TMPD/ex.out")" "[ $n -eq $2 ]"
}

test_examples_run() {
	[ "$(id -u)" = 0 ] || { fail "needs root (a network namespace for 10.0.0.5)"; return; }
	# What the pages say these files hold.
	echo 'nbdroot=10.0.0.5,root,nbd0 ip=dhcp' > "$TMPD/work/cmdline.txt"
	echo 'nbd0 10.0.0.5 root persist' > "$TMPD/work/nbdtab"
	examples nbdbox.1 2
	examples nbd-list.1 3
	examples nbd-probe.1 5
	examples nbd-copy.1 4
	examples nbd-attach.8 4
	examples nbd-detach.8 2
	examples nbdbox-nbd-client.8 4
	# The root page's own command line.
	awk '/^```/{n++; next} n == 3' "$DOC/nbdbox-root.7.scd" > "$TMPD/work/cmdline.txt"
	examples nbdbox-root.7 1
	run env PATH="$TMPD/bin:$PATH" sh -c "cd '$TMPD/work' && nbd-attach --cmdline cmdline.txt --explain"
	assert_out_has "10.0.0.5"
}

test_nbdtab_example_parses() {
	# The nbdtab page's example file: every line as nbd-attach --tab reads it.
	awk '/^# EXAMPLES/{e = 1} e && /^```/{b = !b; next} e && b' "$DOC/nbdbox-nbdtab.5.scd" > "$TMPD/nbdtab"
	local dev n=0
	for dev in $(sed -n 's/^\(nbd[0-9]*\).*/\1/p' "$TMPD/nbdtab"); do
		n=$((n + 1))
		run env NBDTAB="$TMPD/nbdtab" "$NBDBOX" nbd-attach --tab "$dev" --explain
		assert_rc 0 "$dev"
		assert_out_has "nbd-attach"
	done
	assertEquals "devices in the example" 4 "$n"
}

test_nbdtab_options_are_the_tables() {
	# nbdbox-nbdtab(5)'s options: those of the NBDTAB_OPTIONS rows (the one
	# declaration nbdtab.c parses with), and each one nbd-attach --tab
	# takes (sdp and preinit: "not supported", exit 7, as the page says).
	local page src h o line
	page=$(sed -n '/comma-separated:/,/^# EXAMPLES/p' "$DOC/nbdbox-nbdtab.5.scd" |
		grep -oE '\*[a-z_]+=?\*' | tr -d '*=' | LC_ALL=C sort -u)
	h=$(grep -l '^#define NBDTAB_OPTIONS' "$TOP"/core/*.h "$TOP"/core/*/*.h 2> /dev/null | head -n 1)
	src=$(sed -n '/^#define NBDTAB_OPTIONS/,/^$/p' "$h" | grep -oE 'X\("[a-z_]+"' |
		sed -E 's/X\("(.*)"/\1/' | LC_ALL=C sort -u)
	assertNotEquals "no NBDTAB_OPTIONS rows found in core/" "" "$src"
	assertEquals "nbdtab options: the rows (<) and the page (>)" "" \
		"$(diff <(echo "$src") <(echo "$page") | grep '^[<>]')"
	for o in $page; do
		case $o in
		port) line=port=10809 ;; bs) line=bs=4096 ;; timeout) line=timeout=30 ;;
		conns) line=conns=2 ;; *file) line=$o=/etc/nbd/x.pem ;; tlshostname) line=$o=srv ;;
		alt) line=conns=2,readonly,alt=10.0.0.6 ;;
		*) line=$o ;;
		esac
		echo "nbd0 10.0.0.5 root $line" > "$TMPD/tab1"
		run env NBDTAB="$TMPD/tab1" "$TLSBIN" nbd-attach --tab nbd0 --explain
		case $o in
		sdp|preinit) assert_rc 7 "$o" ;;
		*) assert_rc 0 "$o" ;;
		esac
	done
}

test_readme_examples_are_the_pages() {
	# Where the README and a page show the same command, one text: the
	# README's nbd-list example and its output are the page's.
	local page readme
	page=$(awk '/^# EXAMPLES/{e = 1} e && /^```/{b = !b; next} e && b' "$DOC/nbd-list.1.scd" | sed -n '1,3p')
	readme=$(grep -A2 -F '$ nbdbox nbd-list 10.0.0.5' "$TOP/README" | sed 's/^    //; s/nbdbox //')
	assertEquals "README vs nbd-list(1)" "$page" "$readme"
}

test_make_install_man() {
	local d=$TMPD/inst
	run make -C "$TOP" --no-print-directory install-man install-completion DESTDIR="$d" PREFIX=/usr
	assert_ok
	local p
	for p in man1/nbdbox.1 man1/nbd-list.1 man1/nbd-probe.1 man1/nbd-copy.1 \
		man8/nbd-attach.8 man8/nbd-detach.8 man8/nbdbox-nbd-client.8 \
		man5/nbdbox-nbdtab.5 man7/nbdbox-root.7; do
		assertTrue "$p not installed" "[ -f '$d/usr/share/man/$p' ]"
	done
	# No other nbd-client page there: nbd-client.8 is a link to ours.
	assertEquals nbdbox-nbd-client.8 "$(readlink "$d/usr/share/man/man8/nbd-client.8")"
	assertEquals nbdbox-nbdtab.5 "$(readlink "$d/usr/share/man/man5/nbdtab.5")"
	# Another package's page is left alone.
	local o=$TMPD/inst2
	mkdir -p "$o/usr/share/man/man8"
	echo theirs | gzip > "$o/usr/share/man/man8/nbd-client.8.gz"
	run make -C "$TOP" --no-print-directory install-man DESTDIR="$o" PREFIX=/usr
	assert_ok
	assertFalse "nbd-client.8 made beside their page" "[ -e '$o/usr/share/man/man8/nbd-client.8' ]"
	assertEquals theirs "$(zcat "$o/usr/share/man/man8/nbd-client.8.gz")"
	# MANDIR
	run make -C "$TOP" --no-print-directory install-man DESTDIR="$TMPD/inst3" MANDIR=/opt/man
	assert_ok
	assertTrue "MANDIR" "[ -f '$TMPD/inst3/opt/man/man1/nbdbox.1' ]"
}

lib_main
