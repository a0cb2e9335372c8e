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

# make demo: a live cluster on this machine, in network namespaces.
# Three nodes and a client on one bridge, hafod on each node, the client
# pinging the virtual address while the master is killed, a node is
# demoted by hand and the old master comes back.  Everything it creates
# (namespaces hfdemoPID-*, processes, a work directory) goes on exit,
# Ctrl-C included.
#
# Environment: DEMO_KEEP=1 keeps the work directory (configs, logs).

if [ "$(id -u)" != 0 ]; then
	echo "make demo: must run as root: it creates network namespaces" \
	    "and runs hafod in them (try: sudo make demo)" >&2
	exit 1
fi

top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
HAFOD=$top/obj/bin/hafod
HAFOCTL=$top/obj/bin/hafoctl
for _b in "$HAFOD" "$HAFOCTL"; do
	if [ ! -x "$_b" ]; then
		echo "make demo: $_b is missing: run make first" >&2
		exit 1
	fi
done
for _t in ip ping awk; do
	if ! command -v "$_t" >/dev/null 2>&1; then
		echo "make demo: $_t is missing: run make deps" >&2
		exit 1
	fi
done

# lib.sh is written for atf-sh; these two are all it needs from it.
atf_fail()
{
	echo "make demo: $*" >&2
	exit 1
}

atf_get_srcdir()
{
	echo "$top/regress/netns"
}

. "$top/regress/netns/lib.sh"

VIP=192.0.2.50
SVC=web
NODES="n1 n2 n3"
work=$(mktemp -d /tmp/hafod-demo.XXXXXX) || exit 1
chmod 755 "$work"
cd "$work" || exit 1
echo "hfdemo$$" > lab.prefix
ping_pid=

demo_name="make demo"
demo_destroy=lab_destroy
. "$top/regress/demolib.sh"

# mac_of NODE: the MAC address of NODE's eth0.  From ip(8), not /sys,
# which shows the host's interfaces to a command that entered only the
# network namespace.
mac_of()
{
	lab_exec "$1" ip -o link show dev eth0 |
	    sed -n 's,.* link/ether \([0-9a-f:]*\) .*,\1,p'
}

node_of()
{
	case $1 in
	192.0.2.200) echo client ;;
	192.0.2.*) echo "n${1##*.}" ;;
	*) echo "$1" ;;
	esac
}

ctl()
{
	_c=$1
	shift
	"$HAFOCTL" -s "$work/$_c.sock" "$@"
}

# outage SINCE: the longest gap between ping replies from SINCE (epoch
# seconds) on, the reply before SINCE included, as "MS UNANSWERED".
outage()
{
	awk -v since="$1" '
	/bytes from/ {
		t = substr($1, 2, length($1) - 2) + 0
		s = $0
		sub(/.*icmp_seq=/, "", s)
		sub(/ .*/, "", s)
		s += 0
		if (t >= since && prev != "" && t - prev > max) {
			max = t - prev
			lost = s - pseq - 1
		}
		prev = t
		pseq = s
	}
	END { printf "%d %d\n", max * 1000, lost }' ping.out
}

# report_outage SINCE AT LABEL: say how long the client was in the dark
# after the event at SINCE (epoch), AT (elapsed).
report_outage()
{
	set -- $(outage "$1") "$2" "$3"
	if [ "$2" -eq 0 ]; then
		say "client: ${B}no ping lost${N}; longest gap between" \
		    "replies $1 ms"
	else
		say "client: ${B}dark for $1 ms${N} (longest gap between" \
		    "replies; $2 pings unanswered)"
	fi
	echo "$3|$4|$1|$2" >> outages
}

epoch()
{
	date +%s.%N
}

# The hook every node runs on promote and demote: it tells "the
# application" (a file here) what became of this node, and hafod logs
# what it prints.
hook_script()
{
	cat > hook.sh <<-EOF
	#!/bin/sh
	# hook.sh NODE: run by hafod on NODE when the service changes hands.
	case \$HAFOD_EVENT in
	promote) what="I am now the primary" ;;
	demote)  what="I am no longer the primary (now \$HAFOD_STATE)" ;;
	*)       what="\$HAFOD_EVENT" ;;
	esac
	echo "\$(date +%T.%3N) replica on \$1: \$what for \$HAFOD_SERVICE" \\
	    "(\$HAFOD_VIPS; was \$HAFOD_PREVIOUS; reason: \$HAFOD_REASON)" \\
	    >> "$work/hooks.out"
	echo "told the application on \$1: \$what"
	EOF
	chmod 755 hook.sh
}

