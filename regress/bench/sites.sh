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

# make bench, section sites: one controller across two sites (hafod.8,
# SITES).  Sourced by bench.sh, which defines row, stats, note and the
# rest.
#
# The lab is regress/netns/sites.sh's: sites east (n1 n2) and west (n3
# n4), each a LAN of its own, a witness running qnetd at a third site,
# a router r between the three; corosync with a qdevice (ffsplit) on the
# four nodes.  It lives in its own directory ($work/sites), with its own
# prefix and PID namespace, beside the bench's lab.  One service, s1, is
# across sites, prefer east west; its hooks log when they begin and end,
# and those logs are the figures:
#   move    the local master of the controller site dies: how long until
#           the other node of that site runs its controller hook, beside
#           how long until it adds the address (CARP's failover).  Twice:
#           the node killed (hafod, qdevice, corosync) under the strict
#           policy, which waits for corosync and the release bound, and
#           hafod alone killed under the fast policy, CARP at its own
#           speed (under strict a hafod killed on a node whose corosync
#           lives on is no failure: hafod.8, ELECTION, Quorum)
#   site    the whole controller site dies (hafod, qdevice, corosync,
#           at once): how long until the other site's local master runs
#           its controller hook, beside corosync's detection (the
#           survivor's "Members left" line) and the release bound
#   cut     the controller site's WAN is cut, so that the witness is on
#           the other side, then healed; the next cut is of the other
#           site, the role going back and forth: how often two nodes
#           held the role at once (from a controller hook's start to the
#           end of the hook that ended the role, or to a kill)
#   wan     what crosses the WAN at idle (what r forwards), with 1, 50
#           and 255 services across sites, and corosync alone

SITES_RUNS=${BENCH_SITES_RUNS:-$(pick 5 2)}
SITES_CUTS=${BENCH_SITES_CUTS:-$(pick 10 4)}
SITES_IDLE_SECS=${BENCH_SITES_IDLE_SECS:-$(pick 30 10)}
SITES_SCALE=${BENCH_SITES_SCALE-"1 50 255"}
SITES_PARTS=${BENCH_SITES_PARTS:-"move site cut wan"}
# A hook starts a few milliseconds after what allows it: a process is
# forked and the shell started.  Beyond this, a figure misses its target.
SITES_SLACK_MS=100

sb_dir()
{
	echo "$work/sites"
}

# sites_cleanup: for bench.sh's cleanup and the section's end: the PID
# namespace (corosync, qnetd, hafod die with it), then the network
# namespaces.  Once only, as quorum_cleanup.
sites_cleanup()
{
	if [ -n "$SB_MON" ]; then
		kill $SB_MON 2>/dev/null
		SB_MON=""
	fi
	[ -f "$(sb_dir)/lab.prefix" ] || return 0
	(cd "$(sb_dir)" && coro_destroy && rm -f lab.prefix)
}

# sb_hook: the one hook of every event: when it began and ended, with
# the role and controller site it was told, a line each.
sb_hook()
{
	cat > sb.hook <<-EOF
	#!/bin/sh
	# sb.hook NODE: a line when the hook begins, one when it ends.
	w="\$1 \$HAFOD_SERVICE \$HAFOD_EVENT \${HAFOD_ROLE:-none}"
	w="\$w \${HAFOD_CONTROLLER_SITE:--}"
	echo "\$(date +%s.%N) \$w begin" >> "$(sb_dir)/\$1.hooks"
	echo "\$(date +%s.%N) \$w end" >> "$(sb_dir)/\$1.hooks"
	EOF
	chmod 755 sb.hook
}

# sb_net NODE: the /16 of the services' addresses in NODE's site, where
# each node has an address of its own first (10.X.255.N), so that 255
# fit and are secondary.
sb_net()
{
	case $(sites_of "$1") in
	east)	echo 10.1 ;;
	west)	echo 10.2 ;;
	esac
}

