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

# Two sites and a witness (hafod.8, SITES), on the hosts of lib.sh and the
# corosync of corosync.sh.  Source lib.sh and corosync.sh first.
#
#   site east:    switch sw,  n1 192.0.2.1, n2 192.0.2.2, client .200
#   site west:    switch sw2, n3 198.51.100.3, n4 198.51.100.4, client2 .200
#   site witness: switch sw3, w 203.0.113.250 (corosync-qnetd)
#   router r:     eth0 192.0.2.254, eth1 198.51.100.254, eth2 203.0.113.254
#
# Every site is a LAN of its own and r routes between them: CARP's
# multicast stays inside a site, corosync (knet, unicast) and the qdevice
# cross r.  A WAN cut is a filter on r, so a site cut off keeps its LAN,
# as a real one would.  Corosync runs on the four nodes with a qdevice
# (ffsplit, one vote) whose qnetd is the witness: the side of a cut
# that still reaches the witness is quorate, the other is not.
#
# hafod on each node: global "site", "quorum corosync policy strict",
# service db (vhid 1) across sites, service web (vhid 2) active-active;
# in each site n1/n3 have advskew 0, n2/n4 advskew 100.  Every hook of
# SERVICE on NODE appends "EVENT ROLE SITE CONTROLLER_SITE" to
# NODE.SERVICE.hooks (sites_hooks).
#
# The functions, for tests, the bench and the demo:
#   sites_lab                       everything but hafod, all quorate
#   sites_conf NODE [ACROSS]        NODE.conf: db across sites, web
#   sites_conf_head NODE            NODE.conf, global lines only, then
#   sites_conf_service NODE NAME VHID ADDR [LINE...]   a service each
#   sites_hafod NODE                start hafod (NODE.conf)
#   sites_hafod_kill NODE [SIG]     hafod alone, by PID (KILL default)
#   sites_node_kill NODE...         hafod, qdevice and corosync: KILL
#   sites_site_kill SITE            every node of SITE so
#   sites_site_down/up SITE         SITE's nodes lose/regain carrier
#   sites_wan_cut SITE              r drops all to/from SITE (east,
#   sites_wan_heal [SITE]           west, witness); heal one or all
#   sites_show NODE [-j]            hafoctl show sites
#   sites_json NODE EXPR            a Python expression on that JSON
#   sites_field NODE ENTITY FIELD   e.g. controller, role: east, null
#   sites_hooks NODE [SERVICE]      NODE's hook log (db by default)
#   sites_state NODE SERVICE        the engine's last state
#   sites_of NODE, sites_nodes SITE, sites_addr NODE, sites_vip SITE [SVC]
#   sites_log NODE, sites_ctl NODE ARG..., sites_tail NODE...

PYTHON=${PYTHON:-/usr/bin/python3}

SITES_NODES="n1 n2 n3 n4"
CORO_WITNESS=203.0.113.250

# sites_of NODE: the site of a node.
sites_of()
{
	case $1 in
	n1|n2)	echo east ;;
	n3|n4)	echo west ;;
	*)	atf_fail "sites: no node $1" ;;
	esac
}

# sites_nodes SITE: the nodes of a site.
sites_nodes()
{
	case $1 in
	east)	echo n1 n2 ;;
	west)	echo n3 n4 ;;
	*)	atf_fail "sites: no site $1" ;;
	esac
}

# sites_net SITE: the first three octets of a site's IPv4 network.
sites_net()
{
	case $1 in
	east)		echo 192.0.2 ;;
	west)		echo 198.51.100 ;;
	witness)	echo 203.0.113 ;;
	*)		atf_fail "sites: no site $1" ;;
	esac
}

# sites_addr NODE: a node's address on its site's LAN.
sites_addr()
{
	echo "$(sites_net "$(sites_of "$1")").${1#n}"
}

# sites_vip SITE [SERVICE]: the address of db (or web) in a site.
sites_vip()
{
	case ${2:-db} in
	db)	echo "$(sites_net "$1").50" ;;
	web)	echo "$(sites_net "$1").60" ;;
	*)	atf_fail "sites: no service $2" ;;
	esac
}

# _sites_rif SITE: r's interface into SITE.
_sites_rif()
{
	case $1 in
	east)		echo eth0 ;;
	west)		echo eth1 ;;
	witness)	echo eth2 ;;
	*)		atf_fail "sites: no site $1" ;;
	esac
}