echo "${B}hafod demo${N}: three nodes and a client on one bridge, each in" \
    "its own network namespace."
echo "Work directory $work, namespaces $(lab_prefix)-*;" \
    "all removed on exit or Ctrl-C."

step "Building the lab: bridge, nodes n1 n2 n3, a client"
lab_create 3
for nd in $NODES client; do
	_a=$(lab_exec "$nd" ip -o -4 addr show dev eth0 |
	    awk '{print $4}')
	_m=$(mac_of "$nd")
	say "$(printf '%-7s %-16s MAC %s' "$nd" "$_a" "$_m")"
done

step "Writing a configuration for each node: service $SVC, address $VIP"
hook_script
_skew=0
for nd in $NODES; do
	lab_conf "$nd.conf" "$SVC" 7 "$_skew" "address $VIP/24" \
	    "preempt yes" "on promote \"$work/hook.sh $nd\"" \
	    "on demote \"$work/hook.sh $nd\""
	"$HAFOD" -n -f "$nd.conf" >/dev/null 2>hafod-n.err ||
	    atf_fail "hafod -n rejects $nd.conf: $(cat hafod-n.err)"
	_skew=$((_skew + 10))
done
say "n1.conf (advskew 0: the shortest interval, so n1 is the master):"
indent < n1.conf
say "n2.conf and n3.conf differ in their own socket, state file and hook"
say "argument, and in the interval that ranks them:"
for nd in n2 n3; do
	diff n1.conf "$nd.conf" | sed -n "s/^> .*advskew/$nd.conf: &/p" |
	    sed 's/> 	//' | indent
done
say "hook.sh, which every node runs on promote and demote:"
indent < hook.sh

step "Starting hafod on n1, n2 and n3"
for nd in $NODES; do
	lab_hafod "$nd" "$nd.conf"
done
say "every node listens for one master-down interval (3 x 1 s) first"
wait_for 15 is_state n1 "$SVC" MASTER ||
    atf_fail "no master after 15 s: $(cat n1.log)"
wait_for 5 has_vip n1 "$VIP" || atf_fail "n1 does not hold $VIP"
step "n1 is master and holds $VIP"
for nd in $NODES; do
	wait_for 5 test -S "$nd.sock" || atf_fail "no control socket on $nd"
	say "${B}hafoctl show${N} on $nd:"
	ctl "$nd" show | indent
done

step "The client pings $VIP every 10 ms from now on"
lab_spawn client ping.out ping -n -D -O -i 0.01 "$VIP"
ping_pid=$LAB_PID
sleep 1
_mac=$(lab_exec client ip neigh show "$VIP" dev eth0 | awk '{print $3}')
say "the client's neighbour entry for $VIP: $_mac" \
    "($(mac_of n1) is n1)"

step "Killing master n1 hard: SIGKILL to both processes, link cut"
since=$(epoch) at=$(elapsed)
_p=$(cat n1.pid)
kill -KILL "$_p" $(engine_pid "$_p")
lab_exec n1 ip link set eth0 down
wait_for 10 is_state n2 "$SVC" MASTER ||
    atf_fail "n2 did not take over: $(cat n2.log)"
step "n2 took over"
grep "$SVC: BACKUP -> MASTER" n2.log | tail -n 1 | indent
sleep 0.5
report_outage "$since" "$at" "n1 killed, n2 takes over"
is_state n3 "$SVC" BACKUP && say "n3 stays backup: n2's interval is shorter"
say "${B}hafoctl show service $SVC${N} on n2:"
ctl n2 show service "$SVC" | indent