# sb_conf NODE NSERVICES HOOKS [POLICY]: NODE.conf, sites.sh's global
# lines (quorum policy strict unless told) and NSERVICES services across
# sites, prefer east west; advskew 0 on n1 and n3, 100 on n2 and n4;
# with HOOKS=1, sb.hook on every event.
sb_conf()
{
	sites_conf_head "$1"
	sed -i "s/^\(quorum corosync policy\) strict\$/\1 ${4:-strict}/" \
	    "$1.conf"
	case $1 in
	n1|n3)	_sc_skew=0 ;;
	*)	_sc_skew=100 ;;
	esac
	awk -v n="$2" -v skew="$_sc_skew" -v net="$(sb_net "$1")" \
	    -v hook="$(sb_dir)/sb.hook $1" -v hooks="$3" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "service s%d {\n\tinterface eth0\n" \
			    "\tvhid %d\n\tadvbase 1\n\tadvskew %d\n" \
			    "\tpassword \"hafod-bench\"\n" \
			    "\taddress %s.%d.%d/16\n" \
			    "\tacross sites prefer east west\n", i, i, skew,
			    net, int(i / 256), i % 256
			if (hooks)
				for (e = split("promote demote controller " \
				    "standby", ev, " "); e > 0; e--)
					printf "\ton %s \"%s\"\n", ev[e], hook
			print "}"
		}
	}' >> "$1.conf"
}

# sb_start NSERVICES HOOKS [POLICY]: hafod afresh on every node.
sb_start()
{
	for _st_n in $SITES_NODES; do
		sb_stop_node "$_st_n"
		sb_conf "$_st_n" "$1" "$2" "$3"
		rm -f "$_st_n.state"
		sites_hafod "$_st_n"
	done
}

# sb_stop_node NODE: NODE's hafod and engine gone if they run, and the
# addresses a hafod killed leaves.
sb_stop_node()
{
	_sp_p=$(sites_hafod_pid "$1")
	if [ -n "$_sp_p" ]; then
		kill -KILL "$_sp_p" $(engine_pid "$_sp_p") 2>/dev/null
		# Its role ends here: no hook says so.
		echo "$(date +%s.%N) $1" >> kills
		wait_for 10 eval "! _coro_alive $_sp_p" ||
		    note "sites: hafod on $1 ($_sp_p) does not die"
	fi
	lab_exec "$1" ip addr flush dev eth0 to 10.0.0.0/8
	lab_exec "$1" ip addr add "$(sb_net "$1").255.${1#n}/16" dev eth0
}

# sb_json NODE EXPR: sites_json, quietly; "-" where hafoctl fails.
sb_json()
{
	sites_json "$1" "$2" 2>/dev/null || echo -
}

# sb_alive: the nodes whose hafod runs.
sb_alive()
{
	for _al_n in $SITES_NODES; do
		[ -n "$(sites_hafod_pid "$_al_n")" ] && echo "$_al_n"
	done
}

# sb_ready NSERVICES: every running node sees the same controller site
# for all NSERVICES services, and for s1 one node is controller and, if
# both sites run, one is standing by; SB_CTL is then the controller site,
# SB_MASTER its local master, SB_OTHER and SB_OMASTER the other's.
sb_ready()
{
	_rd_c=""
	for _rd_n in $(sb_alive); do
		# One site controls every service, and it is s1's.
		_rd_v=$(sb_json "$_rd_n" '(j["node"]["quorate"] and
		    j["node"]["synced"] and len(j["entities"]) == '"$1"' and
		    len(set(x["controller"] for x in j["entities"])) == 1 and
		    e("s1")["controller"] or "-")')
		[ "$_rd_v" != - ] || return 1
		[ -z "$_rd_c" ] || [ "$_rd_c" = "$_rd_v" ] || return 1
		_rd_c=$_rd_v
	done
	[ -n "$_rd_c" ] || return 1
	_rd_roles=""
	for _rd_n in $(sb_alive); do
		_rd_roles="$_rd_roles $(sb_json "$_rd_n" 'e("s1")["role"]')"
	done
	_rd_roles=$(echo $_rd_roles | tr ' ' '\n' | sort | tr '\n' ' ')
	case $_rd_c in
	east)	SB_OTHER=west ;;
	west)	SB_OTHER=east ;;
	*)	return 1 ;;
	esac
	SB_CTL=$_rd_c
	_rd_any=$(sb_alive | head -n 1)
	SB_MASTER=$(sb_json "$_rd_any" "e(\"s1\")[\"masters\"][\"$SB_CTL\"]")
	SB_OMASTER=$(sb_json "$_rd_any" \
	    "e(\"s1\")[\"masters\"][\"$SB_OTHER\"]")
	if [ "$SB_OMASTER" = null ]; then
		[ "$_rd_roles" = "controller none " ] ||
		    [ "$_rd_roles" = "controller " ]
	else
		[ "$_rd_roles" = "controller none none standby " ]
	fi
}

