# Last: no scenario before this one (persist, reconnects, TLS, the relay,
# --alt, a changed export, nbd-detach) met a system call the sandbox
# refuses. Each refusal is logged as "sandbox: refused system call N"; the
# only ones allowed are 57-sandbox's own execve tests (same pid, same N).
# This is how the allow-list of platform/linux/sandbox.c is kept complete.
# init keeps each scenario's kernel log in /tmp/kmsg.all.
kmsg() { cat /tmp/kmsg.all 2>/dev/null; dmesg; }
kmsg | sed -n 's/.*nbd-attach\[\([0-9]*\)\]: .*sandbox: refused system call \([0-9]*\)$/\1 \2/p' |
	sort -u > /tmp/refused
bad=""
while read -r pid nr; do
	kmsg | grep -q "nbd-attach\[$pid\]: .*: execve $nr: " ||
		bad="$bad pid $pid: $nr;"
done < /tmp/refused
if ! kmsg | grep -q "sandbox: refused system call"; then
	skip "" "no resident ran confined in this boot"
elif [ -z "$bad" ]; then
	pass "" "no call refused but 57-sandbox's execve tests ($(wc -l < /tmp/refused) of them)"
else
	fail "" "refused:$bad (add them to platform/linux/sandbox.c if legitimate)"
fi
