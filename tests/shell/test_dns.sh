#!/bin/bash
# Host names: /etc/hosts, and the DNS stub resolver against a nameserver
# of our own on 127.0.0.77:53 (NBDBOX_RESOLV_CONF points at it).
. "$(dirname "$0")/lib.sh"

NS=127.0.0.77

# A tiny authoritative nameserver: nbd.test. -> 127.0.0.1 (A) and ::1
# (AAAA); www.test. -> CNAME nbd.test. + A; slow.test. never answers;
# evil.test. answers with a lying rdlength; everything else NXDOMAIN.
start_nameserver() {
	python3 - "$NS" > "$TMPD/ns.log" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
print("ready", flush=True)
def name_of(m, o):
    labels = []
    while m[o]:
        labels.append(m[o+1:o+1+m[o]].decode()); o += 1 + m[o]
    return ".".join(labels).lower(), o + 1
while True:
    m, peer = s.recvfrom(512)
    qid, = struct.unpack(">H", m[:2])
    name, o = name_of(m, 12)
    qtype, = struct.unpack(">H", m[o:o+2])
    q = m[12:o+4]
    rrs, rcode = [], 0
    def rr(t, data): return b"\xc0\x0c" + struct.pack(">HHIH", t, 1, 60, len(data)) + data
    if name == "slow.test":
        continue
    if name == "nbd.test":
        rrs = [rr(1, bytes([127, 0, 0, 1]))] if qtype == 1 else [rr(28, bytes(15) + b"\x01")]
    elif name == "www.test":
        rrs = [rr(5, b"\x03nbd\x04test\x00")] + ([rr(1, bytes([127, 0, 0, 1]))] if qtype == 1 else [])
    elif name == "evil.test":
        rrs = [b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4000) + b"\x7f\x00\x00\x01"]
    else:
        rcode = 3
    hdr = struct.pack(">HBBHHHH", qid, 0x81, 0x80 | rcode, 1, len(rrs), 0, 0)
    s.sendto(hdr + q + b"".join(rrs), peer)
PY
	save_pid $!
	for _ in $(seq 50); do grep -q ready "$TMPD/ns.log" && return 0; sleep 0.1; done
	cat "$TMPD/ns.log" >&2
	return 1
}

suiteSetUp() {
	start_nbdkit memory 1M || return 1
	KIT=$PORT
	start_nameserver || return 1
	printf 'search test\nnameserver %s\n' "$NS" > "$TMPD/resolv.conf"
	export NBDBOX_RESOLV_CONF=$TMPD/resolv.conf
}

test_localhost_from_hosts() {
	run "$NBDBOX" nbd-probe --size "localhost:$KIT"
	assert_ok
	assert_out 1048576
}

test_dns_a_record() {
	run "$NBDBOX" nbd-probe --size "nbd.test:$KIT"
	assert_ok
	assert_out 1048576
	run "$NBDBOX" nbd-probe --size "nbd://nbd.test:$KIT/"
	assert_ok
}

test_dns_search_domain() {
	run "$NBDBOX" nbd-probe --size "nbd:$KIT"
	assert_ok
	assert_out 1048576
}

test_dns_cname_chain() {
	run "$NBDBOX" nbd-probe --size "www.test:$KIT"
	assert_ok
	assert_out 1048576
}

test_dns_nxdomain() {
	run "$NBDBOX" nbd-probe "nosuch.test:$KIT"
	assert_rc 3
	assert_err_oneline nbd-probe
	assert_err_has "nosuch.test:$KIT: cannot resolve: no such host"
}

test_dns_lying_answer_is_no_answer() {
	run "$NBDBOX" nbd-probe "evil.test:$KIT"
	assert_rc 3
	assert_err_has "evil.test:$KIT: cannot resolve"
}

test_dns_silent_nameserver_times_out() {
	local t0=$SECONDS
	run "$NBDBOX" nbd-probe -T 2 "slow.test:$KIT"
	assert_rc 3
	assert_err_has "slow.test:$KIT: cannot resolve: no answer from the nameservers"
	assertTrue "gave up within the timeout" "[ $((SECONDS - t0)) -le 4 ]"
}

lib_main