# sb_wait SECONDS CMD...: CMD every 0.1 s until it succeeds; false after
# SECONDS of the clock, however long CMD takes (wait_for counts tries).
sb_wait()
{
	_wt_end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_wt_end" ] || return 1
		sleep 0.1
	done
}

# sb_settle WHAT NSERVICES: sb_ready within 90 s, then a second more for
# the hooks it implies; a note if not.
sb_settle()
{
	if ! sb_wait 90 sb_ready "$2"; then
		note "sites $1: the cluster does not settle" \
		    "($(for _se_n in $(sb_alive); do
			printf '%s %s; ' "$_se_n" "$(sb_json "$_se_n" \
			    '(e("s1")["controller"], e("s1")["role"])')"
		    done))"
		return 1
	fi
	sleep 1
}

# sb_hook_after NODE EVENT EPOCH: the epoch at which NODE's first EVENT
# hook of s1 after EPOCH began; nothing if none did.
sb_hook_after()
{
	awk -v ev="$2" -v t="$3" '$3 == "s1" && $4 == ev && $7 == "begin" &&
	    $1 > t { print $1; exit }' "$1.hooks" 2>/dev/null
}

sb_has_hook_after()
{
	[ -n "$(sb_hook_after "$@")" ]
}

# sb_ms FROM TO: milliseconds between two epochs.
sb_ms()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 }'
}

# sb_kill WHAT NODE...: SIGKILL at once to hafod and its engine on each
# NODE, and with WHAT "node" to its qdevice and corosync too; the time to
# kills (the role of a node killed ends there) and to stdout.
sb_kill()
{
	_kl_w=$1 _kl_p=""
	shift
	for _kl_n in "$@"; do
		_kl_h=$(sites_hafod_pid "$_kl_n")
		_kl_p="$_kl_p $_kl_h $(engine_pid "$_kl_h")"
		[ "$_kl_w" = node ] && _kl_p="$_kl_p $(coro_pid "$_kl_n" \
		    qdevice) $(coro_pid "$_kl_n" corosync)"
	done
	_kl_t=$(date +%s.%N)
	kill -KILL $_kl_p
	for _kl_n in "$@"; do
		echo "$_kl_t $_kl_n" >> kills
	done
	echo "$_kl_t"
}

# sb_nodes_up NODE...: the nodes back after sb_kill node: corosync, its
# qdevice, the witness's vote once all are up, hafod.
sb_nodes_up()
{
	for _nu_n in "$@"; do
		# libqb's ring buffers of a corosync killed stay in the
		# node's /dev/shm, a small tmpfs: a few restarts would fill
		# it.  Nothing of that node runs now to use them.
		coro_exec "$_nu_n" sh -c 'rm -rf /dev/shm/qb-*'
		coro_start "$_nu_n"
	done
	for _nu_n in "$@"; do
		coro_qdevice_start "$_nu_n"
	done
	for _nu_n in "$@"; do
		coro_wait_votes "$_nu_n" "$SB_VOTES" 60 ||
		    note "sites: $_nu_n back without the witness's vote"
		sb_stop_node "$_nu_n"
		sites_hafod "$_nu_n"
	done
}

# sb_vip_added NODE FROM MON: epoch at which the ip monitor MON saw NODE
# add s1's address after FROM.
sb_vip_added()
{
	python3 - "$(sb_net "$1").0.1" "$2" "$3" <<-'EOF'
	import datetime, re, sys
	pat = re.compile(r"^\[(\S+)\] \d+: \S+\s+inet ([0-9.]+)/")
	for line in open(sys.argv[3]):
	    m = pat.match(line)
	    if m is None or m.group(2) != sys.argv[1]:
	        continue
	    t = datetime.datetime.fromisoformat(m.group(1)).timestamp()
	    if t > float(sys.argv[2]):
	        print("%.6f" % t)
	        break
	EOF
}

