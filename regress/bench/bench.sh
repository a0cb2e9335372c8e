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

# make bench: how long the address is dark when a node dies, and what
# hafod costs at idle, on this machine and its real kernel.  Three nodes
# and a client in network namespaces on one bridge (regress/netns/lib.sh);
# probe.py, in the client, pings the virtual addresses every millisecond,
# performs each event itself and reads the wire.  Each figure is min /
# median / max over repeated runs, printed beside the issue's target.
#
# Environment (defaults for the full run; BENCH_QUICK=1 for a trial):
#   BENCH_QUICK=1          3 runs, short windows: about 15 minutes
#   BENCH_RUNS=10          runs of each failover scenario (quick 3)
#   BENCH_SECTIONS=...     any of: fast failover planned splitbrain load
#                          idle scale quorum heartbeat handover bundle
#                          sites (default all, in that order)
#   BENCH_HANDOVER_RUNS=5  runs of each handover mode and event (quick 2)
#   BENCH_PROBE_US=1000    probe interval in microseconds
#   BENCH_STABLE_SECS=30   steady state a fast setting must survive with
#                          no takeover (quick 10)
#   BENCH_FAST="1,1,2 2,2,3 3,3,4 4,4,5 6,6,7 8,8,9 13,13,14 26,26,27"
#                          advskew of n1,n2,n3 tried at advbase 0, fastest
#                          first; the first stable one is "fastest"
#   BENCH_DEFAULT=0,0,1    advskew of n1,n2,n3 at advbase 1
#   BENCH_IDLE_SECS=20     one idle window; BENCH_IDLE_WINDOWS=3 of them
#                          (quick 5 and 2)
#   BENCH_LOAD_SECS=10     one base-load window; BENCH_LOAD_WINDOWS=3
#                          (quick 3 and 2)
#   BENCH_SCALE_RUNS=10    255-service runs (quick 2)
#   BENCH_QUORUM_CUTS=10   partitions of a corosync pair, per quorum
#                          policy (quick 3); 19 s each (fast), 27 s
#                          (strict): 8 minutes, quick under 3
#   BENCH_HB_CPU_SECS=60   CPU window of 50 heartbeats, and of 50 checks
#                          (quick 30)
#   BENCH_BUNDLE_INTERVALS="1 2 3 5 10"
#                          bundle intervals (ms) held under a CPU hog on
#                          every CPU; the first with no state change is
#                          the fastest stable one, used for the fast runs
#   BENCH_BUNDLE_STABLE_SECS=30  each of them (quick 10)
#   BENCH_BUNDLE_LOAD_SECS=10    the capture of the bundle section's wire
#   BENCH_BUNDLE_FAST_SKEWS=0,0,64  advskew of n1,n2,n3 at the fastest
#                          bundle interval (failover and switchover)
#   BENCH_SITES_RUNS=5     site section (sites.sh): kills of the controller
#                          site's local master, and of the whole controller
#                          site (quick 2)
#   BENCH_SITES_CUTS=10    WAN cuts, the role moving back and forth (quick 4)
#   BENCH_SITES_IDLE_SECS=30  what crosses the WAN at idle, per number of
#                          services (quick 10); BENCH_SITES_SCALE="1 50 255"
#   BENCH_STAGGER=0.2      seconds n1 starts before n2 and n3
#   BENCH_RT=10            the probe's SCHED_FIFO priority (0: none)
#   BENCH_KEEP=1           keep the work directory (logs, raw JSON)
# The full run takes about 65 minutes on a 2-CPU machine, 20 of them the
# bundle section and 15 the sites section; QUICK about 23, the bundle
# section 6 of them and the sites section 8.
# Other work on the machine shows in the figures: the table prints the
# load average before and after.

if [ "$(id -u)" != 0 ]; then
	echo "make bench: must run as root: it creates network namespaces" >&2
	exit 1
fi

bench=$(cd "$(dirname "$0")" && pwd) || exit 1
top=$(cd "$bench/../.." && pwd) || exit 1
HAFOD=$top/obj/bin/hafod
HAFOCTL=$top/obj/bin/hafoctl
PROBE=$bench/probe.py
for _b in "$HAFOD" "$HAFOCTL"; do
	if [ ! -x "$_b" ]; then
		echo "make bench: $_b is missing: run make first" >&2
		exit 1
	fi
done
for _t in ip bridge python3 awk; do
	if ! command -v "$_t" >/dev/null 2>&1; then
		echo "make bench: $_t is missing: run make deps" >&2
		exit 1
	fi
done

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	q=1
else
	q=0
fi
pick()
{
	if [ "$q" = 1 ]; then echo "$2"; else echo "$1"; fi
}
RUNS=${BENCH_RUNS:-$(pick 10 3)}
SECTIONS=${BENCH_SECTIONS:-fast failover planned splitbrain load idle scale \
    quorum heartbeat handover bundle sites}
PROBE_US=${BENCH_PROBE_US:-1000}
STABLE_SECS=${BENCH_STABLE_SECS:-$(pick 30 10)}
FAST_CANDIDATES=${BENCH_FAST:-"1,1,2 2,2,3 3,3,4 4,4,5 6,6,7 8,8,9 13,13,14 26,26,27"}
DEFAULT_SKEWS=${BENCH_DEFAULT:-0,0,1}
IDLE_SECS=${BENCH_IDLE_SECS:-$(pick 20 5)}
IDLE_WINDOWS=${BENCH_IDLE_WINDOWS:-$(pick 3 2)}
LOAD_SECS=${BENCH_LOAD_SECS:-$(pick 10 3)}
LOAD_WINDOWS=${BENCH_LOAD_WINDOWS:-$(pick 3 2)}
SCALE_RUNS=${BENCH_SCALE_RUNS:-$(pick 10 2)}
HB_CPU_SECS=${BENCH_HB_CPU_SECS:-$(pick 60 30)}
BUNDLE_CANDIDATES=${BENCH_BUNDLE_INTERVALS:-"1 2 3 5 10"}
BUNDLE_STABLE_SECS=${BENCH_BUNDLE_STABLE_SECS:-$STABLE_SECS}
BUNDLE_LOAD_SECS=${BENCH_BUNDLE_LOAD_SECS:-10}
BUNDLE_FAST_SKEWS=${BENCH_BUNDLE_FAST_SKEWS:-0,0,64}
STAGGER=${BENCH_STAGGER:-0.2}
# The probe runs at a real-time priority, so that its own scheduling
# delays do not pass for outages; BENCH_RT=0 turns that off.
RT=${BENCH_RT:-10}
NODES="n1 n2 n3"

atf_fail()
{
	echo "make bench: $*" >&2
	exit 1
}

atf_get_srcdir()
{
	echo "$top/regress/netns"
}

. "$top/regress/netns/lib.sh"
. "$bench/quorum.sh"
. "$bench/sites.sh"

work=$(mktemp -d /tmp/hafod-bench.XXXXXX) || exit 1
chmod 755 "$work"
cd "$work" || exit 1
echo "hfbench$$" > lab.prefix
: > rows

cleanup()
{
	trap - EXIT INT TERM
	cd "$work" 2>/dev/null || return
	quorum_cleanup
	sites_cleanup
	hog_stop
	lab_destroy
	cd / || return
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "make bench: logs and raw figures kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'echo "make bench: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

T0=$(date +%s)
note()
{
	printf '[%4ds] %s\n' $(($(date +%s) - T0)) "$*" >&2
}

# ---- numbers ---------------------------------------------------------

# stats FILE: "min median max" of the numbers in FILE, "-" for none.
stats()
{
	grep -E '^-?[0-9.]+$' "$1" 2>/dev/null | sort -g | awk '
	{ v[NR] = $1 }
	END {
		if (NR == 0) { print "- - -"; exit }
		if (NR % 2) m = v[(NR + 1) / 2]
		else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", f(v[1]), f(m), f(v[NR])
	}
	function f(x) {
		if (x == int(x)) return sprintf("%d", x)
		if (x < 10 && x > -10) return sprintf("%.3g", x)
		return sprintf("%.1f", x)
	}'
}

count_of()
{
	grep -cE '^-?[0-9.]+$' "$1" 2>/dev/null
}

# row SECTION WHAT SETTING FILE UNIT TARGET VERDICT
row()
{
	set -- "$1" "$2" "$3" "$(stats "$4")" "$(count_of "$4")" "$5" \
	    "$6" "$7"
	echo "$1|$2|$3|$4|$5|$6|$7|$8" >> rows
}

# verdict FILE OP LIMIT [median|max]: "ok" or "MISSED".
verdict()
{
	set -- "$(stats "$1")" "$2" "$3" "${4:-median}"
	awk -v s="$1" -v op="$2" -v lim="$3" -v which="$4" 'BEGIN {
		split(s, a, " ")
		x = which == "max" ? a[3] : a[2]
		if (x == "-") { print "n/a"; exit }
		ok = op == "<=" ? x <= lim + 0 : x < lim + 0
		print ok ? "ok" : "MISSED"
	}'
}

