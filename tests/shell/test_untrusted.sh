#!/bin/bash
# What a server says is untrusted: export names, descriptions and error
# texts with newlines, tabs, escape sequences, NUL, invalid UTF-8 and
# shell metacharacters; strings over 4096 bytes; sizes above 2^63-1.
# The server is tests/shell/fake-nbd-evil.py (no real server sends these).
. "$(dirname "$0")/lib.sh"

TAB=$(printf '\t')
EVIL=$TOP/tests/shell/fake-nbd-evil.py

start_evil() { # [MODE]: sets PORT
	PORT=$(free_port)
	python3 "$EVIL" "$PORT" "$@" > "$TMPD/evil.$PORT.log" 2>&1 &
	save_pid $!
	wait_port "$PORT"
}

suiteSetUp() {
	start_evil || return 1
	EV=$PORT
	start_evil long || return 1
	LONGP=$PORT
}

# No byte a terminal or a line reader could misread: C0 but tab and
# newline, DEL, C1 (as UTF-8), bidi and other invisible format
# characters (Unicode category Cf, line/paragraph separators), and
# nothing that is not UTF-8.
assert_clean() { # FILE [allow-tab]
	python3 - "$@" <<'PY' || fail "unsafe bytes in output $(_ctx)"
import sys, unicodedata
b = open(sys.argv[1], "rb").read()
s = b.decode("utf-8")            # strict: raises on invalid UTF-8
bad = [c for c in s if (ord(c) < 0x20 and c not in "\t\n") or 0x7f <= ord(c) <= 0x9f or
       unicodedata.category(c) in ("Cf", "Zl", "Zp")]
sys.exit(1 if bad else 0)
PY
}