# sb_members_left NODE FROM: epoch of the first membership that NODE's
# corosync formed after FROM with members left (hires time stamps, local
# time, no year).
sb_members_left()
{
	python3 - "$(_coro_dir)/$1/corosync.log" "$2" <<-'EOF'
	import datetime, re, sys
	pat = re.compile(r"^(\w{3} +\d+ \d\d:\d\d:\d\d\.\d+) .*Members left:")
	year = datetime.date.today().year
	for line in open(sys.argv[1], errors="replace"):
	    m = pat.match(line)
	    if m is None:
	        continue
	    t = datetime.datetime.strptime("%d %s" % (year, m.group(1)),
	        "%Y %b %d %H:%M:%S.%f").timestamp()
	    if t > float(sys.argv[2]):
	        print("%.6f" % t)
	        break
	EOF
}

# sb_release NODE: the release bound NODE's hafod uses, in ms: from
# hafoctl -j show quorum if it says, else from its log (-v).
sb_release()
{
	_rl=$(sites_ctl "$1" -j show quorum 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin).get("release_ms", ""))' 2>/dev/null)
	if [ -z "$_rl" ]; then
		_rl=$(sed -n 's/.*; release \([0-9]*\) ms$/\1/p' \
		    "$(sites_log "$1")" | tail -n 1)
	fi
	echo "$_rl"
}

# sb_overlap FROM TO LOGS...: how many times two nodes held s1's role at
# once between FROM and TO, for how long in all, and the shortest time
# from one node's letting go to another's taking it (the margin; "-" if
# the role never changed nodes): "COUNT MS MARGIN".  A node holds it
# from the start of its controller hook to the end of the next hook that
# tells it another role, or to its kill (file kills).
sb_overlap()
{
	python3 - "$@" <<-'EOF'
	import sys
	t0, t1 = float(sys.argv[1]), float(sys.argv[2])
	kills = {}
	try:
	    for line in open("kills"):
	        t, n = line.split()
	        kills.setdefault(n, []).append(float(t))
	except FileNotFoundError:
	    pass
	held = []
	for path in sys.argv[3:]:
	    node = path.split("/")[-1].split(".")[0]
	    ev = [(t, "kill", "", "") for t in kills.get(node, [])]
	    try:
	        for line in open(path):
	            f = line.split()
	            if len(f) == 7 and f[2] == "s1":
	                ev.append((float(f[0]), f[3], f[4], f[6]))
	    except FileNotFoundError:
	        pass
	    ev.sort()
	    start = None
	    for t, what, role, phase in ev:
	        if start is None:
	            if what == "controller" and phase == "begin":
	                start = t
	        elif what == "kill" or (phase == "end" and
	            role != "controller"):
	            held.append((node, start, t))
	            start = None
	    if start is not None:
	        held.append((node, start, t1))
	n, ms = 0, 0.0
	for i in range(len(held)):
	    for j in range(i + 1, len(held)):
	        a, b = held[i], held[j]
	        if a[0] == b[0]:
	            continue
	        lo, hi = max(a[1], b[1], t0), min(a[2], b[2], t1)
	        if hi > lo:
	            n += 1
	            ms += (hi - lo) * 1000
	margin = None
	held.sort(key=lambda h: h[1])
	for a, b in zip(held, held[1:]):
	    if a[0] != b[0] and t0 <= a[2] and b[1] <= t1:
	        gap = (b[1] - a[2]) * 1000
	        margin = gap if margin is None else min(margin, gap)
	print("%d %.3f %s" % (n, ms, "-" if margin is None else
	    "%.0f" % margin))
	EOF
}

sb_logs()
{
	for _lg_n in $SITES_NODES; do
		echo "$(sb_dir)/$_lg_n.hooks"
	done
}

