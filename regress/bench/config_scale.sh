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


# How long "hafod -n" takes to check a configuration of 1,000, 10,000
# and 100,000 services (BENCH_CONFIG_SIZES to change), generated in a
# temporary directory: every service on one of many interfaces, since a
# vhid is 1-255 per interface, each with an address of its own, and a
# group for every ten services.  hafod -n does not look the interfaces
# up, so they need not exist, and no root is needed.  A figure, not a
# test: the target is 100,000 services in under 2 seconds.

bench=$(cd "$(dirname "$0")" && pwd) || exit 1
HAFOD=$bench/../../obj/bin/hafod
SIZES=${BENCH_CONFIG_SIZES:-1000 10000 100000}

if [ ! -x "$HAFOD" ]; then
	echo "config_scale: $HAFOD is missing: run make first" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/hafod-config.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

generate()
{
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			a = i + 1
			printf "service s%d {\n\tinterface v%d\n\tvhid %d\n" \
			    "\taddress 10.%d.%d.%d/8\n}\n", i, int(i / 255),
			    i % 255 + 1, int(a / 65536) % 256,
			    int(a / 256) % 256, a % 256
		}
		for (i = 0; i + 1 < n; i += 10)
			printf "group g%d {\n\tservice s%d s%d\n}\n", i, i,
			    i + 1
	}'
}

# Seconds since the epoch, to the nanosecond.
now()
{
	date +%s.%N
}

printf '%-10s %-10s %-8s %s\n' services bytes seconds result
for n in $SIZES; do
	generate "$n" > "$work/$n.conf" || exit 1
	start=$(now)
	if "$HAFOD" -n -f "$work/$n.conf" 2> "$work/$n.err"; then
		result=ok
	else
		result="failed: $(head -n 1 "$work/$n.err")"
	fi
	end=$(now)
	printf '%-10s %-10s %-8s %s\n' "$n" \
	    "$(wc -c < "$work/$n.conf" | tr -d ' ')" \
	    "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')" \
	    "$result"
done
