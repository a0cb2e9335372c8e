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

# Real corosync, corosync-qdevice and corosync-qnetd on the hosts of
# lib.sh's lab.  Source lib.sh first.
#
# Every daemon of a test lives in one PID namespace whose holder, an
# unshare(1) started by the test body, dies with the body (PR_SET_PDEATHSIG
# through setpriv(1)); when it dies the kernel kills all the namespace
# holds.  So a body that ends, fails or is killed leaves no daemon, and
# the cleanup part only has the network namespaces to remove
# (coro_destroy).
#
# Each host gets a private mount namespace inside the holder's, with its
# own tmpfs on /run, /var/lib/corosync, /var/log/corosync and /dev/shm:
# corosync refuses to start where another one's /run/corosync.pid is, and
# libqb's IPC keeps files in /dev/shm, so a client (corosync-quorumtool,
# hafod) must enter the mount namespace of the corosync it talks to:
# coro_exec does.  These mounts exist only inside the holder's namespace,
# so they vanish with it; the host's mount table is never touched.
#
# Node nI has nodeid I and address 192.0.2.I; the witness "w", which runs
# corosync-qnetd, is 192.0.2.250 on the same bridge, so that a node can be
# cut off from the witness alone, with the same filter as from a node.

CORO_WITNESS=192.0.2.250

# _coro_dir: the lab's own directory, absolute (nsenter --mount moves the
# command to /).
_coro_dir()
{
	echo "$(pwd)/coro"
}

# _coro_init: the PID, seen from the host, of the PID namespace's init.
_coro_init()
{
	if [ -z "$CORO_INIT" ]; then
		CORO_INIT=$(cat "$(_coro_dir)/init.pid" 2>/dev/null)
	fi
	[ -n "$CORO_INIT" ] || atf_fail "coro: no lab; call coro_lab_begin"
	echo "$CORO_INIT"
}

# _coro_alive PID: the process exists and is no zombie.
_coro_alive()
{
	[ -n "$1" ] && [ -e "/proc/$1/stat" ] &&
	    ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null
}

# _coro_child PID: PID's only child, if it has one yet.
_coro_child()
{
	_c=$(awk '{print $1}' "/proc/$1/task/$1/children" 2>/dev/null)
	[ -n "$_c" ] && echo "$_c"
}