# sb_lab: sites.sh's lab, corosync quorate with the witness's vote, and
# an address of its own for each node in its site's /16 of services.
sb_lab()
{
	mkdir -p "$(sb_dir)" && cd "$(sb_dir)" || return 1
	echo "hfbs$$" > lab.prefix
	: > kills
	CORO_INIT=""
	sites_lab
	SB_VOTES=$(coro_field n1 "Total votes")
	sb_hook
	printf '%s\n' "table inet sbwan {" "chain forward {" \
	    "type filter hook forward priority 10; policy accept;" \
	    "counter" "}" "}" | lab_exec r nft -f - ||
	    atf_fail "sites: cannot count r's forwarding"
}

# ---- move: the controller site's local master dies ---------------------

# sb_move KIND RUN: kill SB_MASTER (KIND node: the node, hafod: hafod
# alone); figures to s-move-KIND.ctl, .carp and .delta (the controller
# hook after the address).
sb_move()
{
	_mv_k=$1 _mv_r=$2
	sb_settle "move $_mv_k $_mv_r" 1 || return 1
	_mv_m=$SB_MASTER _mv_o=""
	for _mv_n in $(sites_nodes "$SB_CTL"); do
		[ "$_mv_n" != "$_mv_m" ] && _mv_o=$_mv_n
	done
	_mv_tag=s-move-$_mv_k
	QB_MON=""
	qb_monitor "$_mv_o" "$_mv_tag-$_mv_r.mon"
	SB_MON=$QB_MON QB_MON=""
	sleep 0.5
	_mv_t=$(sb_kill "$_mv_k" "$_mv_m")
	sb_wait 40 sb_has_hook_after "$_mv_o" controller "$_mv_t" ||
	    note "sites move $_mv_k $_mv_r: no controller hook on $_mv_o in 40 s"
	sleep 0.2
	kill $SB_MON 2>/dev/null
	SB_MON=""
	_mv_c=$(sb_hook_after "$_mv_o" controller "$_mv_t")
	_mv_a=$(sb_vip_added "$_mv_o" "$_mv_t" "$_mv_tag-$_mv_r.mon")
	[ -n "$_mv_c" ] && sb_ms "$_mv_t" "$_mv_c" >> "$_mv_tag.ctl"
	[ -n "$_mv_a" ] && sb_ms "$_mv_t" "$_mv_a" >> "$_mv_tag.carp"
	[ -n "$_mv_c" ] && [ -n "$_mv_a" ] &&
	    sb_ms "$_mv_a" "$_mv_c" >> "$_mv_tag.delta"
	note "sites move $_mv_k $_mv_r: $_mv_m killed; $_mv_o added the" \
	    "address after $([ -n "$_mv_a" ] && sb_ms "$_mv_t" "$_mv_a") ms," \
	    "ran controller after" \
	    "$([ -n "$_mv_c" ] && sb_ms "$_mv_t" "$_mv_c") ms"
	if [ "$_mv_k" = node ]; then
		sb_nodes_up "$_mv_m"
	else
		sb_stop_node "$_mv_m"
		sites_hafod "$_mv_m"
	fi
}

# ---- site: the whole controller site lost ------------------------------

# sb_site RUN: kill every daemon of SB_CTL at once; figures to
# s-site.ctl, .detect, .bound and .slack (ctl - detect - bound).
sb_site()
{
	sb_settle "site $1" 1 || return 1
	_si_c=$SB_CTL _si_o=$SB_OMASTER
	_si_bound=$(sb_release "$_si_o")
	_si_t=$(sb_kill node $(sites_nodes "$_si_c"))
	sb_wait 60 sb_has_hook_after "$_si_o" controller "$_si_t" ||
	    note "sites site $1: no controller hook on $_si_o in 60 s"
	_si_h=$(sb_hook_after "$_si_o" controller "$_si_t")
	_si_d=$(sb_members_left "$_si_o" "$_si_t")
	if [ -n "$_si_h" ]; then
		sb_ms "$_si_t" "$_si_h" >> s-site.ctl
	fi
	if [ -n "$_si_d" ]; then
		sb_ms "$_si_t" "$_si_d" >> s-site.detect
	fi
	[ -n "$_si_bound" ] && echo "$_si_bound" >> s-site.bound
	if [ -n "$_si_h" ] && [ -n "$_si_d" ] && [ -n "$_si_bound" ]; then
		echo $(($(sb_ms "$_si_t" "$_si_h") - \
		    $(sb_ms "$_si_t" "$_si_d") - _si_bound)) >> s-site.slack
	fi
	note "sites site $1: $_si_c killed; corosync on $_si_o saw it after" \
	    "$([ -n "$_si_d" ] && sb_ms "$_si_t" "$_si_d") ms, bound" \
	    "$_si_bound ms, controller hook after" \
	    "$([ -n "$_si_h" ] && sb_ms "$_si_t" "$_si_h") ms"
	sb_nodes_up $(sites_nodes "$_si_c")
}