# within FILE LOW HIGH: "ok" if every figure lies between the two.
within()
{
	set -- "$(stats "$1")" "$2" "$3"
	awk -v s="$1" -v lo="$2" -v hi="$3" 'BEGIN {
		split(s, a, " ")
		if (a[1] == "-") { print "n/a"; exit }
		ok = a[1] >= lo + 0 && a[3] <= hi + 0
		print (ok ? "ok" : "MISSED")
	}'
}

# phase SECONDS ADVBASE ADVSKEW: SECONDS plus a random point of one
# interval, so that events do not always fall at the same point of the
# master's advertising and the runs sample every possible outage.
phase()
{
	awk -v b="$1" -v i="$(calc "($2 * 256 + $3) / 256")" \
	    -v seed="$(date +%N)" 'BEGIN {
		srand(seed % 2147483647)
		printf "%.6f\n", b + rand() * i
	}'
}

calc()
{
	awk "BEGIN { printf \"%.6f\", $* }"
}

# ---- the lab ---------------------------------------------------------

vip()
{
	echo "198.18.$(($1 / 256)).$(($1 % 256))"
}

# vips N: the first N virtual addresses, comma-separated.
vips()
{
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "%s198.18.%d.%d", (i > 1 ? "," : ""),
			    int(i / 256), i % 256
	}'
}

# A second subnet for the virtual addresses, so that 255 of them fit; each
# host has its own address in it first, so the virtual ones are secondary
# and removing one leaves the others.
lab_setup()
{
	lab_create 3
	# A switch filters nothing, and nobody here looks for a router: the
	# wire then carries only what the nodes' daemons send.
	lab_nsexec "$(lab_ns sw)" sysctl -qw \
	    net.bridge.bridge-nf-call-iptables=0 \
	    net.bridge.bridge-nf-call-ip6tables=0 \
	    net.bridge.bridge-nf-call-arptables=0 2>/dev/null
	for _ln in sw $NODES client; do
		lab_nsexec "$(lab_ns "$_ln")" sh -c 'for f in \
		    /proc/sys/net/ipv6/conf/*/router_solicitations; do
			echo 0 > "$f"; done'
	done
	for _ln in $NODES; do
		lab_exec "$_ln" ip addr add "198.18.255.${_ln#n}/16" dev eth0
	done
	lab_exec client ip addr add 198.18.255.200/16 dev eth0
	for _ln in $NODES client; do
		# ip(8), not /sys: that shows the host's interfaces here.
		eval "mac_$_ln=$(lab_exec "$_ln" ip -o link show dev eth0 |
		    sed -n 's,.* link/ether \([0-9a-f:]*\) .*,\1,p')"
	done
}

# node_conf NODE ADVBASE ADVSKEW NSERVICES: and NODE_GLOBAL, a line for
# the top with @NODE@ for the node, and NODE_SERVICE, one for every
# service with @I@ for its number, where set.
node_conf()
{
	{
		echo "user \"nobody\""
		echo "chroot \"$work/empty\""
		echo "socket \"$work/$1.sock\""
		echo "state \"$work/$1.state\""
		echo "password \"hafod-bench\""
		echo "advbase $2"
		echo "advskew $3"
		[ -n "${NODE_GLOBAL:-}" ] && echo "$NODE_GLOBAL" |
		    sed "s,@NODE@,$1,g"
		awk -v n="$4" -v extra="${NODE_SERVICE:-}" 'BEGIN {
			for (i = 1; i <= n; i++) {
				e = extra
				gsub(/@I@/, i, e)
				printf "service s%d {\n\tinterface eth0\n\t" \
				    "vhid %d\n\taddress 198.18.%d.%d/16\n%s}\n",
				    i, i, int(i / 256), i % 256,
				    e != "" ? "\t" e "\n" : ""
			}
		}'
	} > "$1.conf"
}

# start TAG ADVBASE SKEWS NSERVICES: hafod on every node, logs in
# TAG-NODE.log (NODE.log links to it).  n1 starts STAGGER seconds before
# the others: with n1 and n2 at the same interval, the one that listens
# out its master-down interval first is master, and it must be n1.
start()
{
	_s_tag=$1 _s_base=$2 _s_nsvc=$4
	set -- $(echo "$3" | tr , ' ')
	mkdir -p empty
	for _sn in $NODES; do
		node_conf "$_sn" "$_s_base" "$1" "$_s_nsvc"
		shift
	done
	START_NS=$(date +%s%N)
	for _sn in $NODES; do
		# nsenter execs hafod: $! is hafod's own PID.
		nsenter --net="/run/netns/$(lab_ns "$_sn")" "$HAFOD" -d \
		    -f "$_sn.conf" > "$_s_tag-$_sn.log" 2>&1 &
		echo "$!" > "$_sn.pid"
		echo "$!" >> lab.pids
		ln -sf "$_s_tag-$_sn.log" "$_sn.log"
		[ "$_sn" = n1 ] && sleep "$STAGGER"
	done
}

# converged NSERVICES: every service has n1 as master, n2 and n3 as
# backups, and n1 holds every address.
converged()
{
	_c_got=$(awk '
	BEGIN { for (i = 1; i < ARGC; i++) id[ARGV[i]] = i }
	$2 == "engine:" && $5 == "->" {
		s = $3; sub(/:$/, "", s); st = $6; sub(/:$/, "", st)
		state[id[FILENAME], s] = st; svc[s] = 1
	}
	END {
		n = 0
		for (s in svc)
			if (state[1, s] == "MASTER" && state[2, s] == "BACKUP" &&
			    state[3, s] == "BACKUP")
				n++
		print n
	}' n1.log n2.log n3.log)
	[ "$_c_got" -eq "$1" ] || return 1
	[ "$(lab_exec n1 ip -o -4 addr show dev eth0 to 198.18.0.0/16 |
	    grep -vc 198.18.255.)" -eq "$1" ]
}

# converged_on NODE NSERVICES: NODE's last state of every service is
# MASTER.
converged_on()
{
	_o_got=$(awk '
	$2 == "engine:" && $5 == "->" {
		s = $3; sub(/:$/, "", s); st = $6; sub(/:$/, "", st)
		state[s] = st
	}
	END { n = 0; for (s in state) if (state[s] == "MASTER") n++; print n }' \
	    "$1.log")
	[ "$_o_got" -eq "$2" ]
}

# Times of day in seconds, as hafod's log has them (local time).
now_sod()
{
	date +%H:%M:%S.%N |
	    awk -F: '{ printf "%.6f\n", $1 * 3600 + $2 * 60 + $3 }'
}

epoch_sod()
{
	date -d "@$1" +%H:%M:%S.%N |
	    awk -F: '{ printf "%.6f\n", $1 * 3600 + $2 * 60 + $3 }'
}

# transitions LOG FROM TO: state changes logged between two times of day.
transitions()
{
	awk -v a="$2" -v b="$3" '
	$2 == "engine:" && $5 == "->" {
		split($1, t, ":"); x = t[1] * 3600 + t[2] * 60 + t[3]
		if (x >= a && x < b) n++
	}
	END { print n + 0 }' "$1"
}

# last_transition LOGS...: time of day of the last state change.
last_transition()
{
	awk '$2 == "engine:" && $5 == "->" {
		split($1, t, ":"); x = t[1] * 3600 + t[2] * 60 + t[3]
		if (x > m) m = x
	} END { printf "%.3f\n", m }' "$@"
}

# stop: every hafod gone, addresses and neighbours cleared, links up.
stop()
{
	for _xn in $NODES; do
		[ -f "$_xn.pid" ] || continue
		_x_p=$(cat "$_xn.pid")
		kill -KILL "$_x_p" $(engine_pid "$_x_p") 2>/dev/null
		wait "$_x_p" 2>/dev/null
		rm -f "$_xn.pid" "$_xn.sock"
	done
	: > lab.pids
	for _xn in $NODES; do
		ip -n "$(lab_ns sw)" link set "$_xn" up
		bridge -n "$(lab_ns sw)" link set dev "$_xn" isolated off
		lab_exec "$_xn" ip link set eth0 up
		lab_exec "$_xn" ip addr flush dev eth0 to 198.18.0.0/24
	done
	lab_exec client ip neigh flush dev eth0
}

# probe OUT ARGS...: probe.py in the client.
probe()
{
	_pr_out=$1
	shift
	lab_exec client python3 "$PROBE" probe --interval-us "$PROBE_US" \
	    --rt "$RT" "$@" > "$_pr_out" || atf_fail "probe failed: $*"
}

get()
{
	python3 "$PROBE" get "$@"
}

event_time()
{
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["event"])' "$1"
}

# master_down_ms ADVBASE SKEW: a backup's master-down interval.
master_down_ms()
{
	echo $((3 * ($1 * 256 + $2) * 1000 / 256))
}