# _coro_poll SECONDS CMD...: run CMD every 0.2 s until it succeeds; false
# after SECONDS.  Slower than wait_for: each try forks nsenter and a
# corosync client, and the machine is small.
_coro_poll()
{
	_climit=$(($1 * 5))
	shift
	_cn=0
	while [ "$_cn" -lt "$_climit" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_cn=$((_cn + 1))
	done
	return 1
}

# coro_lab N [witness]: lib.sh's lab of N nodes (and the client), the
# witness host "w" if asked, and the PID namespace with a mount namespace
# per host (coro_lab_begin).
coro_lab()
{
	coro_lab_required
	lab_create "$1"
	if [ "$2" = witness ]; then
		_lab_host w "$CORO_WITNESS" 2001:db8::250
	fi
	coro_lab_begin
}

# coro_lab_possible: whether this machine can make the lab's private mount
# namespaces.  Not inside a chroot whose / is no mount point: unshare(1)
# cannot make its propagation private there, and a mount namespace that
# shares its mounts with the host's must not mount over /run.
coro_lab_possible()
{
	unshare --mount --propagation private true 2>/dev/null
}

# coro_lab_required: skip the test, saying why, where there can be no lab.
coro_lab_required()
{
	coro_lab_possible ||
	    atf_skip "a private mount namespace cannot be made here" \
	    "(/ is no mount point, as in a chroot), and corosync needs" \
	    "one per node"
}

# coro_lab_begin: the PID namespace and a mount namespace for every host
# in lab.namespaces (the switches, sw, sw2 and so on, are no hosts).  Call
# it from the body itself, not from a subshell: the holder dies with the
# process that started it.
coro_lab_begin()
{
	coro_lab_required
	_d=$(_coro_dir)
	mkdir -p "$_d" || atf_fail "coro: cannot create $_d"
	# The init reaps what nsenter leaves to it, so that a dead daemon
	# is gone and not a zombie.
	setpriv --pdeathsig KILL unshare --pid --fork --kill-child \
	    --mount-proc --propagation private \
	    sh -c 'while :; do sleep 3600 & wait; done' \
	    > "$_d/init.log" 2>&1 &
	echo "$!" > "$_d/holder.pid"
	_coro_poll 5 _coro_child "$!" ||
	    atf_fail "coro: the PID namespace did not start"
	CORO_INIT=$(_coro_child "$(cat "$_d/holder.pid")")
	echo "$CORO_INIT" > "$_d/init.pid"
	while read -r _ns; do
		_host=${_ns#"$(lab_prefix)"-}
		case $_host in
		sw|sw[0-9]*)	continue ;;
		esac
		_coro_mntns "$_host"
	done < lab.namespaces
}

# _coro_mntns HOST: HOST's mount namespace, held by a process that only
# sleeps (coro/HOST/anchor.pid).  Not a namespace bound on a file: a
# second such bind in the holder's namespace fails (EINVAL) here, and a
# process needs no unmount.
_coro_mntns()
{
	_d=$(_coro_dir)
	mkdir -p "$_d/$1" || atf_fail "coro: cannot create $_d/$1"
	_init=$(_coro_init)
	nsenter --target "$_init" --mount --pid -- \
	    unshare --mount --propagation private sh -ec "
		mount -t tmpfs -o mode=755,size=16m coro-run /run
		mkdir -p /run/lock /run/corosync-qdevice /run/corosync-qnetd
		mount -t tmpfs -o mode=755,size=16m coro-lib /var/lib/corosync
		mount -t tmpfs -o mode=755,size=16m coro-log /var/log/corosync
		mount -t tmpfs -o mode=1777,size=64m coro-shm /dev/shm
		: > $_d/$1/anchor.ready
		exec sleep infinity
	" > "$_d/$1/anchor.out" 2>&1 &
	_coro_poll 5 test -f "$_d/$1/anchor.ready" ||
	    atf_fail "coro: no mount namespace for $1:" \
	    "$(coro_dump "$_d/$1/anchor.out")"
	_coro_child "$!" > "$_d/$1/anchor.pid" ||
	    atf_fail "coro: the mount namespace of $1 has no process"
}

# _coro_anchor HOST: the PID of the process that holds HOST's namespace.
_coro_anchor()
{
	_a=$(cat "$(_coro_dir)/$1/anchor.pid" 2>/dev/null)
	[ -n "$_a" ] || atf_fail "coro: no mount namespace for $1"
	echo "$_a"
}

# coro_exec HOST CMD...: run CMD in HOST's network and mount namespaces,
# inside the lab's PID namespace.  Paths must be absolute.  Exits as CMD.
coro_exec()
{
	_h=$1
	shift
	nsenter --pid="/proc/$(_coro_init)/ns/pid" \
	    --mount="/proc/$(_coro_anchor "$_h")/ns/mnt" \
	    --net="/run/netns/$(lab_ns "$_h")" -- "$@"
}

# _coro_spawn HOST NAME CMD...: CMD in the background on HOST, output to
# coro/HOST/NAME.out; the daemon's PID (not nsenter's) to
# coro/HOST/NAME.pid.
_coro_spawn()
{
	_h=$1 _name=$2 _d=$(_coro_dir)
	shift 2
	# nsenter itself, not coro_exec: a function in the background is
	# a subshell, and its child would not be the daemon's parent.
	# The paths are found first: a command substitution in a command
	# put in the background runs in a child of that command, which
	# _coro_child would take for the daemon.
	_pidns=/proc/$(_coro_init)/ns/pid
	_mntns=/proc/$(_coro_anchor "$_h")/ns/mnt
	_netns=/run/netns/$(lab_ns "$_h")
	nsenter --pid="$_pidns" --mount="$_mntns" --net="$_netns" -- "$@" \
	    > "$_d/$_h/$_name.out" 2>&1 &
	_coro_poll 5 _coro_child "$!" ||
	    atf_fail "coro: $_name did not start on $_h:" \
	    "$(coro_tail "$_h" "$_name")"
	_coro_child "$!" > "$_d/$_h/$_name.pid"
}

# _coro_signal HOST NAME SIGNAL: send SIGNAL, wait until the process is
# gone (10 s, then SIGKILL).
_coro_signal()
{
	_p=$(cat "$(_coro_dir)/$1/$2.pid" 2>/dev/null)
	_coro_alive "$_p" || atf_fail "coro: no $2 running on $1"
	kill "-$3" "$_p"
	if ! _coro_poll 10 eval "! _coro_alive $_p"; then
		kill -KILL "$_p"
		_coro_poll 5 eval "! _coro_alive $_p" ||
		    atf_fail "coro: $2 on $1 does not die"
	fi
	rm -f "$(_coro_dir)/$1/$2.pid"
}

# coro_pid HOST [NAME]: the host PID of corosync (or NAME: qdevice,
# qnetd) on HOST; empty if it is not running.
coro_pid()
{
	_p=$(cat "$(_coro_dir)/$1/${2:-corosync}.pid" 2>/dev/null)
	_coro_alive "$_p" && echo "$_p"
}

# coro_conf NODES [OPTION...]: a corosync.conf for each node of NODES
# ("1 2 3"), in coro/nI/corosync.conf.  Options:
#   votes=V1,V2,...   quorum_votes of each node, in the order of NODES
#   addrs=A1,A2,...   ring0_addr of each node, in the order of NODES
#                     (192.0.2.I for node I unless told)
#   two_node          votequorum's two_node
#   qdevice=ALGO      a quorum device, net model, qnetd on the witness,
#                     algorithm ffsplit or lms, tls off
#   uid=USER          who else than root may use the IPC (nobody)
#   token=MS          totem token (1000: failures are seen in about 2 s)
#   quorum=KEY:VALUE  another line in the quorum section
coro_conf()
{
	_nodes=$1 _d=$(_coro_dir)
	shift
	_votes="" _addrs="" _two=0 _algo="" _uid=nobody _token=1000 _qextra=""
	for _o in "$@"; do
		case $_o in
		votes=*)	_votes=$(echo "${_o#votes=}" | tr , ' ') ;;
		addrs=*)	_addrs=$(echo "${_o#addrs=}" | tr , ' ') ;;
		two_node)	_two=1 ;;
		qdevice=*)	_algo=${_o#qdevice=} ;;
		uid=*)		_uid=${_o#uid=} ;;
		token=*)	_token=${_o#token=} ;;
		quorum=*)	_qextra="$_qextra	${_o#quorum=}