# ---- cut: the WAN of the controller site cut, then healed ---------------

# sb_cut RUN: cut SB_CTL off, so that the witness is with the other
# site; heal once the other site's master is controller.  The time to
# its controller hook goes to s-cut.ctl.
sb_cut()
{
	sb_settle "cut $1" 1 || return 1
	_ct_c=$SB_CTL _ct_o=$SB_OMASTER
	_ct_t=$(date +%s.%N)
	sites_wan_cut "$_ct_c"
	if sb_wait 60 sb_has_hook_after "$_ct_o" controller "$_ct_t"; then
		_ct_h=$(sb_hook_after "$_ct_o" controller "$_ct_t")
		sb_ms "$_ct_t" "$_ct_h" >> s-cut.ctl
		note "sites cut $1: $_ct_c cut off; $_ct_o controller after" \
		    "$(sb_ms "$_ct_t" "$_ct_h") ms"
	else
		note "sites cut $1: $_ct_c cut off; no controller hook on" \
		    "$_ct_o in 60 s"
	fi
	sites_wan_heal
}

# ---- wan: what crosses the router at idle -------------------------------

# sb_counters: packets and bytes r has forwarded, from one site to
# another or to the witness: what crosses the WAN.  Not r's interface
# counters: r is on each site's LAN, and gets its multicast (CARP).
sb_counters()
{
	lab_exec r nft list chain inet sbwan forward |
	    sed -n 's/.*counter packets \([0-9]*\) bytes \([0-9]*\).*/\1 \2/p'
}

# sb_wan NSERVICES: hafod with NSERVICES services across sites (0: no
# hafod, corosync alone), idle for SITES_IDLE_SECS; figures to
# s-wan-N.bps and .pps.
sb_wan()
{
	_wn_n=$1
	for _wn_x in $SITES_NODES; do
		sb_stop_node "$_wn_x"
	done
	if [ "$_wn_n" -gt 0 ]; then
		sb_start "$_wn_n" 0
		if ! sb_settle "wan $_wn_n" "$_wn_n"; then
			: > "s-wan-$_wn_n.unsettled"
			return 1
		fi
	fi
	# The last words after the settling pass: hooks that end, backups
	# that a strict bound lets claim, their words.  Idle means after.
	sleep 10
	set -- $(sb_counters)
	sleep "$SITES_IDLE_SECS"
	set -- "$@" $(sb_counters)
	echo "$(calc "($3 - $1) / $SITES_IDLE_SECS")" >> "s-wan-$_wn_n.pps"
	echo "$(calc "($4 - $2) / $SITES_IDLE_SECS")" >> "s-wan-$_wn_n.bps"
	note "sites wan, $_wn_n services: $(stats "s-wan-$_wn_n.pps" |
	    cut -d' ' -f1) packets/s, $(stats "s-wan-$_wn_n.bps" |
	    cut -d' ' -f1) bytes/s"
}

# sb_runs FIGURE COUNT FUNCTION ARG...: FUNCTION ARG... RUN for RUN 1 to
# COUNT, then how often two nodes held the role meanwhile, to
# s-FIGURE.overlap.
sb_runs()
{
	_ru_f=$1 _ru_c=$2 _ru_from=$(date +%s.%N) _ru_i=1
	shift 2
	while [ "$_ru_i" -le "$_ru_c" ]; do
		"$@" "$_ru_i"
		_ru_i=$((_ru_i + 1))
	done
	sb_settle "$_ru_f's end" 1
	sb_overlap "$_ru_from" "$(date +%s.%N)" $(sb_logs) > "s-$_ru_f.overlap"
}