# _sites_leg SWITCH IF ADDR: another interface of r, IF, on SWITCH's
# bridge, by a port named r.
_sites_leg()
{
	_r=$(lab_ns r) _sw=$(lab_ns "$1")
	ip link add "$2" netns "$_r" type veth peer name r netns "$_sw" ||
	    atf_fail "sites: cannot create $2 of r"
	lab_nsexec "$_sw" ip link set r master br0 up
	lab_nsexec "$_r" ip link set "$2" up
	lab_nsexec "$_r" ip addr add "$3/24" dev "$2"
}

# _sites_route HOST SITE: HOST's default route is r.
_sites_route()
{
	lab_exec "$1" ip route add default via "$(sites_net "$2").254" ||
	    atf_fail "sites: no route on $1"
}

# _sites_net_create: the namespaces, links and routes; no daemon.
_sites_net_create()
{
	lab_create 2
	_lab_switch sw2
	_lab_host n3 198.51.100.3 2001:db8:2::3 sw2
	_lab_host n4 198.51.100.4 2001:db8:2::4 sw2
	_lab_host client2 198.51.100.200 2001:db8:2::200 sw2
	_lab_switch sw3
	_lab_host w "$CORO_WITNESS" 2001:db8:3::250 sw3
	_lab_host r 192.0.2.254 2001:db8::254
	_sites_leg sw2 eth1 198.51.100.254
	_sites_leg sw3 eth2 203.0.113.254
	lab_exec r sysctl -qw net.ipv4.ip_forward=1 ||
	    atf_fail "sites: r does not forward"
	for _h in n1 n2 client; do
		_sites_route "$_h" east
	done
	for _h in n3 n4 client2; do
		_sites_route "$_h" west
	done
	_sites_route w witness
	# The WAN filter, empty until a cut.
	printf '%s\n' "table inet sites {" \
	    "chain forward { type filter hook forward priority 0;" \
	    "policy accept; }" "}" | lab_exec r nft -f - ||
	    atf_fail "sites: cannot create r's filter"
}

# sites_lab: the whole lab, corosync quorate on the four nodes with the
# witness's vote; hafod is not started (sites_conf, sites_hafod).
sites_lab()
{
	coro_lab_required
	_sites_net_create
	coro_lab_begin
	coro_qnetd_start
	_addrs=""
	for _n in $SITES_NODES; do
		_addrs="$_addrs${_addrs:+,}$(sites_addr "$_n")"
	done
	coro_conf "1 2 3 4" qdevice=ffsplit "addrs=$_addrs"
	for _n in $SITES_NODES; do
		coro_start "$_n"
	done
	for _n in $SITES_NODES; do
		coro_qdevice_start "$_n"
	done
	for _n in $SITES_NODES; do
		coro_wait_quorate "$_n" 40 ||
		    atf_fail "sites: $_n is not quorate: $(coro_tail "$_n")"
		coro_wait_votes "$_n" 5 30 ||
		    atf_fail "sites: $_n has no qdevice vote:" \
		    "$(coro_tail "$_n")"
	done
}

# sites_wan_cut SITE: nothing passes r to or from SITE (east, west or
# witness); the other sites still reach each other.
sites_wan_cut()
{
	_if=$(_sites_rif "$1")
	lab_exec r nft add rule inet sites forward iifname "$_if" drop \
	    comment "\"$1\"" &&
	    lab_exec r nft add rule inet sites forward oifname "$_if" drop \
	    comment "\"$1\"" || atf_fail "sites: cannot cut $1"
}