" ;;
		*)		atf_fail "coro_conf: unknown option $_o" ;;
		esac
	done
	_count=$(echo $_nodes | wc -w)
	for _n in $_nodes; do
		mkdir -p "$_d/n$_n" || atf_fail "coro: cannot create $_d/n$_n"
		{
			echo "totem {"
			echo "	version: 2"
			echo "	cluster_name: hafodtest"
			echo "	transport: knet"
			echo "	token: $_token"
			echo "	crypto_cipher: none"
			echo "	crypto_hash: none"
			echo "	interface {"
			echo "		linknumber: 0"
			echo "		knet_transport: udp"
			echo "	}"
			echo "}"
			echo "logging {"
			echo "	to_stderr: no"
			echo "	to_syslog: no"
			echo "	to_logfile: yes"
			echo "	logfile: $_d/n$_n/corosync.log"
			echo "	timestamp: hires"
			echo "}"
			# No SCHED_RR 99 on a shared test machine, and no
			# move out of the test's cgroup.
			echo "system {"
			echo "	sched_rr: no"
			echo "	move_to_root_cgroup: no"
			echo "}"
			echo "uidgid {"
			echo "	uid: $_uid"
			echo "}"
			echo "nodelist {"
			_i=1
			for _m in $_nodes; do
				_v=$(echo $_votes | cut -d ' ' -f "$_i")
				_a=$(echo $_addrs | cut -d ' ' -f "$_i")
				echo "	node {"
				echo "		nodeid: $_m"
				echo "		name: n$_m"
				echo "		ring0_addr: ${_a:-192.0.2.$_m}"
				echo "		quorum_votes: ${_v:-1}"
				echo "	}"
				_i=$((_i + 1))
			done
			echo "}"
			echo "quorum {"
			echo "	provider: corosync_votequorum"
			[ "$_two" = 1 ] && echo "	two_node: 1"
			printf '%s' "$_qextra"
			if [ -n "$_algo" ]; then
				# Short timeouts, as the token: the device
				# votes where the majority is within seconds.
				# ffsplit wants one vote, the tie-breaker of
				# an even split; lms one less than the nodes.
				_dv=$((_count - 1))
				[ "$_algo" = ffsplit ] && _dv=1
				echo "	device {"
				echo "		votes: $_dv"
				echo "		model: net"
				echo "		timeout: 2000"
				echo "		sync_timeout: 5000"
				echo "		net {"
				echo "			host: $CORO_WITNESS"
				echo "			algorithm: $_algo"
				echo "			tls: off"
				echo "		}"
				echo "	}"
			fi
			echo "}"
		} > "$_d/n$_n/corosync.conf" ||
		    atf_fail "coro: cannot write $_d/n$_n/corosync.conf"
	done
}

