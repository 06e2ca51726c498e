# Shared by the bench scripts: free ports, nbdkit in the background,
# killed by saved PID on exit.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NBDBOX=${NBDBOX:-$TOP/nbdbox}
BTMP=$(mktemp -d /tmp/nbdbox-bench.XXXXXX)
PIDS=
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$BTMP"' EXIT
trap 'exit 130' INT TERM

# free_port, port_listening
. "$TOP/tests/ports.sh"

# start_nbdkit ARGS...: sets PORT, NBDKIT_PID
start_nbdkit() {
	local i
	PORT=$(free_port)
	nbdkit -f -i 127.0.0.1 -p "$PORT" "$@" > "$BTMP/nbdkit.$PORT.log" 2>&1 &
	NBDKIT_PID=$!
	PIDS="$PIDS $NBDKIT_PID"
	for ((i = 0; i < 600; i++)); do
		port_listening "$PORT" && return 0
		kill -0 "$NBDKIT_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "nbdkit did not start:" >&2
	cat "$BTMP/nbdkit.$PORT.log" >&2
	return 1
}

stop_nbdkit() { kill "$NBDKIT_PID" 2>/dev/null; wait "$NBDKIT_PID" 2>/dev/null; }

[ -x "$NBDBOX" ] || { echo "build first: $NBDBOX missing" >&2; exit 1; }