interval_ms()
{
	calc "($1 * 256 + $2) * 1000 / 256"
}

setting()
{
	echo "advbase $1, advskew $(echo "$2" | tr , /)"
}

nth()
{
	echo "$2" | cut -d, -f"$1"
}

# ---- failover --------------------------------------------------------

# failover KIND TAG ADVBASE SKEWS NSERVICES RUN: one run; KIND is kill,
# demote or term.  Appends a figure to TAG.gap, .lost, .garp, .spurious,
# .converge.
failover()
{
	_f_kind=$1 _f_tag=$2 _f_base=$3 _f_skews=$4 _f_nsvc=$5 _f_run=$6
	_f_md=${FAILOVER_MD_MS:-$(master_down_ms "$_f_base" \
	    "$(nth 2 "$_f_skews")")}
	start "$_f_tag-$_f_run" "$_f_base" "$_f_skews" "$_f_nsvc"
	if ! wait_for $((_f_md / 1000 + 30)) converged "$_f_nsvc"; then
		note "$_f_tag run $_f_run: n1 is not master of all; skipped"
		echo 1 >> "$_f_tag.setupfail"
		stop
		return 1
	fi
	awk -v a="$(epoch_sod "$(calc "$START_NS / 1e9")")" \
	    -v b="$(last_transition n1.log n2.log n3.log)" \
	    'BEGIN { print (b - a) * 1000 }' >> "$_f_tag.converge"
	sleep 1
	_f_p=$(cat n1.pid)
	case $_f_kind in
	kill)	set -- --event "kill:$_f_p,$(engine_pid "$_f_p")" \
		    --event "linkdown:$(lab_ns sw):n1" ;;
	term)	set -- --event "term:$_f_p" ;;
	demote)	set -- --event "exec:$HAFOCTL -s $work/n1.sock demote all" ;;
	esac
	if [ "$_f_nsvc" -gt 1 ]; then
		_f_targets=$(vip 1),$(vip $(((_f_nsvc + 1) / 2))),$(vip "$_f_nsvc")
	else
		_f_targets=$(vip 1)
	fi
	_f_at=$(phase 1 "$_f_base" "$(nth 1 "$_f_skews")")
	_f_from=$(now_sod)
	probe "$_f_tag-$_f_run.json" --target "$_f_targets" \
	    --garp "$(vips "$_f_nsvc")" --event-at "$_f_at" \
	    --duration "$(calc "$_f_at + $_f_md / 1000 + 1")" "$@"
	# The log has milliseconds: what it stamps with the event's own
	# millisecond may have come after it.
	_f_ev=$(epoch_sod "$(event_time "$_f_tag-$_f_run.json")")
	if ! wait_for 10 converged_on n2 "$_f_nsvc"; then
		note "$_f_tag run $_f_run: n2 is not master of all"
		echo 1 >> "$_f_tag.nottaken"
	fi
	_f_sp=0
	for _fn in $NODES; do
		_f_sp=$((_f_sp + $(transitions "$_fn.log" "$_f_from" \
		    "$(calc "$_f_ev - 0.001")")))
	done
	echo "$_f_sp" >> "$_f_tag.spurious"
	_f_j=$_f_tag-$_f_run.json
	if [ "$(get "$_f_j" event_rc)" != 0 ]; then
		note "$_f_tag run $_f_run: the event failed:" \
		    "$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["event_output"])' "$_f_j")"
	fi
	get "$_f_j" max_gap_ms >> "$_f_tag.gap"
	get "$_f_j" max_gap_before_ms >> "$_f_tag.jitter"
	get "$_f_j" lost >> "$_f_tag.lost"
	get "$_f_j" garp_last_ms >> "$_f_tag.garp"
	get "$_f_j" garp_settled_ms >> "$_f_tag.settled"
	get "$_f_j" garp_multi >> "$_f_tag.multi"
	_f_macs=$(get "$_f_j" garp_macs)
	[ "$_f_macs" = "$mac_n2" ] ||
	    note "$_f_tag run $_f_run: $(get "$_f_j" garp_multi) addresses" \
	    "announced by $_f_macs (n2 is $mac_n2), settled on" \
	    "$(get "$_f_j" garp_final_macs) after" \
	    "$(get "$_f_j" garp_settled_ms) ms"
	note "$_f_tag run $_f_run: gap $(get "$_f_j" max_gap_ms) ms," \
	    "lost $(get "$_f_j" lost), announce $(get "$_f_j" garp_last_ms)" \
	    "ms, $_f_sp early state changes"
	stop
	return 0
}

# scenario KIND TAG ADVBASE SKEWS NSERVICES RUNS
scenario()
{
	rm -f "$2".*
	_sc_i=1
	while [ "$_sc_i" -le "$6" ]; do
		failover "$1" "$2" "$3" "$4" "$5" "$_sc_i"
		_sc_i=$((_sc_i + 1))
	done
}

# stable ADVBASE SKEWS SECONDS: no state change in SECONDS of steady
# state, with the probe running as during the measurements.
stable()
{
	start "stable-$2" "$1" "$2" 1
	if ! wait_for 10 converged 1; then
		stop
		return 1
	fi
	sleep 0.5
	_b_from=$(now_sod)
	probe "stable-$2.json" --target "$(vip 1)" --duration "$3"
	_b_to=$(now_sod)
	_b_sp=0
	for _bn in $NODES; do
		_b_sp=$((_b_sp + $(transitions "$_bn.log" "$_b_from" "$_b_to")))
	done
	note "advbase $1 advskew $2: $_b_sp state changes in $3 s," \
	    "longest gap $(get "stable-$2.json" max_gap_ms) ms"
	stop
	[ "$_b_sp" -eq 0 ]
}

section_fast()
{
	FAST=
	for _fa_c in $FAST_CANDIDATES; do
		if stable 0 "$_fa_c" "$STABLE_SECS"; then
			FAST=$_fa_c
			break
		fi
	done
	if [ -z "$FAST" ]; then
		note "no advbase 0 setting was stable; using the slowest"
		FAST=$_fa_c
	fi
	echo "$FAST" > fast.setting
	note "fastest stable setting: $(setting 0 "$FAST")"
}

fast_setting()
{
	[ -f fast.setting ] || section_fast >&2
	cat fast.setting
}

# Outage target: 15 ms median; 3 intervals + 5 ms at most.
section_failover()
{
	_sf_fs=$(fast_setting)
	scenario kill udef 1 "$DEFAULT_SKEWS" 1 "$RUNS"
	scenario kill ufast 0 "$_sf_fs" 1 "$RUNS"
	_sf_bound=$(calc "3 * $(interval_ms 0 "$(nth 2 "$_sf_fs")") + 5")
	_sf_def=$(setting 1 "$DEFAULT_SKEWS")
	_sf_set=$(setting 0 "$_sf_fs")
	row "Unplanned failover: SIGKILL + link cut at once" \
	    "outage (longest gap)" "$_sf_def" udef.gap ms \
	    "keepalived 2900, ucarp 3500-4500" "-"
	row "" "time to announce" "$_sf_def" udef.garp ms "" "-"
	row "" "outage (longest gap)" "$_sf_set" ufast.gap ms \
	    "median <= 15, max <= $(printf %.1f "$_sf_bound")" \
	    "$(verdict ufast.gap '<=' 15) $(verdict ufast.gap '<=' \
	    "$_sf_bound" max)"
	row "" "time to announce" "$_sf_set" ufast.garp ms "" "-"
	cat udef.jitter ufast.jitter > ujitter 2>/dev/null
	row "" "longest gap before the kill (jitter)" "both" ujitter ms \
	    "1 (the probe interval)" "-"
	cat udef.spurious ufast.spurious > uspurious 2>/dev/null
	row "" "state changes before the kill" "both" uspurious "" "0" \
	    "$(verdict uspurious '<=' 0 max)"
}

section_planned()
{
	_pl_fs=$(fast_setting)
	for _pl_k in demote term; do
		scenario "$_pl_k" "p$_pl_k-def" 1 "$DEFAULT_SKEWS" 1 "$RUNS"
		scenario "$_pl_k" "p$_pl_k-fast" 0 "$_pl_fs" 1 "$RUNS"
	done
	for _pl_k in demote term; do
		if [ "$_pl_k" = demote ]; then
			_pl_t="Planned switchover: hafoctl demote"
		else
			_pl_t="Planned switchover: SIGTERM of the master"
		fi
		for _pl_v in def fast; do
			if [ "$_pl_v" = def ]; then
				_pl_set=$(setting 1 "$DEFAULT_SKEWS")
			else
				_pl_set=$(setting 0 "$_pl_fs")
			fi
			_pl_f=p$_pl_k-$_pl_v
			row "$_pl_t" "probes lost at 1 kHz" "$_pl_set" \
			    "$_pl_f.lost" probes "0 (keepalived: ~7 ms dark)" \
			    "$(verdict "$_pl_f.lost" '<=' 0 max)"
			row "" "longest gap" "$_pl_set" "$_pl_f.gap" ms \
			    "median < 1 at worst" "-"
			row "" "time to announce" "$_pl_set" "$_pl_f.garp" ms \
			    "" "-"
			_pl_t=""
		done
	done
	cat p*-def.jitter p*-fast.jitter > pjitter 2>/dev/null
	row "" "longest gap before the event (jitter)" "all four" pjitter ms \
	    "1 (the probe interval)" "-"
}