# coro_start NODE: corosync -f on NODE with its coro_conf.  Does not wait
# for the membership: coro_wait_quorate does.
coro_start()
{
	_spawn_conf="$(_coro_dir)/$1/corosync.conf"
	[ -f "$_spawn_conf" ] || atf_fail "coro: no $_spawn_conf"
	_coro_spawn "$1" corosync corosync -f -c "$_spawn_conf"
}

# coro_stop NODE: SIGTERM, and wait until corosync is gone.
coro_stop()
{
	_coro_signal "$1" corosync TERM
}

# coro_kill NODE: SIGKILL, and wait until corosync is gone.
coro_kill()
{
	_coro_signal "$1" corosync KILL
}

# coro_qnetd_start: corosync-qnetd on the witness, without TLS.
coro_qnetd_start()
{
	_coro_spawn w qnetd corosync-qnetd -f -d -s off
	_coro_poll 10 coro_exec w corosync-qnetd-tool -l ||
	    atf_fail "coro: qnetd does not answer $(coro_tail w qnetd)"
}

# coro_qdevice_start NODE: corosync-qdevice on NODE, once its corosync
# answers: a qdevice that finds no corosync exits at once.
coro_qdevice_start()
{
	_coro_poll 20 coro_answers "$1" ||
	    atf_fail "coro: corosync on $1 does not answer: $(coro_tail "$1")"
	_coro_spawn "$1" qdevice corosync-qdevice -f -d
}

# coro_qnetd_stop / coro_qdevice_stop NODE: SIGTERM and wait.
coro_qnetd_stop()
{
	_coro_signal w qnetd TERM
}

coro_qdevice_stop()
{
	_coro_signal "$1" qdevice TERM
}

# coro_status NODE: corosync-quorumtool -s on NODE; fails as it does.
coro_status()
{
	coro_exec "$1" corosync-quorumtool -s
}

# coro_quorate NODE: corosync on NODE answers and says it is quorate.
# Neither this nor coro_inquorate holds when corosync does not answer.
coro_quorate()
{
	coro_status "$1" 2>/dev/null | grep -q '^Quorate: *Yes$'
}

# coro_answers NODE: corosync on NODE answers, quorate or not.
coro_answers()
{
	coro_status "$1" 2>/dev/null | grep -q '^Quorate:'
}

# coro_inquorate NODE: corosync on NODE answers and says it is not
# quorate.  corosync-quorumtool -s exits 2 then: read what it says.
coro_inquorate()
{
	coro_status "$1" 2>/dev/null | grep -q '^Quorate: *No$'
}

# coro_field NODE FIELD: a value of corosync-quorumtool -s, e.g.
# "Total votes", "Expected votes", "Quorum", "Nodes".
coro_field()
{
	coro_status "$1" 2>/dev/null |
	    sed -n "s/^$2: *\\([^ ]*\\).*/\\1/p"
}

# coro_votes_are NODE N: Total votes on NODE is N.
coro_votes_are()
{
	_coro_field_is "$1" "Total votes" "$2"
}

# coro_wait_quorate NODE SECONDS / coro_wait_inquorate NODE SECONDS:
# bounded waits; false on timeout.  Inquorate means corosync answers "No",
# not that it is unreachable.
coro_wait_quorate()
{
	_coro_poll "$2" coro_quorate "$1"
}

coro_wait_inquorate()
{
	_coro_poll "$2" coro_inquorate "$1"
}

# coro_wait_votes NODE N SECONDS: bounded wait for Total votes N.
coro_wait_votes()
{
	_coro_poll "$3" coro_votes_are "$1" "$2"
}

# coro_wait_nodes NODE N SECONDS: bounded wait until NODE's membership
# has N nodes (the qdevice is not one).
coro_wait_nodes()
{
	_coro_poll "$3" _coro_field_is "$1" Nodes "$2"
}

_coro_field_is()
{
	[ "$(coro_field "$1" "$2")" = "$3" ]
}