test_list_one_line_per_export() {
	run "$NBDBOX" nbd-list "127.0.0.1:$EV"
	assert_ok
	assert_clean "$TMPD/out"
	assertEquals "nine exports, nine lines $(_ctx)" 9 "$(wc -l < "$TMPD/out")"
	# At most one tab a line: the field separator, never a name's tab.
	assertEquals "no extra tabs" "" "$(awk -F'\t' 'NF > 2' "$TMPD/out")"
	assert_out 'plain	a disk
two\x0alines	fake\x09field\x0anext
esc\x1b[2J\x1b]0;pwned\x07	\x1b[31mred
nul\x00byte	d\x00d
bad\xff\xfeutf8	\xc0\xaf\xed\xa0\x80
c1\xc2\x9b2J	del\x7f rlo\xe2\x80\xaeexe.txt
q'"'"'$(touch PWNED)`touch PWNED`	it'"'"'s "$HOME" ;\x0a touch PWNED
big
big63'
}

# The escapes can be undone: \xNN and \\ give the server's bytes back.
test_list_escapes_are_reversible() {
	run "$NBDBOX" nbd-list "127.0.0.1:$EV"
	assert_ok
	keep_out
	run python3 -c '
import re, sys
for line in open(sys.argv[1], "rb").read().split(b"\n")[:-1]:
    name = line.split(b"\t")[0]
    raw = re.sub(rb"\\(x([0-9a-f]{2})|\\)",
                 lambda m: bytes([int(m.group(2), 16)]) if m.group(2) else b"\\", name)
    sys.stdout.write(raw.hex() + "\n")' "$TMPD/kept"
	assert_ok
	assertEquals "name 2" "$(printf 'two\nlines' | od -An -tx1 | tr -d ' \n')" "$(sed -n 2p "$TMPD/out")"
	assertEquals "name 4" "$(printf 'nul\0byte' | od -An -tx1 | tr -d ' \n')" "$(sed -n 4p "$TMPD/out")"
	assertEquals "name 5" "$(printf 'bad\377\376utf8' | od -An -tx1 | tr -d ' \n')" "$(sed -n 5p "$TMPD/out")"
}

# -l: four fields a line, whatever the name; the export with a size no
# block device can hold is a clear error, not a wrapped number.
test_list_long_and_oversize() {
	run "$NBDBOX" nbd-list -l "127.0.0.1:$EV"
	assert_rc 7
	assert_err_oneline nbd-list
	assert_err_has "NBD_OPT_INFO 'big': export size 18446744073709551615 is above 2^63-1"
	assert_clean "$TMPD/out"
	assertEquals "seven exports before it $(_ctx)" 7 "$(wc -l < "$TMPD/out")"
	assertEquals "four fields each" "" "$(awk -F'\t' 'NF != 4' "$TMPD/out")"
	assert_out_lacks 18446744073709551615
	# A NUL inside a name does not cut it (the -l buffer keeps lengths).
	assert_out_has 'nul\x00byte	1048576	flush	d\x00d'
}

test_list_json_is_valid_utf8() {
	run "$NBDBOX" nbd-list --json "127.0.0.1:$EV"
	assert_ok
	keep_out
	# Decoded strictly as UTF-8, then shown as ASCII JSON.
	run python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
for e in d:
    print(json.dumps(e["name"]), json.dumps(e.get("description", "")))' "$TMPD/kept"
	assert_ok
	cat > "$TMPD/want" <<'WANT'
"plain" "a disk"
"two\nlines" "fake\tfield\nnext"
"esc\u001b[2J\u001b]0;pwned\u0007" "\u001b[31mred"
"nul\u0000byte" "d\u0000d"
"bad\ufffd\ufffdutf8" "\ufffd\ufffd\ufffd\ufffd\ufffd"
"c1\u009b2J" "del\u007f rlo\u202eexe.txt"
"q'$(touch PWNED)`touch PWNED`" "it's \"$HOME\" ;\n touch PWNED"
"big" ""
"big63" ""
WANT
	assert_out "$(cat "$TMPD/want")"
}

test_probe_human_cannot_inject_lines() {
	local n
	for n in 'two
lines' "$(printf 'esc\033[2J\033]0;pwned\007')" "$(printf 'bad\377\376utf8')" \
		"$(printf 'c1\302\2332J')"; do
		run "$NBDBOX" nbd-probe -N "$n" "127.0.0.1:$EV"
		assert_ok
		assert_clean "$TMPD/out"
		assertEquals "five lines $(_ctx)" 5 "$(wc -l < "$TMPD/out")"
	done
	assert_out_has 'export: c1\xc2\x9b2J'
	assert_out_has 'description: del\x7f'
}

test_probe_shell_eval_safe() {
	local n="q'\$(touch PWNED)\`touch PWNED\`"
	run "$NBDBOX" nbd-probe --shell -N "$n" "127.0.0.1:$EV"
	assert_ok
	keep_out
	(cd "$TMPD" && eval "$(cat kept)" && [ "$NBD_EXPORT" = "$n" ] &&
	 [ "$NBD_DESCRIPTION" = "it's \"\$HOME\" ;
 touch PWNED" ] && [ "$NBD_SIZE" = 1048576 ])
	assertTrue "eval gives the server's strings back $(_ctx)" $?
	assertFalse "nothing ran" "[ -e $TMPD/PWNED ]"
	# NUL cannot live in a shell variable: left out, the rest kept.
	run "$NBDBOX" nbd-probe --shell -N "$(printf 'two\nlines')" "127.0.0.1:$EV"
	assert_ok
	(eval "$OUT" && [ "$NBD_EXPORT" = "two
lines" ] && [ "$NBD_DESCRIPTION" = "fake${TAB}field
next" ])
	assertTrue "newline and tab kept $(_ctx)" $?
}

test_probe_json_valid() {
	run "$NBDBOX" nbd-probe --json -N "$(printf 'bad\377\376utf8')" "127.0.0.1:$EV"
	assert_ok
	keep_out
	run python3 -c '
import json, sys
d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
print(json.dumps(d["export"]), json.dumps(d["description"]))' "$TMPD/kept"
	assert_out '"bad\ufffd\ufffdutf8" "\ufffd\ufffd\ufffd\ufffd\ufffd"'
}

test_server_error_text_escaped() {
	run "$NBDBOX" nbd-probe -N nosuch "127.0.0.1:$EV"
	assert_rc 4
	assert_err_oneline nbd-probe
	assert_clean "$TMPD/err"
	assert_err_has '(server: "no export \x1b[2J\x0anbd-probe: fake line \xff")'
}

test_size_above_int64_max() {
	local a
	for a in "nbd-probe -N big" "nbd-probe -N big63 --json" "nbd-probe -N big --size" \
		"nbd-attach -N big" "nbd-client -N big"; do
		case $a in nbd-client*) run "$NBDBOX" $a 127.0.0.1 "$EV" /dev/nbd0 ;;
		*) run "$NBDBOX" $a "127.0.0.1:$EV" ;;
		esac
		assert_rc 7 "$a"
		assert_out_empty
		assert_err_oneline "${a%% *}"
		assert_err_has "export size"
		assert_err_has "is above 2^63-1"
	done
}

# proto.md: strings MUST be no longer than 4096 bytes. Longer: a protocol
# error naming it, not a truncated or overflowing value.
test_string_over_4096_is_an_error() {
	run "$NBDBOX" nbd-list "127.0.0.1:$LONGP"
	assert_rc 5
	assert_err_oneline nbd-list
	assert_err_has "NBD_OPT_LIST: NBD_REP_SERVER string longer than 4096 bytes"
	run "$NBDBOX" nbd-probe -N plain "127.0.0.1:$LONGP"
	assert_rc 5
	assert_out_empty
	assert_err_has "NBD_OPT_GO 'plain': NBD_REP_INFO string longer than 4096 bytes"
}

# -C N: every connection after the first must reach the same export (the
# same check guards a --persist reconnect, tests/vm/scenarios/56-*).
test_attach_connections_must_agree() {
	start_evil flip || return 1
	run "$NBDBOX" nbd-attach -C 2 -N plain "127.0.0.1:$PORT"
	assert_rc 4
	assert_err_oneline nbd-attach
	assert_err_has "connection 2: export size 2097152, was 1048576: not handing it to the kernel"
	# Connections 3 and 4 (read-only) of this server next.
	run "$NBDBOX" nbd-attach -C 2 -N plain "127.0.0.1:$PORT"
	assert_rc 4
	assert_err_has "connection 2: export read-only now, was writable"
}

# -T bounds the handshake as a whole, not only each wait in it: a server
# that answers without end, or a byte every 0.3 s (no single wait runs
# out), ends the run T seconds in (exit 3). `timeout 60` turns the old
# behaviour, a run that never ends, into a failure.
test_endless_replies_end_at_the_timeout() {
	start_evil endless || return 1
	run timeout 60 "$NBDBOX" nbd-probe -T 2 -N plain "127.0.0.1:$PORT"
	assert_rc 3
	assert_out_empty
	assert_err_oneline nbd-probe
	assert_err_has "127.0.0.1:$PORT: NBD_OPT_GO 'plain': the handshake is not over after 2000 ms"
}

test_trickling_server_ends_at_the_timeout() {
	start_evil trickle || return 1
	run timeout 60 "$NBDBOX" nbd-list -T 2 "127.0.0.1:$PORT"
	assert_rc 3
	assert_err_oneline nbd-list
	assert_err_has "127.0.0.1:$PORT: NBD_OPT_LIST: the handshake is not over after 2000 ms"
	run timeout 60 "$NBDBOX" nbd-probe -T 2 -N plain "127.0.0.1:$PORT"
	assert_rc 3
	assert_err_has "NBD_OPT_GO 'plain': the handshake is not over after 2000 ms"
}

# nbd-list -l keeps the list until it asks INFO for each: at most 64 MiB
# of it, whatever the server sends in the time -T gives it.
test_list_long_keeps_at_most_64_mib() {
	start_evil flood || return 1
	run timeout 60 "$NBDBOX" nbd-list -l -T 50 "127.0.0.1:$PORT"
	assert_rc 1
	assert_out_empty
	assert_err_oneline nbd-list
	# 8,280 records of 8 + 4096 + 4000 bytes fit in 64 MiB.
	assert_err_has "127.0.0.1:$PORT: NBD_OPT_LIST: over 64 MiB of names after 8280 exports (without -l none are kept)"
}

# The same in transmission: error chunks without the DONE flag, each one
# arriving well within the wait, would hold nbd-copy's READ for ever.
# No more error chunks than the request has bytes (exit 5).
test_endless_error_chunks_end_the_copy() {
	start_evil errflood || return 1
	run timeout 60 "$NBDBOX" nbd-copy --request-size 4096 "nbd://127.0.0.1:$PORT/plain" /dev/null
	assert_rc 5
	assert_err_oneline nbd-copy
	assert_err_has "127.0.0.1:$PORT: NBD_CMD_READ: more error chunks than the request has bytes"
}

lib_main