# Split brain: n1 and n2 cannot hear each other (isolated bridge ports;
# the client and n3 hear both) until n2 is master too; then n1's port
# joins again.  Measured: from the join to n2 stepping down (its log),
# and to the first gratuitous ARP, which must be n1's.
splitbrain_run()
{
	_sb_tag=$1 _sb_base=$2 _sb_skews=$3 _sb_run=$4
	_sb_md=$(master_down_ms "$_sb_base" "$(nth 2 "$_sb_skews")")
	start "$_sb_tag-$_sb_run" "$_sb_base" "$_sb_skews" 1
	if ! wait_for $((_sb_md / 1000 + 30)) converged 1; then
		note "$_sb_tag run $_sb_run: n1 is not master; skipped"
		stop
		return 1
	fi
	bridge -n "$(lab_ns sw)" link set dev n1 isolated on
	bridge -n "$(lab_ns sw)" link set dev n2 isolated on
	if ! wait_for $((_sb_md / 1000 + 10)) is_state n2 s1 MASTER; then
		note "$_sb_tag run $_sb_run: n2 did not claim while isolated"
		stop
		return 1
	fi
	# n2's own announcements (3, 1 s apart) end first.
	sleep 2.5
	_sb_at=$(phase 0.5 "$_sb_base" "$(nth 1 "$_sb_skews")")
	probe "$_sb_tag-$_sb_run.json" --target "$(vip 1)" --garp "$(vip 1)" \
	    --event-at "$_sb_at" \
	    --duration "$(calc "$_sb_at + $_sb_md / 1000 + 1")" \
	    --event "join:$(lab_ns sw):n1"
	_sb_ev=$(epoch_sod "$(event_time "$_sb_tag-$_sb_run.json")")
	if ! wait_for 5 is_state n2 s1 BACKUP; then
		note "$_sb_tag run $_sb_run: n2 still master after the join"
		stop
		return 1
	fi
	is_state n1 s1 MASTER || note "$_sb_tag run $_sb_run: n1 is not master"
	awk -v ev="$_sb_ev" '$2 == "engine:" && $4 == "MASTER" &&
	    $6 == "BACKUP:" {
		split($1, t, ":"); x = t[1] * 3600 + t[2] * 60 + t[3]
		if (x >= ev - 0.001 && !done) {
			d = (x - ev) * 1000
			print (d < 0 ? 0 : d)
			done = 1
		}
	}' n2.log >> "$_sb_tag.heal"
	_sb_j=$_sb_tag-$_sb_run.json
	if [ "$(get "$_sb_j" garp_macs)" = "$mac_n1" ]; then
		get "$_sb_j" garp_first_ms >> "$_sb_tag.garp"
	else
		note "$_sb_tag run $_sb_run: first GARP after the join from" \
		    "$(get "$_sb_j" garp_macs)"
	fi
	note "$_sb_tag run $_sb_run: one master after" \
	    "$(tail -n 1 "$_sb_tag.heal") ms, n1 announced after" \
	    "$(get "$_sb_j" garp_first_ms) ms; longest gap" \
	    "$(get "$_sb_j" max_gap_ms) ms"
	stop
}

section_splitbrain()
{
	_ss_fs=$(fast_setting)
	rm -f sb-def.* sb-fast.*
	_ss_i=1
	while [ "$_ss_i" -le "$RUNS" ]; do
		splitbrain_run sb-def 1 "$DEFAULT_SKEWS" "$_ss_i"
		splitbrain_run sb-fast 0 "$_ss_fs" "$_ss_i"
		_ss_i=$((_ss_i + 1))
	done
	_ss_i1=$(interval_ms 1 "$(nth 1 "$DEFAULT_SKEWS")")
	_ss_if=$(interval_ms 0 "$(nth 1 "$_ss_fs")")
	_ss_def=$(setting 1 "$DEFAULT_SKEWS")
	_ss_set=$(setting 0 "$_ss_fs")
	row "Split brain healed (the link returns)" "one master again after" \
	    "$_ss_def" sb-def.heal ms "<= 1 interval ($(printf %.1f \
	    "$_ss_i1"))" "$(verdict sb-def.heal '<=' "$_ss_i1" max)"
	row "" "winner's GARP seen by the client" "$_ss_def" sb-def.garp ms \
	    "right after" "-"
	row "" "one master again after" "$_ss_set" sb-fast.heal ms \
	    "<= 1 interval ($(printf %.1f "$_ss_if"))" \
	    "$(verdict sb-fast.heal '<=' "$_ss_if" max)"
	row "" "winner's GARP seen by the client" "$_ss_set" sb-fast.garp ms \
	    "right after" "-"
}

# ---- base load and idle cost ------------------------------------------

# steady TAG ADVBASE SKEWS NSERVICES: start the nodes and wait until n1
# is master of every service; if it never is, say so and stop them.
steady()
{
	rm -f "$1".*
	start "$@"
	if ! wait_for 60 converged "$4"; then
		note "$1: n1 is not master of all; skipped"
		stop
		return 1
	fi
}

# load TAG ADVBASE SKEWS NSERVICES
load()
{
	_ld_tag=$1 _ld_nsvc=$4
	steady "$@" || return 1
	# The new master's announcements (3, 1 s apart) are not steady state.
	sleep 3
	_ld_w=1
	while [ "$_ld_w" -le "$LOAD_WINDOWS" ]; do
		lab_exec client python3 "$PROBE" count --duration "$LOAD_SECS" \
		    > "$_ld_tag-$_ld_w.json" || atf_fail "count failed"
		python3 - "$_ld_tag-$_ld_w.json" "$_ld_nsvc" "$_ld_tag" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		n, tag, secs = int(sys.argv[2]), sys.argv[3], d["duration"]
		carp = d["kinds"].get("carp", {"packets": 0, "bytes": 0})
		other = sum(v["packets"] for k, v in d["kinds"].items()
		            if k != "carp")
		for ext, v in (("pps", carp["packets"] / secs / n),
		               ("bps", carp["bytes"] / secs / n),
		               ("other", other / secs),
		               ("senders", len(d["sources"]))):
		    with open(tag + "." + ext, "a") as f:
		        print("%.4f" % v, file=f)
		EOF
		_ld_w=$((_ld_w + 1))
	done
	note "$_ld_tag: $(stats "$_ld_tag.pps") CARP packets/s per service," \
	    "$(stats "$_ld_tag.other") other packets/s"
	stop
}

section_load()
{
	_sl_fs=$(fast_setting)
	_sl_def=$(setting 1 "$DEFAULT_SKEWS")
	_sl_set=$(setting 0 "$_sl_fs")
	load load1 1 "$DEFAULT_SKEWS" 1
	load load100 1 "$DEFAULT_SKEWS" 100
	load loadf 0 "$_sl_fs" 1
	_sl_rf=$(calc "256 / $(nth 1 "$_sl_fs")")
	_sl_t="Base load on the wire, per service (frames without FCS)"
	for _sl_x in "load1 1 1" "load100 100 1" "loadf 1 $_sl_rf"; do
		set -- $_sl_x
		if [ "$1" = loadf ]; then _sl_s=$_sl_set; else _sl_s=$_sl_def; fi
		row "$_sl_t" "CARP packets/s per service ($2 svc)" "$_sl_s" \
		    "$1.pps" pkt/s "$(printf %.1f "$3") (one per interval)" \
		    "$(within "$1.pps" "$(calc "$3 * 0.98")" \
		    "$(calc "$3 * 1.02")")"
		row "" "CARP bytes/s per service ($2 svc)" "$_sl_s" "$1.bps" \
		    B/s "$(printf %.0f "$(calc "$3 * 70")") (70-byte frames)" "-"
		row "" "other packets/s, all nodes ($2 svc)" "$_sl_s" \
		    "$1.other" pkt/s "0 (nothing else)" \
		    "$(verdict "$1.other" '<=' 0 max)"
		_sl_t=""
	done
}

# The hafod processes of a node: parent and engine.
pids_of()
{
	_q_p=$(cat "$1.pid")
	echo "$_q_p $(engine_pid "$_q_p")"
}

# cpu_ticks NODE: utime + stime, in clock ticks, of the node's hafod.
cpu_ticks()
{
	for _t_p in $(pids_of "$1"); do
		sed 's/^.*) //' "/proc/$_t_p/stat"
	done | awk '{ t += $12 + $13 } END { print t + 0 }'
}