# sites_wan_heal [SITE]: remove SITE's cut, or every cut.
sites_wan_heal()
{
	if [ $# = 0 ]; then
		lab_exec r nft flush chain inet sites forward ||
		    atf_fail "sites: cannot heal the WAN"
		return 0
	fi
	for _hd in $(lab_exec r nft -a list chain inet sites forward |
	    sed -n "s/.*comment \"$1\" # handle \([0-9]*\)\$/\1/p"); do
		lab_exec r nft delete rule inet sites forward handle "$_hd" ||
		    atf_fail "sites: cannot heal $1"
	done
}

# sites_site_down SITE / sites_site_up SITE: the switch ports of SITE's
# nodes down or up: its nodes lose their carrier, as in a power cut of
# the site's network.
sites_site_down()
{
	_sw=sw
	[ "$1" = west ] && _sw=sw2
	for _n in $(sites_nodes "$1"); do
		lab_exec "$_sw" ip link set "$_n" down ||
		    atf_fail "sites: cannot set port $_n down"
	done
}

sites_site_up()
{
	_sw=sw
	[ "$1" = west ] && _sw=sw2
	for _n in $(sites_nodes "$1"); do
		lab_exec "$_sw" ip link set "$_n" up ||
		    atf_fail "sites: cannot set port $_n up"
	done
}

# _sites_hook_script: the one hook every service of every node runs.
# Besides NODE.SERVICE.hooks, every hook appends to sites.hooks, shared
# by the nodes (one clock), "TIME|NODE|SERVICE|EVENT|ROLE|SITE|CSITE":
# the order of events across nodes, for sites_exclusive.
_sites_hook_script()
{
	[ -x sites.hook ] && return 0
	cat > sites.hook <<EOF || atf_fail "sites: cannot write sites.hook"
#!/bin/sh
echo "\$HAFOD_EVENT \$HAFOD_ROLE \$HAFOD_SITE \$HAFOD_CONTROLLER_SITE" \\
    >> "$(pwd)/\$1.\$HAFOD_SERVICE.hooks"
printf '%s|%s|%s|%s|%s|%s|%s\\n' "\$(date +%s.%N)" "\$1" "\$HAFOD_SERVICE" \\
    "\$HAFOD_EVENT" "\$HAFOD_ROLE" "\$HAFOD_SITE" "\$HAFOD_CONTROLLER_SITE" \\
    >> "$(pwd)/sites.hooks"
EOF
	chmod 755 sites.hook || atf_fail "sites: cannot write sites.hook"
}

# sites_conf_head NODE: NODE.conf with the global lines only: lib.sh's,
# "site" and "quorum corosync policy strict".
sites_conf_head()
{
	lab_conf "$1.conf" x 1 0
	{
		echo "site $(sites_of "$1")"
		echo "quorum corosync policy strict"
		sed '/^service /,$d' "$1.conf"
	} > "$1.conf.tmp" && mv "$1.conf.tmp" "$1.conf" ||
	    atf_fail "sites: cannot write $1.conf"
}

# sites_conf_service NODE NAME VHID ADDRESS [LINE...]: a service block
# appended to NODE.conf: advskew 0 on n1 and n3, 100 on n2 and n4, hooks
# promote and demote to NODE.NAME.hooks, and the lines given.
sites_conf_service()
{
	_node=$1 _name=$2 _vhid=$3 _vip=$4
	shift 4
	_sites_hook_script
	_skew=0
	case $_node in
	n2|n4)	_skew=100 ;;
	esac
	_h="\"$(pwd)/sites.hook $_node\""
	lab_conf "$_node.svc.tmp" "$_name" "$_vhid" "$_skew" \
	    "address $_vip/24" "on promote $_h" "on demote $_h" "$@"
	sed -n '/^service /,$p' "$_node.svc.tmp" >> "$_node.conf" &&
	    rm -f "$_node.svc.tmp" || atf_fail "sites: cannot write $_node.conf"
}

# sites_conf NODE [ACROSS]: the lab's configuration of NODE: db across
# sites ("across sites prefer east west" unless ACROSS says otherwise),
# with hooks controller and standby too, and web, active-active.
sites_conf()
{
	_across=${2:-across sites prefer east west}
	_site=$(sites_of "$1")
	_h="\"$(pwd)/sites.hook $1\""
	sites_conf_head "$1"
	sites_conf_service "$1" db 1 "$(sites_vip "$_site" db)" "$_across" \
	    "on controller $_h" "on standby $_h"
	sites_conf_service "$1" web 2 "$(sites_vip "$_site" web)"
}

# sites_log NODE: the path of NODE's hafod log.
sites_log()
{
	echo "$(_coro_dir)/$1/hafod.out"
}

# sites_hafod NODE: hafod -dv with NODE.conf in NODE's namespaces, where
# its quorum process reaches NODE's corosync; PID in coro/NODE/hafod.pid.
sites_hafod()
{
	[ -f "$1.conf" ] || sites_conf "$1"
	_coro_spawn "$1" hafod "$(realpath "$HAFOD")" -dv -f "$(pwd)/$1.conf"
}

# sites_hafod_pid NODE: the PID of NODE's hafod, empty if not running.
sites_hafod_pid()
{
	coro_pid "$1" hafod
}

# sites_hafod_kill NODE [SIGNAL]: SIGKILL (or SIGNAL) to NODE's hafod,
# by its PID; waits until it is gone.
sites_hafod_kill()
{
	_coro_signal "$1" hafod "${2:-KILL}"
}

