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

# A small lab of hosts for the regress tests: a "switch" namespace with a
# bridge, nodes n1..nN and a client, each with eth0 on that bridge.
#   node i:  192.0.2.i/24,   2001:db8::i/64
#   client:  192.0.2.200/24, 2001:db8::200/64
# Everything created is recorded in the test's work directory, so the
# cleanup part removes exactly that: the namespaces, and the processes by
# the PIDs we started.  Nothing here touches the host's own network.

HAFOD=${HAFOD:-$(atf_get_srcdir)/../../obj/bin/hafod}
HAFOCTL=${HAFOCTL:-$(atf_get_srcdir)/../../obj/bin/hafoctl}

# A prefix unique to this test run, kept in the work directory.
lab_prefix()
{
	if [ ! -f lab.prefix ]; then
		echo "hf$$" > lab.prefix
	fi
	cat lab.prefix
}

lab_ns()
{
	echo "$(lab_prefix)-$1"
}

# lab_nsexec NAMESPACE CMD...: run a command in a namespace's network.
# Not "ip netns exec": that also makes a mount namespace, which fails
# where / is no mount point (a chroot), and the tests need none.  The
# command keeps nsenter's PID, so its PID is the one we started.
lab_nsexec()
{
	_nsname=$1
	shift
	nsenter --net="/run/netns/$_nsname" "$@"
}

# lab_exec NODE CMD...: run a command in n1, n2, ... or "client".
lab_exec()
{
	_ns=$(lab_ns "$1")
	shift
	lab_nsexec "$_ns" "$@"
}

# _lab_host NAME V4 V6 [SWITCH]: host NAME, its eth0 on the bridge of
# SWITCH (sw unless told), by a port named NAME.
_lab_host()
{
	_name=$1 _v4=$2 _v6=$3 _ns=$(lab_ns "$1") _sw=$(lab_ns "${4:-sw}")
	ip netns add "$_ns" || atf_fail "cannot create namespace $_ns"
	echo "$_ns" >> lab.namespaces
	ip link add eth0 netns "$_ns" type veth peer name "$_name" \
	    netns "$_sw" || atf_fail "cannot create veth for $_name"
	lab_nsexec "$_sw" ip link set "$_name" master br0 up
	lab_nsexec "$_ns" ip link set lo up
	lab_nsexec "$_ns" ip link set eth0 up
	lab_nsexec "$_ns" ip addr add "$_v4/24" dev eth0
	lab_nsexec "$_ns" ip addr add "$_v6/64" dev eth0 nodad
}

# _lab_switch NAME: a switch namespace NAME (sw, ...) with its bridge br0.
_lab_switch()
{
	_sw=$(lab_ns "$1")
	ip netns add "$_sw" || atf_fail "cannot create namespace $_sw"
	echo "$_sw" >> lab.namespaces
	lab_nsexec "$_sw" ip link add br0 type bridge
	# Forward at once; a bridge that learns slowly would hide failovers.
	lab_nsexec "$_sw" ip link set br0 type bridge forward_delay 0 \
	    mcast_snooping 0
	lab_nsexec "$_sw" ip link set br0 up
}

# lab_create N: the switch, nodes n1..nN and the client.
lab_create()
{
	: > lab.namespaces
	: > lab.pids
	_lab_switch sw
	_i=1
	while [ "$_i" -le "$1" ]; do
		_lab_host "n$_i" "192.0.2.$_i" "2001:db8::$_i"
		_i=$((_i + 1))
	done
	_lab_host client 192.0.2.200 2001:db8::200
	# Wait until every IPv6 link-local address is usable (bounded): a
	# service with IPv6 addresses only would start in LINKDOWN on a
	# node whose address is still tentative, and its transitions would
	# depend on the race.
	_tries=0
	while _lab_tentative "$1"; do
		[ "$_tries" -lt 100 ] ||
		    atf_fail "IPv6 addresses still tentative after 10 s"
		sleep 0.1
		_tries=$((_tries + 1))
	done
}

# _lab_tentative N: one of nodes n1..nN or the client has a tentative
# IPv6 address yet.
_lab_tentative()
{
	for _h in $(seq 1 "$1" | sed 's/^/n/') client; do
		lab_exec "$_h" ip -6 addr show dev eth0 tentative |
		    grep -q inet6 && return 0
	done
	return 1
}

