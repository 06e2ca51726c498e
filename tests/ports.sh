# Free ports and listeners on 127.0.0.1, the one copy for the shell
# suites (tests/shell/lib.sh), the VM host side (tests/vm/host.sh) and
# the benches (bench/common.sh). Sourced (bash).

# A TCP port nobody listens on: the kernel picks one for bind(0).
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Is anything listening on TCP PORT (v4 or v6)? Reads /proc so that it
# does not open a connection the server would have to handle.
port_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }'
}
