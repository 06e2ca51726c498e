#!/bin/bash
# bash completion (contrib/bash-completion/nbdbox), driven as bash drives
# it: installed by make install-completion into a directory that
# bash-completion's loader searches (BASH_COMPLETION_USER_DIR), then
# `complete -p` and the function run with COMP_WORDS/COMP_CWORD set, in a
# fresh bash each time; the candidates are checked.
#   NBDBOX=./nbdbox bash tests/shell/test_completion.sh
# Ends with "completion: N passed, N failed".
. "$(dirname "$0")/lib.sh"

BC=/usr/share/bash-completion/bash_completion

oneTimeSetUp() {
	mkdir -p "$TMPD/bin" "$TMPD/dev"
	ln -s "$NBDBOX" "$TMPD/bin/nbdbox"
	local a
	for a in $("$NBDBOX" --list); do ln -s "$NBDBOX" "$TMPD/bin/$a"; done
	make -C "$TOP" --no-print-directory install-completion DESTDIR="$TMPD/inst" PREFIX=/usr > /dev/null
	# Device nodes for /dev/nbdN completion (block, major 43, as the nbd
	# driver's), and a partition and a non-block file that must not show.
	mknod "$TMPD/dev/nbd0" b 43 0 && mknod "$TMPD/dev/nbd3" b 43 96 &&
		mknod "$TMPD/dev/nbd0p1" b 43 1 && touch "$TMPD/dev/nbd9"
	suite_servers start_nbdkit --filter=exportname memory 16M exportname=alpha \
		exportname=beta exportname-list=explicit
	NAMED=$PORT
	suite_servers start_nbdkit_unix --filter=exportname memory 16M exportname=gamma \
		exportname=delta exportname-list=explicit
	USOCK=$SOCK
}

# [CW=N] comp WORD... : the candidates (sorted, one a line) for the last
# word (or word N), as a shell with bash-completion and our install would
# offer them.
comp() {
	local words
	printf -v words '%q ' "$@"
	env -i PATH="$TMPD/bin:/usr/bin:/bin" HOME="$TMPD" \
		BASH_COMPLETION_USER_DIR="$TMPD/inst/usr/share/bash-completion" \
		NBDBOX_COMP_DEVDIR="$TMPD/dev" NBDTAB="$TMPD/nbdtab" CW="${CW:-}" \
		NBDBOX_COMP_TIMEOUT="${NBDBOX_COMP_TIMEOUT:-}" \
		bash --norc -c '
		. '"$BC"'
		words=('"$words"')
		# the loader finds our file by the command name
		__load_completion "${words[0]}" || exit 3
		spec=$(complete -p "${words[0]}") || exit 4
		f=${spec#*-F }; f=${f%% *}
		COMP_WORDS=("${words[@]}"); COMP_CWORD=${CW:-$((${#words[@]} - 1))}
		COMP_LINE="${words[*]}"; COMP_POINT=${#COMP_LINE}
		"$f" "${words[0]}" "${words[COMP_CWORD]}" "${words[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' 2>&1
}


test_complete_p_every_command() {
	local c out
	for c in nbdbox nbd-list nbd-probe nbd-attach nbd-detach nbd-copy nbd-client; do
		out=$(env -i PATH="$TMPD/bin:/usr/bin:/bin" \
			BASH_COMPLETION_USER_DIR="$TMPD/inst/usr/share/bash-completion" \
			bash --norc -c ". $BC; __load_completion $c; complete -p $c" 2>&1)
		assertEquals "$c" "complete -F _nbdbox $c" "$out"
	done
}

test_applets_after_nbdbox() {
	assertEquals "$({ "$NBDBOX" --list; printf '%s\n' --help --install --list; } | LC_ALL=C sort)" \
		"$(comp nbdbox '' | LC_ALL=C sort)"
	assertEquals "nbd-list" "$(comp nbdbox nbd-l)"
}

test_options_are_the_help_ones() {
	local a
	for a in $("$NBDBOX" --list); do
		assertEquals "$a -<Tab>" "$("$NBDBOX" "$a" --help | help_opts)" "$(comp "$a" -)"
		assertEquals "nbdbox $a -<Tab>" "$("$NBDBOX" "$a" --help | help_opts)" "$(comp nbdbox "$a" -)"
	done
	assertEquals "--dead-timeout" "$(comp nbd-attach --de)"
	assertEquals "--read-only" "$(comp nbd-attach --re)"
	assertEquals "-no-optgo
-nofork
-nonetlink" "$(comp nbd-client -no)"
}

test_export_names_from_the_server() {
	assertEquals "alpha
beta" "$(comp nbd-probe 127.0.0.1 "$NAMED" -N '')"
	# the server after the cursor
	assertEquals "beta" "$(CW=2 comp nbd-attach -N b "127.0.0.1:$NAMED")"
	assertEquals "alpha" "$(CW=5 comp nbdbox nbd-list -T 5 --name a "127.0.0.1:$NAMED")"
	assertEquals "alpha
beta" "$(comp nbd-client 127.0.0.1 "$NAMED" /dev/nbd0 -name '')"
	assertEquals "delta
gamma" "$(comp nbd-probe -u "$USOCK" -N '')"
	# No server on the command line: nothing, and no nbd-list run.
	assertEquals "" "$(comp nbd-probe -N '')"
}

test_export_names_bounded_by_a_timeout() {
	start_silent_listener
	local t0 t1 out
	t0=$(date +%s%N)
	out=$(NBDBOX_COMP_TIMEOUT=1 comp nbd-probe 127.0.0.1 "$PORT" -N '')
	t1=$(date +%s%N)
	assertEquals "" "$out"
	assertTrue "took $(((t1 - t0) / 1000000)) ms" "[ $(((t1 - t0) / 1000000)) -lt 5000 ]"
}

test_devices() {
	assertEquals "$TMPD/dev/nbd0
$TMPD/dev/nbd3" "$(comp nbd-detach '')"
	assertEquals "$TMPD/dev/nbd3" "$(comp nbd-detach "$TMPD/dev/nbd3")"
	assertEquals "$TMPD/dev/nbd0
$TMPD/dev/nbd3" "$(comp nbd-client -d '')"
	assertEquals "$TMPD/dev/nbd0
$TMPD/dev/nbd3" "$(comp nbd-probe /)"
	assertEquals "$TMPD/dev/nbd0
$TMPD/dev/nbd3" "$(comp nbd-attach nbd://127.0.0.1/x /)"
}

test_nbdtab_devices() {
	printf 'nbd0 10.0.0.5 root\n# nbd7 commented\nnbd2 10.0.0.5 swap swap\n' > "$TMPD/nbdtab"
	assertEquals "nbd0
nbd2" "$(comp nbd-attach --tab '')"
}

test_option_values_are_not_options() {
	# After an option that takes a value, no option list.
	assertEquals "" "$(comp nbd-attach -C -)"
}


lib_main