# lab_segment N: a second segment, br1, with eth1 on nodes n1..nN
# (198.51.100.i/24) and a second client, client2 (198.51.100.200/24).
lab_segment()
{
	_sw=$(lab_ns sw)
	lab_nsexec "$_sw" ip link add br1 type bridge
	lab_nsexec "$_sw" ip link set br1 type bridge forward_delay 0 \
	    mcast_snooping 0
	lab_nsexec "$_sw" ip link set br1 up
	_i=1
	while [ "$_i" -le "$1" ]; do
		_ns=$(lab_ns "n$_i")
		ip link add eth1 netns "$_ns" type veth peer name "n${_i}b" \
		    netns "$_sw" || atf_fail "cannot create eth1 for n$_i"
		lab_nsexec "$_sw" ip link set "n${_i}b" master br1 up
		lab_nsexec "$_ns" ip link set eth1 up
		lab_nsexec "$_ns" ip addr add "198.51.100.$_i/24" dev eth1
		_i=$((_i + 1))
	done
	_ns=$(lab_ns client2)
	ip netns add "$_ns" || atf_fail "cannot create namespace $_ns"
	echo "$_ns" >> lab.namespaces
	ip link add eth0 netns "$_ns" type veth peer name client2 \
	    netns "$_sw" || atf_fail "cannot create veth for client2"
	lab_nsexec "$_sw" ip link set client2 master br1 up
	lab_nsexec "$_ns" ip link set lo up
	lab_nsexec "$_ns" ip link set eth0 up
	lab_nsexec "$_ns" ip addr add 198.51.100.200/24 dev eth0
}

_lab_any_alive()
{
	while read -r _pid; do
		kill -0 "$_pid" 2>/dev/null && return 0
	done < lab.pids
	return 1
}

# lab_destroy: kill what we started (by PID), then remove the namespaces.
lab_destroy()
{
	if [ -f lab.pids ]; then
		while read -r _pid; do
			kill -TERM "$_pid" 2>/dev/null
		done < lab.pids
		# Half a second to stop, as politely asked; no longer.
		_tries=0
		while [ "$_tries" -lt 10 ] && _lab_any_alive; do
			sleep 0.05
			_tries=$((_tries + 1))
		done
		while read -r _pid; do
			kill -KILL "$_pid" 2>/dev/null
		done < lab.pids
	fi
	if [ -f lab.namespaces ]; then
		while read -r _ns; do
			ip netns pids "$_ns" 2>/dev/null | xargs -r kill -KILL
			ip netns del "$_ns" 2>/dev/null
		done < lab.namespaces
	fi
	return 0
}

# lab_spawn NODE LOG CMD...: start a command in the background in NODE,
# output to LOG; its PID goes to LAB_PID and to the cleanup's list.  Not
# in a subshell, so that the test can wait(1) for it.
lab_spawn()
{
	_node=$1 _log=$2
	shift 2
	nsenter --net="/run/netns/$(lab_ns "$_node")" "$@" > "$_log" 2>&1 &
	LAB_PID=$!
	echo "$LAB_PID" >> lab.pids
}