# cpu_ns NODE: the same from schedstat, in nanoseconds.
cpu_ns()
{
	for _u_p in $(pids_of "$1"); do
		cat "/proc/$_u_p/schedstat"
	done | awk '{ t += $1 } END { printf "%.0f\n", t }'
}

# engine_ns NODE: the CPU time of the node's engine alone, nanoseconds.
engine_ns()
{
	awk '{ print $1 }' "/proc/$(engine_pid "$(cat "$1.pid")")/schedstat"
}

# mem_kb NODE FIELD: VmRSS or RssAnon from status, or Pss from
# smaps_rollup, summed over the node's hafod processes.
mem_kb()
{
	for _r_p in $(pids_of "$1"); do
		cat "/proc/$_r_p/status" "/proc/$_r_p/smaps_rollup"
	done | awk -v f="$2:" '$1 == f { t += $2 } END { print t + 0 }'
}

# idle TAG ADVBASE SKEWS NSERVICES
idle()
{
	_id_tag=$1
	steady "$@" || return 1
	sleep 3
	_id_hz=$(getconf CLK_TCK)
	_id_from=$(now_sod)
	_id_w=1
	while [ "$_id_w" -le "$IDLE_WINDOWS" ]; do
		for _in in $NODES; do
			eval "_id_t0_$_in=$(cpu_ticks "$_in")"
			eval "_id_n0_$_in=$(cpu_ns "$_in")"
		done
		_id_e0=$(engine_ns n1)
		_id_a=$(date +%s%N)
		sleep "$IDLE_SECS"
		_id_b=$(date +%s%N)
		_id_secs=$(calc "($_id_b - $_id_a) / 1e9")
		# The master's engine alone: what the wire format changes.
		{
			calc "($(engine_ns n1) - $_id_e0) / 1e9 /" \
			    "$_id_secs * 60"
			echo
		} >> "$_id_tag.engm"
		for _in in $NODES; do
			eval "_id_t0=\$_id_t0_$_in _id_n0=\$_id_n0_$_in"
			if [ "$_in" = n1 ]; then _id_r=m; else _id_r=b; fi
			{
				calc "($(cpu_ticks "$_in") - $_id_t0) / $_id_hz /" \
				    "$_id_secs * 60"
				echo
			} >> "$_id_tag.tick$_id_r"
			{
				calc "($(cpu_ns "$_in") - $_id_n0) / 1e9 /" \
				    "$_id_secs * 60"
				echo
			} >> "$_id_tag.ns$_id_r"
			for _id_m in VmRSS:rss Pss:pss RssAnon:anon; do
				{
					calc "$(mem_kb "$_in" "${_id_m%:*}") / 1024"
					echo
				} >> "$_id_tag.${_id_m#*:}"
			done
		done
		_id_w=$((_id_w + 1))
	done
	_id_sp=0
	for _in in $NODES; do
		_id_sp=$((_id_sp + $(transitions "$_in.log" "$_id_from" \
		    "$(now_sod)")))
	done
	echo "$_id_sp" > "$_id_tag.spurious"
	idle_own "$_id_tag"
	note "$_id_tag: master $(stats "$_id_tag.nsm") CPU-s/min," \
	    "backups $(stats "$_id_tag.nsb"), RSS $(stats "$_id_tag.rss")" \
	    "MiB, $_id_sp state changes"
	stop
}

# idle_own TAG: the master's cost with nobody else on the switch.  veth
# delivers synchronously: the kernel forwards each advertisement through
# the bridge and into every other namespace, up to their sockets, in the
# softirq of the sender's system call, and a kernel without
# IRQ_TIME_ACCOUNTING bills all of it to the sender.  With the other
# ports down the bridge has nowhere to send: what is left is hafod's own
# work and its transmit path, as with a real network card.  The backups
# take over meanwhile; the section ends with this window.
idle_own()
{
	for _io_p in n2 n3 client; do
		lab_nsexec "$(lab_ns sw)" ip link set "$_io_p" down
	done
	sleep 1
	_io_n0=$(cpu_ns n1)
	_io_a=$(date +%s%N)
	sleep "$IDLE_SECS"
	_io_b=$(date +%s%N)
	calc "($(cpu_ns n1) - $_io_n0) / 1e9 / (($_io_b - $_io_a) / 1e9) * 60" \
	    > "$1.own"
	echo >> "$1.own"
	for _io_p in n2 n3 client; do
		lab_nsexec "$(lab_ns sw)" ip link set "$_io_p" up
	done
}

section_idle()
{
	_si_def=$(setting 1 "$DEFAULT_SKEWS")
	# About 100 advertisements per second: advbase 0 advskew 2 is 128/s.
	_si_hot=2,2,3
	for _si_n in 1 50 100 255; do
		idle "idle$_si_n" 1 "$DEFAULT_SKEWS" "$_si_n"
	done
	idle idlehot 0 "$_si_hot" 50
	_si_first="Idle cost per node: parent + engine, steady state"
	for _si_x in 1 50 100 255 hot; do
		_si_tag=idle$_si_x
		if [ "$_si_x" = hot ]; then
			_si_set="$(setting 0 "$_si_hot"), 128/s" _si_n=50
		else
			_si_set=$_si_def _si_n=$_si_x
		fi
		_si_tc="" _si_tr="" _si_vc="-" _si_vr="-" _si_vb="-" _si_vp="-"
		_si_lim=""
		if [ "$_si_x" = 50 ]; then
			_si_lim=0.03
			_si_tc="< 0.03" _si_tr="< 4"
			_si_vc=$(verdict idle50.nsm '<' 0.03 max)
			_si_vb=$(verdict idle50.nsb '<' 0.03 max)
			_si_vr=$(verdict idle50.rss '<' 4 max)
			_si_vp=$(verdict idle50.pss '<' 4 max)
		elif [ "$_si_x" = hot ]; then
			_si_lim=2.25
			_si_tc="< 2.25 (1/4 of keepalived's 15%)"
			_si_vc=$(verdict idlehot.nsm '<' 2.25 max)
			_si_vb=$(verdict idlehot.nsb '<' 2.25 max)
		fi
		cat "$_si_tag.tickm" "$_si_tag.tickb" > "$_si_tag.tick" \
		    2>/dev/null
		row "$_si_first" "CPU-s/min, master ($_si_n svc)" "$_si_set" \
		    "$_si_tag.nsm" s/min "$_si_tc" "$_si_vc"
		row "" "CPU-s/min, backups ($_si_n svc)" "$_si_set" \
		    "$_si_tag.nsb" s/min "$_si_tc" "$_si_vb"
		row "" "  same from /proc/PID/stat, all nodes" "$_si_set" \
		    "$_si_tag.tick" s/min "" "-"
		_si_vo="-"
		[ -n "$_si_lim" ] &&
		    _si_vo=$(verdict "$_si_tag.own" '<' "$_si_lim" max)
		row "" "  master, nobody else on the switch" "$_si_set" \
		    "$_si_tag.own" s/min "$_si_tc" "$_si_vo"
		row "" "resident, VmRSS ($_si_n svc)" "$_si_set" \
		    "$_si_tag.rss" MiB "$_si_tr" "$_si_vr"
		row "" "  proportional, Pss ($_si_n svc)" "$_si_set" \
		    "$_si_tag.pss" MiB "$_si_tr" "$_si_vp"
		row "" "  private, RssAnon ($_si_n svc)" "$_si_set" \
		    "$_si_tag.anon" MiB "" "-"
		if [ "$_si_x" = hot ]; then
			awk '{ printf "%.6f\n", $1 * 100 / 128 }' idlehot.nsm \
			    > idlehot.nsm100
			row "" "CPU-s/min, master, scaled to 100/s" "$_si_set" \
			    idlehot.nsm100 s/min "< 2.25" \
			    "$(verdict idlehot.nsm100 '<' 2.25 max)"
		fi
		row "" "state changes while idle ($_si_n svc)" "$_si_set" \
		    "$_si_tag.spurious" "" "0" \
		    "$(verdict "$_si_tag.spurious" '<=' 0 max)"
		_si_first=""
	done
}

# ---- scale -----------------------------------------------------------