sb_part_move()
{
	sb_start 1 1 strict
	sb_runs move-node "$SITES_RUNS" sb_move node
	sb_start 1 1 fast
	sb_runs move-hafod "$SITES_RUNS" sb_move hafod
}

sb_part_site()
{
	sb_start 1 1 strict
	sb_runs site "$SITES_RUNS" sb_site
}

sb_part_cut()
{
	sb_start 1 1 strict
	sb_runs cut "$SITES_CUTS" sb_cut
}

sb_part_wan()
{
	for _pw_n in 0 $SITES_SCALE; do
		sb_wan "$_pw_n"
	done
}

section_sites()
{
	for _ss_x in corosync corosync-qdevice corosync-qnetd nft setpriv; do
		if ! command -v "$_ss_x" >/dev/null 2>&1; then
			note "sites: $_ss_x is missing (make deps); skipped"
			return 0
		fi
	done
	if ! coro_lab_possible; then
		note "sites: no private mount namespace here (a chroot?);" \
		    "skipped"
		return 0
	fi
	_ss_top=$(pwd)
	# sites.sh moves the witness to its own site: the quorum section's
	# lab keeps corosync.sh's.
	_ss_w=$CORO_WITNESS
	. "$top/regress/netns/sites.sh"
	sb_lab
	rm -f s-*
	for _ss_p in $SITES_PARTS; do
		"sb_part_$_ss_p"
	done
	cd "$_ss_top" || return 1
	sites_cleanup
	CORO_WITNESS=$_ss_w

	sb_rows
}

# sb_positive FILE: "ok" if the figure in FILE is above 0.
sb_positive()
{
	set -- "$(stats "$1" | cut -d' ' -f1)"
	case $1 in
	-)	echo n/a ;;
	*)	awk -v x="$1" 'BEGIN { print (x > 0 ? "ok" : "MISSED") }' ;;
	esac
}

# The table's rows, for the parts that ran.
sb_rows()
{
	SB_D=sites/s
	SB_SET="advbase 1, token 1000"
	for _sr_x in move-node move-hafod site cut; do
		[ -f "$SB_D-$_sr_x.overlap" ] || continue
		cut -d' ' -f1 "$SB_D-$_sr_x.overlap" > "$SB_D-$_sr_x.twice"
		cut -d' ' -f2 "$SB_D-$_sr_x.overlap" > "$SB_D-$_sr_x.twicems"
		cut -d' ' -f3 "$SB_D-$_sr_x.overlap" > "$SB_D-$_sr_x.margin"
	done
	sb_rows_move
	[ -f "$SB_D-site.overlap" ] && sb_rows_site
	[ -f "$SB_D-cut.overlap" ] && sb_rows_cut
	sb_rows_wan
}

sb_rows_move()
{
	_sr_t="Sites: role move inside a site, its local master killed"
	for _sr_k in node hafod; do
		_sr_f=$SB_D-move-$_sr_k
		[ -f "$_sr_f.overlap" ] || continue
		case $_sr_k in
		node)	_sr_s="node killed, policy strict" ;;
		hafod)	_sr_s="hafod killed, policy fast" ;;
		esac
		row "$_sr_t" "address on the other node (CARP)" "$_sr_s" \
		    "$_sr_f.carp" ms "" "-"
		row "" "controller hook on the other node" "$_sr_s" \
		    "$_sr_f.ctl" ms "<= CARP's" "-"
		row "" "  controller hook after the address" "$_sr_s" \
		    "$_sr_f.delta" ms "<= $SITES_SLACK_MS (hook start)" \
		    "$(verdict "$_sr_f.delta" '<=' "$SITES_SLACK_MS" max)"
		row "" "two controllers at once (times)" "$_sr_s" \
		    "$_sr_f.twice" "" "0" "$(verdict "$_sr_f.twice" '<=' 0 max)"
		_sr_t=""
	done
}