# lab_hafod NODE CONF: start hafod -dv on NODE; its PID is in NODE.pid,
# its log in NODE.log.
lab_hafod()
{
	rm -f "$1.mark"
	lab_spawn "$1" "$1.log" "$HAFOD" -dv -f "$2"
	echo "$LAB_PID" > "$1.pid"
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for()
{
	_limit=$(($1 * 20))
	shift
	_n=0
	while [ "$_n" -lt "$_limit" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		_n=$((_n + 1))
	done
	return 1
}

# state_of NODE SERVICE: the last state the engine logged for SERVICE.
state_of()
{
	sed -n "s/.* engine: $2: [A-Z]* -> \([A-Z]*\):.*/\1/p" \
	    "$1.log" 2>/dev/null | tail -n 1
}

is_state()
{
	[ "$(state_of "$1" "$2")" = "$3" ]
}

# Where the order is the rule, the whole sequence of state changes is
# compared, as ifstated's regress diffs its own: a preempt is one
# "BACKUP -> MASTER", and a master that flapped through BACKUP on the
# way would end in the same state but not pass.

# lab_mark NODE: NODE's transitions count from here on, for a test that
# asserts what follows an event and not how the node got there.  A new
# log (lab_hafod) starts without a mark.
lab_mark()
{
	wc -l < "$1.log" > "$1.mark" || atf_fail "cannot mark $1.log"
}

# lab_transitions NODE SERVICE: "OLD -> NEW" for each state change the
# engine of NODE logged for SERVICE since the mark, one a line, in order.
lab_transitions()
{
	_tr_skip=0
	[ -f "$1.mark" ] && _tr_skip=$(cat "$1.mark")
	tail -n "+$((_tr_skip + 1))" "$1.log" 2>/dev/null |
	    sed -n "s/.* engine: $2: \([A-Z]*\) -> \([A-Z]*\): .*/\1 -> \2/p"
}

# _lab_joined: lines on stdin as one, "A, B, C", for a one-line message.
_lab_joined()
{
	awk '{ printf "%s%s", sep, $0; sep = ", " } END { print "" }'
}

# lab_expect_transitions NODE SERVICE [TRANSITION...]: NODE's transitions
# of SERVICE are exactly these, "INIT -> BACKUP" and so on; none given,
# none at all.  On a mismatch both lists and the log go to stderr.
lab_expect_transitions()
{
	_tr_node=$1 _tr_svc=$2
	shift 2
	_tr_want=$(printf '%s\n' "$@")
	_tr_got=$(lab_transitions "$_tr_node" "$_tr_svc")
	[ "$_tr_got" = "$_tr_want" ] && return 0
	{
		echo "=== $_tr_node $_tr_svc: want"
		printf '%s\n' "$_tr_want"
		echo "=== $_tr_node $_tr_svc: got"
		printf '%s\n' "$_tr_got"
		echo "=== $_tr_node.log"
		cat "$_tr_node.log"
	} >&2
	_tr_want=$(echo "$_tr_want" | _lab_joined)
	_tr_got=$(echo "$_tr_got" | _lab_joined)
	atf_fail "$_tr_node $_tr_svc: want [$_tr_want], got [$_tr_got]"
}

# lab_await_transitions SECONDS NODE SERVICE TRANSITION...: wait until
# NODE's transitions of SERVICE are these, then as lab_expect_transitions.
# A sequence that has left the expected one cannot come back to it: the
# wait ends there and then.
lab_await_transitions()
{
	_tr_limit=$(($1 * 20)) _tr_node=$2 _tr_svc=$3
	shift 3
	_tr_want=$(printf '%s\n' "$@")
	_tr_n=0
	while [ "$_tr_n" -lt "$_tr_limit" ]; do
		_tr_got=$(lab_transitions "$_tr_node" "$_tr_svc")
		[ "$_tr_got" = "$_tr_want" ] && return 0
		case "$_tr_want" in
		"$_tr_got"*)
			;;
		*)
			break
			;;
		esac
		sleep 0.05
		_tr_n=$((_tr_n + 1))
	done
	lab_expect_transitions "$_tr_node" "$_tr_svc" "$@"
}

# has_vip NODE ADDR: the address is configured on NODE's eth0.
has_vip()
{
	lab_exec "$1" ip -o addr show dev eth0 | grep -q " ${2}/"
}

lacks_vip()
{
	! has_vip "$@"
}

# proc_gone PID: exited (a zombie counts: the shell may not have reaped).
proc_gone()
{
	[ ! -e "/proc/$1/stat" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}

# engine_pid PARENTPID: the parent's child whose title says "engine";
# hooks, checks and the quorum process are its children too, and
# /proc/PID/task/PID/children is not to be trusted while they come and go.
engine_pid()
{
	for _child in $(pgrep -P "$1"); do
		case "$(tr '\0' ' ' < "/proc/$_child/cmdline" 2>/dev/null)" in
		*engine*)
			echo "$_child"
			return 0
			;;
		esac
	done
	return 1
}

# A configuration for one node; extra lines for the service block follow.
# lab_conf FILE SERVICE VHID ADVSKEW [LINES...]
lab_conf()
{
	_file=$1 _svc=$2 _vhid=$3 _skew=$4
	shift 4
	mkdir -p empty
	{
		echo "user \"nobody\""
		echo "chroot \"$(pwd)/empty\""
		echo "socket \"$(pwd)/${_file%.conf}.sock\""
		echo "state \"$(pwd)/${_file%.conf}.state\""
		echo "service $_svc {"
		echo "	interface eth0"
		echo "	vhid $_vhid"
		echo "	advbase 1"
		echo "	advskew $_skew"
		echo "	password \"hafod-test\""
		for _l in "$@"; do
			echo "	$_l"
		done
		echo "}"
	} > "$_file"
}