section_scale()
{
	rm -f scale.*
	_sk_i=1
	while [ "$_sk_i" -le "$SCALE_RUNS" ]; do
		failover kill scale 1 "$DEFAULT_SKEWS" 255 "$_sk_i"
		_sk_i=$((_sk_i + 1))
	done
	_sk_set=$(setting 1 "$DEFAULT_SKEWS")
	_sk_single=$(stats udef.gap | cut -d' ' -f2)
	row "Scale: 255 services on one interface, 3 nodes" \
	    "one master of each, from start" "$_sk_set" scale.converge ms \
	    "(one master-down: 3000)" "-"
	if [ "$_sk_single" != "-" ]; then
		_sk_lim=$(calc "1.5 * $_sk_single")
		row "" "longest outage (3 of 255 probed)" "$_sk_set" scale.gap \
		    ms "<= $(printf %.0f "$_sk_lim") (1.5 x single median)" \
		    "$(verdict scale.gap '<=' "$_sk_lim")"
	else
		row "" "longest outage (3 of 255 probed)" "$_sk_set" scale.gap \
		    ms "1.5 x single median (not run)" "-"
	fi
	row "" "last of 255 first GARPs" "$_sk_set" scale.garp ms "" "-"
	row "" "all 255 settled on the new master" "$_sk_set" scale.settled \
	    ms "" "-"
	row "" "addresses also claimed by n3" "$_sk_set" scale.multi "" "0" \
	    "$(verdict scale.multi '<=' 0 max)"
	row "" "state changes before the kill" "$_sk_set" scale.spurious "" \
	    "0" "$(verdict scale.spurious '<=' 0 max)"
}

# ---- heartbeat -------------------------------------------------------

# hb_senders PERIOD NSERVICES: on every node an application that renews
# heartbeats app1..appN every PERIOD seconds; NODE.app is its PID.  It
# runs before hafod starts, as an application would, so that the first
# heartbeat comes at once and the start is not a race of interpreters.
hb_senders()
{
	cat > hb_send.py <<-'EOF'
	import socket, sys, time
	path, period, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	names = [n.encode() for n in names]
	open(path + ".ready", "w").close()
	while True:
	    for n in names:
	        try:
	            s.sendto(n, path)
	        except OSError:
	            pass
	    time.sleep(period)
	EOF
	for _hn in $NODES; do
		python3 hb_send.py "$work/$_hn.hb" "$1" \
		    $(seq 1 "$2" | sed 's/^/app/') &
		echo "$!" > "$_hn.app"
		echo "$!" >> lab.pids
	done
	for _hn in $NODES; do
		wait_for 10 test -f "$work/$_hn.hb.ready" ||
		    atf_fail "the heartbeat sender of $_hn did not start"
	done
}

hb_senders_stop()
{
	for _hn in $NODES; do
		[ -f "$_hn.app" ] || continue
		kill -CONT "$(cat "$_hn.app")" 2>/dev/null
		kill -KILL "$(cat "$_hn.app")" 2>/dev/null
		wait "$(cat "$_hn.app")" 2>/dev/null
		rm -f "$_hn.app" "$work/$_hn.hb.ready"
	done
}

# hb_failover KIND RUN: n1's application frozen (stop) or killed (kill)
# at a random point; from then to n2's first announcement of the
# address, and the longest gap the client saw.
hb_failover()
{
	_hf_kind=$1 _hf_run=$2 _hf_tag=hb$1
	_hf_fs=$(fast_setting)
	_hf_md=$(master_down_ms 0 "$(nth 2 "$_hf_fs")")
	NODE_GLOBAL="heartbeat socket \"$work/@NODE@.hb\""
	NODE_SERVICE="heartbeat app@I@ ttl 100ms weight 100"
	hb_senders 0.02 1
	start "$_hf_tag-$_hf_run" 0 "$_hf_fs" 1
	NODE_GLOBAL= NODE_SERVICE=
	if ! wait_for 30 converged 1; then
		note "$_hf_tag run $_hf_run: n1 is not master; skipped"
		hb_senders_stop
		stop
		return 1
	fi
	sleep 1
	case $_hf_kind in
	stop)	_hf_sig=STOP ;;
	kill)	_hf_sig=KILL ;;
	esac
	_hf_at=$(phase 1 0 "$(nth 1 "$_hf_fs")")
	probe "$_hf_tag-$_hf_run.json" --target "$(vip 1)" --garp "$(vip 1)" \
	    --event-at "$_hf_at" --event "exec:kill -$_hf_sig $(cat n1.app)" \
	    --duration "$(calc "$_hf_at + 0.1 + $_hf_md / 1000 + 1")"
	_hf_j=$_hf_tag-$_hf_run.json
	wait_for 5 converged_on n2 1 ||
	    note "$_hf_tag run $_hf_run: n2 is not master"
	get "$_hf_j" garp_first_ms >> "$_hf_tag.garp"
	get "$_hf_j" max_gap_ms >> "$_hf_tag.gap"
	_hf_macs=$(get "$_hf_j" garp_macs)
	[ "$_hf_macs" = "$mac_n2" ] ||
	    note "$_hf_tag run $_hf_run: announced by $_hf_macs," \
	    "n2 is $mac_n2"
	note "$_hf_tag run $_hf_run: n2 announced after" \
	    "$(get "$_hf_j" garp_first_ms) ms," \
	    "gap $(get "$_hf_j" max_gap_ms) ms"
	hb_senders_stop
	stop
}

# cpu_all NODE: utime + stime of parent and engine, and that of the
# children the parent reaped (checks), in clock ticks.
cpu_all()
{
	for _ca_p in $(pids_of "$1"); do
		sed 's/^.*) //' "/proc/$_ca_p/stat"
	done | awk '{ t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}

# hb_cpu TAG LINE: n1's CPU over HB_CPU_SECS with 50 services that each
# have LINE.
hb_cpu()
{
	_hc_tag=$1
	NODE_GLOBAL="heartbeat socket \"$work/@NODE@.hb\""
	NODE_SERVICE=$2
	[ "$_hc_tag" = hbcpu ] && hb_senders 0.05 50
	steady "$_hc_tag" 1 "$DEFAULT_SKEWS" 50
	_hc_ok=$?
	NODE_GLOBAL= NODE_SERVICE=
	if [ "$_hc_ok" != 0 ]; then
		hb_senders_stop
		return 1
	fi
	sleep 3
	_hc_hz=$(getconf CLK_TCK)
	_hc_t0=$(cpu_ticks n1) _hc_c0=$(cpu_all n1)
	_hc_a=$(date +%s%N)
	sleep "$HB_CPU_SECS"
	_hc_b=$(date +%s%N)
	_hc_secs=$(calc "($_hc_b - $_hc_a) / 1e9")
	{
		calc "($(cpu_ticks n1) - $_hc_t0) / $_hc_hz / $_hc_secs * 60"
		echo
	} >> "$_hc_tag.own"
	{
		calc "($(cpu_all n1) - $_hc_c0) / $_hc_hz / $_hc_secs * 60"
		echo
	} >> "$_hc_tag.all"
	note "$_hc_tag: n1 $(cat "$_hc_tag.own") CPU-s/min," \
	    "$(cat "$_hc_tag.all") with reaped children"
	hb_senders_stop
	stop
}

section_heartbeat()
{
	rm -f hbstop.* hbkill.* hbcpu.* hbcheck.*
	_sh_i=1
	while [ "$_sh_i" -le "$RUNS" ]; do
		hb_failover stop "$_sh_i"
		hb_failover kill "$_sh_i"
		_sh_i=$((_sh_i + 1))
	done
	hb_cpu hbcpu "heartbeat app@I@ ttl 100ms weight 100"
	hb_cpu hbcheck 'check "true" every 1 timeout 1'
	_sh_set="$(setting 0 "$(fast_setting)"), ttl 100 ms"
	_sh_u=$(stats ufast.gap | cut -d' ' -f2)
	if [ "$_sh_u" != "-" ]; then
		_sh_t="<= $(printf %.0f "$(calc "100 + $_sh_u")")"
		_sh_t="$_sh_t (ttl + unplanned)"
	else
		_sh_t="ttl + unplanned (not run)"
	fi
	row "Application heartbeat: the application stops, n2 takes over" \
	    "frozen (SIGSTOP): to n2's announcement" "$_sh_set" hbstop.garp \
	    ms "$_sh_t" "-"
	row "" "  longest gap at the client" "$_sh_set" hbstop.gap ms "" "-"
	row "" "killed (SIGKILL): to n2's announcement" "$_sh_set" \
	    hbkill.garp ms "$_sh_t" "-"
	row "" "  longest gap at the client" "$_sh_set" hbkill.gap ms "" "-"
	_sh_d=$(setting 1 "$DEFAULT_SKEWS")
	row "Cost of 50 services watched, master, parent + engine" \
	    "CPU-s/min, one 100 ms heartbeat each" "$_sh_d, 20/s each" \
	    hbcpu.own s/min "" "-"
	row "" "CPU-s/min, one check a second each" "$_sh_d" hbcheck.own \
	    s/min "" "-"
	row "" "  the same with the checks' own CPU" "$_sh_d" hbcheck.all \
	    s/min "" "-"
}

# ---- handover: from the event to the new promote hook ------------------

# promoted_twice: the first master's promote hook and its successor's.
promoted_twice()
{
	[ "$(wc -l < promote.log)" -ge 2 ]
}

# handover_run MODE KIND RUN: one service, MODE overlap, exclusive or
# fence (exclusive with a fence hook that exits 0), hook timeout 2; KIND
# demote (hafoctl demote on n1) or kill (n1's hafod SIGKILLed).  Appends
# the milliseconds from the event to the start of the new master's
# promote hook to ho-MODE-KIND.ms.
handover_run()
{
	_hr_m=$1 _hr_k=$2 _hr_tag=ho-$1-$2
	rm -f promote.log
	printf '#!/bin/sh\ndate +%%s%%N >> %s/promote.log\n' "$work" \
	    > ho-promote.sh
	chmod +x ho-promote.sh
	_hr_l="hook timeout 2\n\ton promote \"$work/ho-promote.sh\""
	_hr_l="$_hr_l\n\ton demote \"true\""
	case $_hr_m in
	exclusive)	_hr_l="$_hr_l\n\thandover exclusive" ;;
	fence)		_hr_l="$_hr_l\n\thandover exclusive\n\ton fence \"true\"" ;;
	esac
	NODE_SERVICE=$_hr_l start "$_hr_tag-$3" 1 "$DEFAULT_SKEWS" 1
	if ! wait_for 30 converged 1 ||
	    ! wait_for 10 test -s promote.log; then
		note "$_hr_tag run $3: n1 is not master; skipped"
		stop
		return 1
	fi
	sleep 1
	_hr_t0=$(date +%s%N)
	case $_hr_k in
	demote)	"$HAFOCTL" -s "$work/n1.sock" demote s1 > /dev/null ;;
	kill)	_hr_p=$(cat n1.pid)
		kill -KILL "$_hr_p" $(engine_pid "$_hr_p")
		ip -n "$(lab_ns sw)" link set n1 down ;;
	esac
	if wait_for 30 promoted_twice; then
		awk -v a="$_hr_t0" -v b="$(sed -n 2p promote.log)" \
		    'BEGIN { printf "%d\n", (b - a) / 1e6 }' >> "$_hr_tag.ms"
	else
		note "$_hr_tag run $3: no new promote hook within 30 s"
	fi
	stop
}

