#!/bin/sh
#
# Copyright (c) 2026 The hafod authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# The soak test (make soak): soak.py, whose header says what it does, run
# as the init of a PID namespace of its own, so that every process it
# starts, hafod and the namespaces' holders included, dies with it even
# if it is killed with SIGKILL.  A SIGINT or SIGTERM here is passed on to
# it: it stops hafod, prints its table and exits.

if [ "$(id -u)" != 0 ]; then
	echo "soak: needs root (namespaces, nftables, hafod)" >&2
	exit 1
fi
here=$(cd "$(dirname "$0")" && pwd)

# --kill-child: should this shell and unshare die, soak.py hears SIGTERM.
unshare --pid --fork --mount-proc --kill-child=SIGTERM \
    python3 "$here/soak.py" &
ns=$!

# unshare blocks SIGINT and SIGTERM while it waits: signal its child,
# soak.py, by its PID as seen from here.
forward()
{
	for _pid in $(cat "/proc/$ns/task/$ns/children" 2>/dev/null); do
		kill -TERM "$_pid" 2>/dev/null
	done
}
trap forward INT TERM

# wait returns early when a trapped signal comes; wait again until the
# run has printed its table and exited.
while :; do
	wait "$ns"
	rc=$?
	kill -0 "$ns" 2>/dev/null || break
done
exit "$rc"