# coro_tail HOST [NAME]: the end of a daemon's log, for failure messages
# (to stderr; the message itself must stay one line).
coro_tail()
{
	_d=$(_coro_dir)/$1
	for _f in "$_d/${2:-corosync}.log" "$_d/${2:-corosync}.out"; do
		[ -s "$_f" ] || continue
		echo "=== $_f" >&2
		tail -n 30 "$_f" >&2
	done
	echo "(logs of ${2:-corosync} on $1 on stderr)"
}

# coro_dump FILE...: files to stderr, their names for a failure message,
# which must be one line.
coro_dump()
{
	for _f in "$@"; do
		echo "=== $_f" >&2
		cat "$_f" >&2
	done
	echo "(see $* on stderr)"
}

# Partitions: a bridge filter in the switch namespace, on the ports named
# after the hosts (n1, n2, ..., w, client).  Rules carry a comment so that
# a cut can be healed alone.

_coro_nft()
{
	lab_exec sw nft "$@" || atf_fail "coro: nft $* failed"
}

_coro_table()
{
	lab_exec sw nft list table bridge coro >/dev/null 2>&1 && return 0
	printf '%s\n' "table bridge coro {" \
	    "chain forward { type filter hook forward priority 0;" \
	    "policy accept; }" "}" | lab_exec sw nft -f - ||
	    atf_fail "coro: cannot create the bridge filter"
}

# coro_cut_oneway A B: frames from A to B are dropped.
coro_cut_oneway()
{
	_coro_table
	_coro_nft add rule bridge coro forward iifname "$1" oifname "$2" \
	    drop comment "\"$1-$2\""
}

# coro_cut A B: nothing passes between A and B, either way.
coro_cut()
{
	coro_cut_oneway "$1" "$2"
	coro_cut_oneway "$2" "$1"
}

# coro_isolate A: nothing passes to or from A (the link stays up).
coro_isolate()
{
	_coro_table
	_coro_nft add rule bridge coro forward iifname "$1" drop \
	    comment "\"$1-*\""
	_coro_nft add rule bridge coro forward oifname "$1" drop \
	    comment "\"*-$1\""
}

# coro_heal [A [B]]: remove every cut (no argument), those of A
# (isolation and cuts from or to A), or those between A and B.
coro_heal()
{
	lab_exec sw nft list table bridge coro >/dev/null 2>&1 || return 0
	if [ $# = 0 ]; then
		_coro_nft flush chain bridge coro forward
		return 0
	fi
	for _hd in $(lab_exec sw nft -a list chain bridge coro forward |
	    sed -n 's/.*comment "\([^"]*\)" # handle \([0-9]*\)$/\1=\2/p' |
	    while IFS='=' read -r _c _h; do
		if [ $# = 2 ]; then
			[ "$_c" = "$1-$2" ] || [ "$_c" = "$2-$1" ] || continue
		else
			case $_c in
			"$1-"*|*"-$1")	;;
			*)		continue ;;
			esac
		fi
		echo "$_h"
	    done); do
		_coro_nft delete rule bridge coro forward handle "$_hd"
	done
}

# coro_link_down HOST / coro_link_up HOST: the switch port of HOST down
# or up; HOST's eth0 loses or regains its carrier.
coro_link_down()
{
	lab_exec sw ip link set "$1" down ||
	    atf_fail "coro: cannot set port $1 down"
}

coro_link_up()
{
	lab_exec sw ip link set "$1" up ||
	    atf_fail "coro: cannot set port $1 up"
}

# coro_lab_end: kill the PID namespace now (everything in it dies).  The
# body may call it to check that; the lab is gone after the body anyway.
coro_lab_end()
{
	_hp=$(cat "$(_coro_dir)/holder.pid" 2>/dev/null)
	_ip=$(cat "$(_coro_dir)/init.pid" 2>/dev/null)
	# A PID from a file may be reused once the body is gone: only
	# kill it if it is still our unshare.
	if [ -n "$_hp" ] && grep -q '^unshare' "/proc/$_hp/cmdline" 2>/dev/null
	then
		kill -KILL "$_hp"
	fi
	_n=0
	while [ -n "$_ip" ] && _coro_alive "$_ip" && [ "$_n" -lt 50 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	CORO_INIT=""
	return 0
}

# coro_destroy: for the cleanup part: the PID namespace if it is still
# there, then lib.sh's lab_destroy (processes and network namespaces).
coro_destroy()
{
	coro_lab_end
	lab_destroy
}