section_handover()
{
	_ho_runs=${BENCH_HANDOVER_RUNS:-$(pick 5 2)}
	rm -f ho-*.ms
	for _ho_m in overlap exclusive fence; do
		for _ho_k in demote kill; do
			_ho_i=1
			while [ "$_ho_i" -le "$_ho_runs" ]; do
				handover_run "$_ho_m" "$_ho_k" "$_ho_i"
				_ho_i=$((_ho_i + 1))
			done
		done
	done
	_ho_set=$(setting 1 "$DEFAULT_SKEWS")
	_ho_t="Handover: from the event to the new promote hook's start"
	_ho_t="$_ho_t (hook timeout 2 s)"
	for _ho_m in overlap exclusive fence; do
		case $_ho_m in
		overlap)	_ho_w="overlap" ;;
		exclusive)	_ho_w="exclusive" ;;
		fence)		_ho_w="exclusive, fence exits 0" ;;
		esac
		row "$_ho_t" "$_ho_w: hafoctl demote" "$_ho_set" \
		    "ho-$_ho_m-demote.ms" ms "" "-"
		row "" "$_ho_w: master killed" "$_ho_set" \
		    "ho-$_ho_m-kill.ms" ms "" "-"
		_ho_t=""
	done
}

# ---- bundle: the bundle format beside CARP (issue #15) -------------------

# A CPU hog per CPU, for "stable on a busy machine": plain shell loops at
# the daemons' own priority, started and stopped by PID.
hog_start()
{
	: > hog.pids
	for _hg in $(seq 1 "$(nproc)"); do
		sh -c 'while :; do :; done' &
		echo "$!" >> hog.pids
		echo "$!" >> lab.pids
	done
}

hog_stop()
{
	[ -f hog.pids ] || return 0
	while read -r _hg_p; do
		kill -KILL "$_hg_p" 2>/dev/null
		wait "$_hg_p" 2>/dev/null
	done < hog.pids
	rm -f hog.pids
}

# bundle_service MS: the service lines of a bundle service at MS ms
# (awk -v makes the newline and tab of node_conf's NODE_SERVICE).
bundle_service()
{
	printf '%s\n' 'protocol bundle\n\tinterval '"$1"'ms'
}

# bstable MS: one bundle service at MS ms on three nodes, a CPU hog on
# every CPU and the probe running, BUNDLE_STABLE_SECS long; the state
# changes meanwhile go to bstable-MS.changes.
bstable()
{
	_bs_ms=$1
	NODE_SERVICE=$(bundle_service "$_bs_ms")
	start "bstable-$_bs_ms" 1 "$DEFAULT_SKEWS" 1
	NODE_SERVICE=
	if ! wait_for 20 converged 1; then
		note "bundle ${_bs_ms}ms: n1 is not master; counted unstable"
		echo 99 > "bstable-$_bs_ms.changes"
		stop
		return 1
	fi
	sleep 0.5
	hog_start
	_bs_from=$(now_sod)
	probe "bstable-$_bs_ms.json" --target "$(vip 1)" \
	    --duration "$BUNDLE_STABLE_SECS"
	_bs_to=$(now_sod)
	hog_stop
	_bs_sp=0
	for _bn in $NODES; do
		_bs_sp=$((_bs_sp + $(transitions "$_bn.log" "$_bs_from" \
		    "$_bs_to")))
	done
	echo "$_bs_sp" > "bstable-$_bs_ms.changes"
	note "bundle ${_bs_ms}ms under a CPU hog: $_bs_sp state changes in" \
	    "$BUNDLE_STABLE_SECS s, longest gap" \
	    "$(get "bstable-$_bs_ms.json" max_gap_ms) ms"
	stop
}

# bload TAG NSERVICES: what the wire carries with NSERVICES services at
# advbase 1 (NODE_SERVICE as set), BUNDLE_LOAD_SECS long, seen by the
# client (multicast is flooded to every port): bytes/s per service of
# CARP and bundle frames together (TAG.bps), and frames/s that n1, the
# master, sends (TAG.mpps) and the backups (TAG.bpps).
bload()
{
	_bl_tag=$1 _bl_nsvc=$2
	steady "$_bl_tag" 1 "$DEFAULT_SKEWS" "$_bl_nsvc" || return 1
	# The new master's announcements and the first reports pass.
	sleep 3
	lab_exec client python3 "$PROBE" count --duration "$BUNDLE_LOAD_SECS" \
	    > "$_bl_tag.json" || atf_fail "count failed"
	python3 - "$_bl_tag.json" "$_bl_nsvc" "$_bl_tag" "$mac_n1" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	n, tag, m, secs = int(sys.argv[2]), sys.argv[3], sys.argv[4], \
	    d["duration"]
	by = d.get("sources_by_kind", {})
	byt = sum(d["kinds"].get(k, {"bytes": 0})["bytes"]
	          for k in ("carp", "bundle"))
	mine = sum(by.get(k, {}).get(m, 0) for k in ("carp", "bundle"))
	others = sum(v for k in ("carp", "bundle")
	             for s, v in by.get(k, {}).items() if s != m)
	for ext, v in (("bps", byt / secs / n), ("mpps", mine / secs),
	               ("bpps", others / secs)):
	    with open(tag + "." + ext, "a") as f:
	        print("%.4f" % v, file=f)
	EOF
	note "$_bl_tag: $(stats "$_bl_tag.bps") B/s per service," \
	    "master $(stats "$_bl_tag.mpps") frames/s," \
	    "backups $(stats "$_bl_tag.bpps") frames/s"
	stop
}

# bfailover KIND TAG MS SKEWS: scenario KIND at a bundle interval of MS
# ms (1000: the same timing as advbase 1), one service.
bfailover()
{
	NODE_SERVICE=$(bundle_service "$3")
	FAILOVER_MD_MS=$((3 * $3 * (256 + $(nth 2 "$4")) / 256))
	scenario "$1" "$2" 1 "$4" 1 "$RUNS"
	NODE_SERVICE= FAILOVER_MD_MS=
}