# sites_node_kill NODE...: the nodes die at once, as in a power cut:
# SIGKILL to hafod, corosync-qdevice and corosync of every NODE in one
# kill(1), then wait until all are gone.  One at a time would not do:
# corosync dead first, hafod would see quorum go and let go in order;
# hafod dead first, CPG would see it leave a membership change early.
# hafod alone killed is no dead node under the strict policy either: its
# corosync still stands for it, and no backup may claim while it does
# (hafod.8, ELECTION, Quorum).
sites_node_kill()
{
	_kp=""
	for _n in "$@"; do
		echo "$(date +%s.%N)|$_n|-|killed|||" >> sites.hooks
		for _d in hafod qdevice corosync; do
			_kp="$_kp $(coro_pid "$_n" "$_d")"
		done
	done
	[ -n "${_kp## }" ] || return 0
	kill -KILL $_kp || atf_fail "sites: cannot kill$_kp"
	for _p in $_kp; do
		_coro_poll 10 eval "! _coro_alive $_p" ||
		    atf_fail "sites: $_p does not die"
	done
	for _n in "$@"; do
		rm -f "$(_coro_dir)/$_n/hafod.pid" \
		    "$(_coro_dir)/$_n/qdevice.pid" \
		    "$(_coro_dir)/$_n/corosync.pid"
	done
}

# sites_site_kill SITE: the whole site dies at once, every node of it.
sites_site_kill()
{
	sites_node_kill $(sites_nodes "$1")
}

# sites_exclusive [SERVICE]: from sites.hooks, whether two nodes ever
# held the controller role of db (or SERVICE) at once: a node holds it
# from the start of its controller hook to the start of its next hook
# of that service (standby, demote, stop) or its death (sites_node_kill).
# Hooks are short, so the start of the next is as good as the end of the
# last.  Fails saying who and when; prints nothing when all is well.
sites_exclusive()
{
	[ -f sites.hooks ] || return 0
	sort -t '|' -k 1,1n sites.hooks | awk -F '|' -v svc="${1:-db}" '
	$4 == "killed" { delete held[$2]; next }
	$3 != svc { next }
	$4 == "controller" {
		for (n in held)
			if (n != $2) {
				printf "%s controller at %s while %s is " \
				    "(since %s)\n", $2, $1, n, held[n]
				bad = 1
			}
		held[$2] = $1
		next
	}
	{ delete held[$2] }
	END { exit bad }'
}

# sites_ctl NODE ARG...: hafoctl on NODE's socket.
sites_ctl()
{
	_node=$1
	shift
	"$HAFOCTL" -s "$(pwd)/$_node.sock" "$@"
}

# sites_show NODE [-j]: hafoctl [-j] show sites on NODE.
sites_show()
{
	if [ "$2" = -j ]; then
		sites_ctl "$1" -j show sites
	else
		sites_ctl "$1" show sites
	fi
}

# sites_json NODE EXPR: EXPR, Python on "j", the JSON of show sites, and
# "e", a function of an entity's name that gives its object; printed as
# JSON (null, true, "east" without quotes).  Fails if hafoctl does.
sites_json()
{
	sites_show "$1" -j > "$1.sites.json" 2>&1 || return 1
	"$PYTHON" -c '
import json, sys
j = json.load(open(sys.argv[1]))
def e(name):
    return [x for x in j["entities"] if x["name"] == name][0]
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))
' "$1.sites.json" "$2"
}

# sites_field NODE ENTITY FIELD: one field of an entity in NODE's show
# sites, e.g. controller, role, holder; "null" for none.
sites_field()
{
	sites_json "$1" "e(\"$2\")[\"$3\"]"
}

# sites_field_is NODE ENTITY FIELD VALUE
sites_field_is()
{
	[ "$(sites_field "$1" "$2" "$3" 2>/dev/null)" = "$4" ]
}

# sites_hooks NODE [SERVICE]: NODE's hook log of db (or SERVICE), one
# "EVENT ROLE SITE CONTROLLER_SITE" a line; empty if none ran.
sites_hooks()
{
	cat "$1.${2:-db}.hooks" 2>/dev/null
	return 0
}

# sites_state NODE SERVICE: the last state NODE's engine logged.
sites_state()
{
	sed -n "s/.* engine: $2: [A-Z]* -> \([A-Z]*\):.*/\1/p" \
	    "$(sites_log "$1")" 2>/dev/null | tail -n 1
}

sites_state_is()
{
	[ "$(sites_state "$1" "$2")" = "$3" ]
}

# sites_tail NODE...: the end of the nodes' hafod logs and hooks on
# stderr, for a failure message (which must stay one line).
sites_tail()
{
	for _h in "$@"; do
		echo "=== $(sites_log "$_h")" >&2
		tail -n 40 "$(sites_log "$_h")" >&2
		echo "=== $_h.db.hooks" >&2
		sites_hooks "$_h" >&2
	done
	echo "(hafod's logs of $* on stderr)"
}