step "Forced demotion: hafoctl demote $SVC on n2"
since=$(epoch) at=$(elapsed)
_out=$(ctl n2 demote "$SVC" 2>&1) || atf_fail "demote failed: $_out"
echo "$_out" | indent
_new=$(node_of "$(echo "$_out" | sed -n 's/.*master is now \([^ ]*\).*/\1/p')")
is_state "$_new" "$SVC" MASTER ||
    atf_fail "hafoctl names $_new as master, its log does not agree"
step "$_new is master; n2 made way before letting go"
sleep 0.5
report_outage "$since" "$at" "hafoctl demote on n2, $_new takes over"

step "n1 returns: link up, hafod started again"
# The crash left the address on n1; hafod would remove it at start, but
# the link comes up first.
lab_exec n1 ip addr del "$VIP/24" dev eth0 2>/dev/null
lab_exec n1 ip link set eth0 up
mv n1.log n1.log.0
since=$(epoch) at=$(elapsed)
lab_hafod n1 n1.conf
say "n1 listens for 3 s, then preempts: its interval is the shortest"
wait_for 15 is_state n1 "$SVC" MASTER ||
    atf_fail "n1 did not take over again: $(cat n1.log)"
step "n1 is master again"
grep "$SVC: BACKUP -> MASTER" n1.log | tail -n 1 | indent
sleep 0.5
report_outage "$since" "$at" "n1 returns and preempts $_new"
_out=$(ctl n2 undemote "$SVC" 2>&1) || atf_fail "undemote failed: $_out"
say "hafoctl undemote $SVC on n2: $_out"
for nd in $NODES; do
	say "${B}hafoctl show${N} on $nd:"
	ctl "$nd" show | indent
done

step "Hook output: what each node told its application"
grep -q "replica on n2: I am now the primary" hooks.out 2>/dev/null ||
    atf_fail "n2's promote hook did not run: $(cat n2.log)"
sort hooks.out | indent
say "and as hafod logged what the hooks printed:"
grep -h ' hook: told' n1.log.0 n1.log n2.log n3.log | sort | indent

step "Exclusive handover: one primary at a time"
cat > replica.sh <<-EOF
#!/bin/sh
# replica.sh NODE: a replica that takes a moment to start or stop.
echo "\$(date +%T.%3N) replica on \$1: \$HAFOD_EVENT starts" >> "$work/replica.out"
sleep 0.3
echo "\$(date +%T.%3N) replica on \$1: \$HAFOD_EVENT ends" >> "$work/replica.out"
EOF
chmod 755 replica.sh
for nd in $NODES; do
	sed -i "s|$work/hook.sh|$work/replica.sh|; s|^}\$|	handover exclusive\n}|" \
	    "$nd.conf"
	ctl "$nd" reload > /dev/null || atf_fail "reload failed on $nd"
done
say "every node now has ${B}handover exclusive${N} and replica.sh as its hooks:"
say "the address still moves make before break, but the new master's"
say "promote hook waits until the old master's demote hook has ended"
since=$(epoch) at=$(elapsed)
ctl n1 demote "$SVC" | indent
wait_for 10 grep -q "promote ends" replica.out ||
    atf_fail "no promote hook after the handover: $(cat n2.log)"
indent < replica.out
grep -h "$SVC: \(running the promote hook\|promote hook waits\|bowing out\|demote hook finished\)" \
    n1.log n2.log | sort | indent
sleep 0.5
report_outage "$since" "$at" "demote n1, exclusive handover"

kill -INT "$ping_pid" 2>/dev/null
wait "$ping_pid" 2>/dev/null
step "Done"
say "ping: $(grep 'packets transmitted' ping.out)"
say "What the client saw (pings every 10 ms):"
say "$(printf '  %8s  %-40s %8s  %s' at event "dark" "pings lost")"
while IFS='|' read -r _at _what _ms _lost; do
	if [ "$_lost" -eq 0 ]; then
		_ms=0
	fi
	say "$(printf '  %6s s  %-40s %5s ms  %s' "$_at" "$_what" "$_ms" \
	    "$_lost")"
done < outages
say "A crash costs the master-down interval, 3 x (advbase + advskew/256)"
say "s, less the time since the last advertisement; a planned handover"
say "is made before break.  Faster settings: hafod.conf(5); figures:"
say "make bench."