sb_rows_site()
{
	row "Sites: whole controller site lost (hafod, qdevice, corosync)" \
	    "corosync detection (Members left)" "$SB_SET" \
	    "$SB_D-site.detect" ms "" "-"
	row "" "release bound (hafod.8)" "hafod's" "$SB_D-site.bound" ms \
	    "" "-"
	row "" "controller hook in the other site" "$SB_SET" \
	    "$SB_D-site.ctl" ms "<= detection + bound" "-"
	row "" "  beyond detection + bound" "$SB_SET" "$SB_D-site.slack" ms \
	    "<= $SITES_SLACK_MS (hook start)" \
	    "$(verdict "$SB_D-site.slack" '<=' "$SITES_SLACK_MS" max)"
	row "" "two controllers at once (times)" "$SITES_RUNS site kills" \
	    "$SB_D-site.twice" "" "0" \
	    "$(verdict "$SB_D-site.twice" '<=' 0 max)"
	row "" "  shortest let go -> taken" "$SITES_RUNS site kills" \
	    "$SB_D-site.margin" ms "> 0" "$(sb_positive "$SB_D-site.margin")"
}

sb_rows_cut()
{
	row "Sites: WAN cut, the witness with the other site, role moves" \
	    "controller hook in the other site" "$SB_SET" \
	    "$SB_D-cut.ctl" ms "" "-"
	row "" "two controllers at once (times)" \
	    "$SITES_CUTS cuts, $(count_of "$SB_D-cut.ctl") moved" \
	    "$SB_D-cut.twice" "" "never" \
	    "$(verdict "$SB_D-cut.twice" '<=' 0 max)"
	row "" "  total time with two controllers" "$SITES_CUTS cuts" \
	    "$SB_D-cut.twicems" ms "0" \
	    "$(verdict "$SB_D-cut.twicems" '<=' 0 max)"
	row "" "  shortest let go -> taken" "$SITES_CUTS cuts" \
	    "$SB_D-cut.margin" ms "> 0" "$(sb_positive "$SB_D-cut.margin")"
}

sb_rows_wan()
{
	_sr_t="Sites: what crosses the WAN at idle ($SITES_IDLE_SECS s)"
	_sr_b=$(stats "$SB_D-wan-1.bps" | cut -d' ' -f1)
	_sr_p=$(stats "$SB_D-wan-1.pps" | cut -d' ' -f1)
	for _sr_n in 0 $SITES_SCALE; do
		[ -f "$SB_D-wan-$_sr_n.bps" ] ||
		    [ -f "$SB_D-wan-$_sr_n.unsettled" ] || continue
		if [ -f "$SB_D-wan-$_sr_n.unsettled" ]; then
			_sr_tb="flat" _sr_tp="flat"
			_sr_vb="MISSED: never settled" _sr_vp=$_sr_vb
		elif [ "$_sr_n" = 0 ] || [ "$_sr_b" = - ]; then
			_sr_tb="" _sr_tp="" _sr_vb="-" _sr_vp="-"
		else
			# Flat: within a tenth of what one service costs,
			# and a packet a second more, for the token's jitter.
			_sr_tb="flat: <= 1.1 x 1 service's"
			_sr_tp="flat: <= 1 service's + 1"
			_sr_vb=$(verdict "$SB_D-wan-$_sr_n.bps" '<=' \
			    "$(calc "$_sr_b * 1.1")" max)
			_sr_vp=$(verdict "$SB_D-wan-$_sr_n.pps" '<=' \
			    "$(calc "$_sr_p + 1")" max)
		fi
		if [ "$_sr_n" = 0 ]; then
			_sr_s="corosync alone, no hafod"
		elif [ "$_sr_n" = 1 ]; then
			_sr_s="1 service across sites"
		else
			_sr_s="$_sr_n services across sites"
		fi
		row "$_sr_t" "bytes/s" "$_sr_s" "$SB_D-wan-$_sr_n.bps" B/s \
		    "$_sr_tb" "$_sr_vb"
		row "" "packets/s" "$_sr_s" "$SB_D-wan-$_sr_n.pps" pkt/s \
		    "$_sr_tp" "$_sr_vp"
		_sr_t=""
	done
}