section_bundle()
{
	rm -f bstable-* b-* c-*
	_sb_n=50
	# The fastest stable interval first: the fast runs below use it.
	BFAST=
	for _sb_ms in $BUNDLE_CANDIDATES; do
		bstable "$_sb_ms"
		[ -z "$BFAST" ] && [ "$(cat "bstable-$_sb_ms.changes")" = 0 ] &&
		    BFAST=$_sb_ms
	done
	if [ -z "$BFAST" ]; then
		BFAST=$_sb_ms
		note "no bundle interval was stable; using the slowest," \
		    "$BFAST ms"
	fi
	note "fastest stable bundle interval: $BFAST ms"

	# The wire and the idle cost, CARP and bundle in turn.
	NODE_SERVICE=
	bload c-load "$_sb_n"
	NODE_SERVICE=$(bundle_service 1000)
	bload b-load "$_sb_n"
	NODE_SERVICE=
	idle c-idle 1 "$DEFAULT_SKEWS" "$_sb_n"
	NODE_SERVICE=$(bundle_service 1000)
	idle b-idle1 1 "$DEFAULT_SKEWS" "$_sb_n"
	NODE_SERVICE=$(bundle_service "$BFAST")
	idle b-idlef 1 "$DEFAULT_SKEWS" "$_sb_n"
	NODE_SERVICE=
	# CARP at its own fastest setting, where section fast found one.
	if [ -f fast.setting ]; then
		idle c-idlef 0 "$(cat fast.setting)" "$_sb_n"
	fi

	# Failover and switchover: CARP at advbase 1, bundle at 1 s and at
	# the fastest interval.
	scenario kill c-kill 1 "$DEFAULT_SKEWS" 1 "$RUNS"
	scenario demote c-demote 1 "$DEFAULT_SKEWS" 1 "$RUNS"
	bfailover kill b-kill1 1000 "$DEFAULT_SKEWS"
	bfailover demote b-demote1 1000 "$DEFAULT_SKEWS"
	# At a few ms, advskew 1 is a few microseconds: n3 would race n2
	# (and, on a bow-out, claim beside it); BUNDLE_FAST_SKEWS parts them.
	bfailover kill b-killf "$BFAST" "$BUNDLE_FAST_SKEWS"
	bfailover demote b-demotef "$BFAST" "$BUNDLE_FAST_SKEWS"

	_sb_c="CARP advbase 1"
	_sb_b1="bundle 1s"
	_sb_bf="bundle ${BFAST}ms"
	row "Bundle format beside CARP: $_sb_n services, 3 nodes" \
	    "bytes/s per service on the wire" "$_sb_c" c-load.bps B/s \
	    "70 (CARP)" "-"
	row "" "bytes/s per service on the wire" "$_sb_b1" b-load.bps B/s \
	    "<= 10" "$(verdict b-load.bps '<=' 10 max)"
	row "" "frames/s sent by the master" "$_sb_c" c-load.mpps \
	    pkt/s "$_sb_n (one per service)" "-"
	row "" "frames/s sent by the master" "$_sb_b1" b-load.mpps pkt/s \
	    "1 (one per interval)" "$(within b-load.mpps 0.9 1.1)"
	row "" "frames/s sent by the backups" "$_sb_b1" b-load.bpps pkt/s \
	    "0.2 (a report each 10 s)" "-"
	row "" "CPU-s/min, master" "$_sb_c" c-idle.nsm s/min \
	    "0.034 (CARP today)" "-"
	row "" "  master, nobody else on the switch" "$_sb_c" \
	    c-idle.own s/min "" "-"
	row "" "CPU-s/min, master" "$_sb_b1" b-idle1.nsm s/min "<= 0.01" \
	    "$(verdict b-idle1.nsm '<=' 0.01 max)"
	row "" "  master, nobody else on the switch" "$_sb_b1" b-idle1.own \
	    s/min "<= 0.01" "$(verdict b-idle1.own '<=' 0.01 max)"
	row "" "  master's engine alone" "$_sb_c" c-idle.engm s/min "" "-"
	row "" "  master's engine alone" "$_sb_b1" b-idle1.engm s/min "" "-"
	row "" "CPU-s/min, backups" "$_sb_b1" b-idle1.nsb s/min "" "-"
	_sb_tf="" _sb_vf="-"
	if [ -f c-idlef.nsm ]; then
		_sb_lf=$(calc "$(stats c-idlef.nsm | cut -d' ' -f2) / 10")
		row "" "CPU-s/min, master" "CARP advbase 0, advskew $(nth 1 \
		    "$(cat fast.setting)")" c-idlef.nsm s/min "" "-"
		row "" "  master, nobody else on the switch" "CARP advbase 0" \
		    c-idlef.own s/min "" "-"
		row "" "  master's engine alone" "CARP advbase 0" c-idlef.engm \
		    s/min "" "-"
		_sb_tf="<= $(printf %.3f "$_sb_lf") (CARP fastest / 10)"
		_sb_vf=$(verdict b-idlef.nsm '<=' "$_sb_lf" max)
	fi
	row "" "CPU-s/min, master" "$_sb_bf" b-idlef.nsm s/min "$_sb_tf" \
	    "$_sb_vf"
	row "" "  master, nobody else on the switch" "$_sb_bf" b-idlef.own \
	    s/min "" "-"
	row "" "  master's engine alone" "$_sb_bf" b-idlef.engm s/min "" "-"
	row "" "CPU-s/min, backups" "$_sb_bf" b-idlef.nsb s/min "" "-"
	for _sb_x in c-idle b-idle1 b-idlef; do
		case $_sb_x in
		c-idle)		_sb_s="$_sb_c" ;;
		b-idle1)	_sb_s=$_sb_b1 ;;
		b-idlef)	_sb_s=$_sb_bf ;;
		esac
		row "" "state changes while idle" "$_sb_s" \
		    "$_sb_x.spurious" "" "0" \
		    "$(verdict "$_sb_x.spurious" '<=' 0 max)"
	done
	_sb_t="Bundle: unplanned failover (SIGKILL + link cut), 1 service;"
	_sb_t="$_sb_t at $BFAST ms advskew $(echo "$BUNDLE_FAST_SKEWS" | tr , /)"
	row "$_sb_t" \
	    "outage (longest gap)" "$_sb_c" c-kill.gap ms "" "-"
	row "" "outage (longest gap)" "$_sb_b1" b-kill1.gap ms \
	    "CARP within noise" "-"
	row "" "outage (longest gap)" "$_sb_bf" b-killf.gap ms \
	    "median <= 5" "$(verdict b-killf.gap '<=' 5)"
	row "" "time to announce" "$_sb_bf" b-killf.garp ms "" "-"
	row "Bundle: planned switchover (hafoctl demote), 1 service" \
	    "probes lost at 1 kHz" "$_sb_c" c-demote.lost probes "0" \
	    "$(verdict c-demote.lost '<=' 0 max)"
	row "" "probes lost at 1 kHz" "$_sb_b1" b-demote1.lost probes "0" \
	    "$(verdict b-demote1.lost '<=' 0 max)"
	row "" "probes lost at 1 kHz" "$_sb_bf" b-demotef.lost probes "0" \
	    "$(verdict b-demotef.lost '<=' 0 max)"
	row "" "longest gap" "$_sb_b1" b-demote1.gap ms "" "-"
	row "" "longest gap" "$_sb_bf" b-demotef.gap ms "" "-"
	_sb_t="Bundle: fastest stable interval (1 service, CPU hog on every"
	_sb_t="$_sb_t CPU, $BUNDLE_STABLE_SECS s each; fastest: $BFAST ms)"
	for _sb_ms in $BUNDLE_CANDIDATES; do
		row "$_sb_t" "state changes under load" \
		    "bundle ${_sb_ms}ms, advskew 0/0/1" \
		    "bstable-$_sb_ms.changes" \
		    "" "0" "$(verdict "bstable-$_sb_ms.changes" '<=' 0 max)"
		_sb_t=""
	done
}

# ---- the table -------------------------------------------------------

print_table()
{
	echo
	echo "hafod benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')," \
	    "hafod $(git -C "$top" describe --always --dirty 2>/dev/null ||
	    echo '?')"
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' \
	    /proc/cpuinfo | head -n 1), kernel $(uname -r)," \
	    "$(python3 --version 2>&1)"
	echo "lab: 3 nodes and a client in network namespaces, veth on one" \
	    "bridge; probe: ICMP echo every $PROBE_US us per address"
	echo "load average before: $LOAD_BEFORE, after:" \
	    "$(cut -d' ' -f1-3 /proc/loadavg); took $(($(date +%s) - T0)) s"
	echo "runs: failover $RUNS, scale $SCALE_RUNS; idle $IDLE_WINDOWS" \
	    "x $IDLE_SECS s; load $LOAD_WINDOWS x $LOAD_SECS s; fast" \
	    "setting held $STABLE_SECS s"
	echo "each figure: min / median / max over n; events fall at a" \
	    "random point of the master's interval; time to announce:" \
	    "from the event to the first gratuitous ARP at the client"
	awk -F'|' '
	{
		for (i = 1; i <= 8; i++) c[NR, i] = $i
		n = NR
	}
	END {
		for (r = 1; r <= n; r++) {
			if (c[r, 1] != "")
				printf "\n%s\n", c[r, 1]
			split(c[r, 4], v, " ")
			printf "  %-38s %-26s %-22s %3s %-6s %-34s %s\n",
			    c[r, 2], c[r, 3], v[1] " / " v[2] " / " v[3],
			    c[r, 5], c[r, 6], c[r, 7], c[r, 8]
		}
	}' rows
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
note "work directory $work; sections: $SECTIONS"
lab_setup
for _sec in $SECTIONS; do
	note "section $_sec"
	"section_$_sec"
done
print_table
sh "$bench/config_scale.sh"	# hafod -n on 1k to 100k services
