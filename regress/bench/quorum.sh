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

# make bench, section quorum: a partition of two nodes with quorum on
# corosync, in both policies of hafod.8 ELECTION, Quorum.  Sourced by
# bench.sh, which defines row, stats, probe and the rest.
#
# The lab is regress/netns/corosync.sh's, not the bench's: nodes n1 and
# n2 run corosync with a qdevice (ffsplit), the witness runs qnetd, and
# the link between the two nodes alone is cut, so that both still reach
# the witness and the client.  qnetd's ffsplit gives its vote to the
# lowest node id, n1, so n2 is made master: the master is on the side
# that loses, and the address has to move.  It lives in its own directory
# ($work/quorum), with its own prefix and its own PID namespace, beside
# the bench's lab.

QUORUM_CUTS=${BENCH_QUORUM_CUTS:-$(pick 10 3)}
QB_VIP=192.0.2.50
# How long the probe watches from the cut: past CARP's master-down timer
# (3.2 s) for fast; for strict past corosync's detection (about 2.5 s
# with token 1000) and the release bound (token + consensus + qdevice
# sync_timeout + token: 8.2 s with coro_conf's settings).
QB_WATCH_fast=8
QB_WATCH_strict=16
# After the heal, the holders are watched until both engines are quorate
# again and then this long: a backup whose quorum came back listens one
# master-down interval (3 s) before it may claim.
QB_SETTLE=5

. "$top/regress/netns/corosync.sh"

qb_dir()
{
	echo "$work/quorum"
}

# quorum_cleanup: for bench.sh's cleanup and the section's end: the
# address monitors of a cut under way, the PID namespace (every corosync,
# qnetd and hafod dies with it), then the network namespaces.  Once only:
# a PID kept for later may be another process's by then.
quorum_cleanup()
{
	if [ -n "$QB_MON" ]; then
		kill $QB_MON 2>/dev/null
		QB_MON=""
	fi
	[ -f "$(qb_dir)/lab.prefix" ] || return 0
	(cd "$(qb_dir)" && coro_destroy && rm -f lab.prefix)
}

# qb_lab: corosync, qdevice and qnetd up, both nodes quorate with the
# device's vote.  Runs in the bench's shell (coro_lab_begin must).
qb_lab()
{
	mkdir -p "$(qb_dir)/empty" && cd "$(qb_dir)" || return 1
	echo "hfbq$$" > lab.prefix
	coro_lab 2 witness
	coro_qnetd_start
	coro_conf "1 2" qdevice=ffsplit
	coro_start n1
	coro_start n2
	for _ql_n in n1 n2; do
		coro_wait_quorate "$_ql_n" 30 ||
		    atf_fail "quorum: $_ql_n is not quorate $(coro_tail "$_ql_n")"
	done
	coro_qdevice_start n1
	coro_qdevice_start n2
	coro_wait_votes n1 3 30 ||
	    atf_fail "quorum: no qdevice vote $(coro_tail n1)"
	# One transaction for both directions, so that the cut is one
	# instant; the comments are coro_cut's, so coro_heal undoes it.
	cat > cut.nft <<-EOF
	add table bridge coro
	add chain bridge coro forward {
		type filter hook forward priority 0; policy accept;
	}
	add rule bridge coro forward iifname "n1" oifname "n2" drop comment "n1-n2"
	add rule bridge coro forward iifname "n2" oifname "n1" drop comment "n2-n1"
	EOF
}

# qb_conf NODE ADVSKEW POLICY
qb_conf()
{
	{
		echo "quorum corosync policy $3"
		echo "user \"nobody\""
		echo "chroot \"$(qb_dir)/empty\""
		echo "socket \"$(qb_dir)/$1.sock\""
		echo "state \"$(qb_dir)/$1.state\""
		echo "service web {"
		echo "	interface eth0"
		echo "	vhid 1"
		echo "	advbase 1"
		echo "	advskew $2"
		echo "	password \"hafod-bench\""
		echo "	address $QB_VIP/24"
		echo "}"
	} > "$1.conf"
}

qb_log()
{
	echo "$(qb_dir)/coro/$1/hafod.out"
}

# qb_quorum_is NODE WORD: the engine's last word on quorum is WORD.
qb_quorum_is()
{
	[ "$(sed -n 's/.* engine: quorum: \(quorate\|not quorate\): .*/\1/p' \
	    "$(qb_log "$1")" | tail -n 1)" = "$2" ]
}

# qb_holders: the nodes that have the address, by name.
qb_holders()
{
	_qh=""
	for _qh_n in n1 n2; do
		has_vip "$_qh_n" "$QB_VIP" && _qh="$_qh $_qh_n"
	done
	echo "${_qh# }"
}

qb_holders_are()
{
	[ "$(qb_holders)" = "$1" ]
}

# qb_ready: the state every cut starts from: corosync and both engines
# quorate, n2 alone holds the address and n1 is its backup.
qb_ready()
{
	coro_quorate n1 && coro_quorate n2 && qb_quorum_is n1 quorate &&
	    qb_quorum_is n2 quorate && qb_holders_are n2 &&
	    [ "$(qb_state n1)" = BACKUP ] && [ "$(qb_state n2)" = MASTER ]
}

# qb_state NODE: the last state NODE's engine logged for the service.
qb_state()
{
	sed -n 's/.* engine: web: [A-Z]* -> \([A-Z]*\):.*/\1/p' \
	    "$(qb_log "$1")" | tail -n 1
}

# qb_start POLICY: hafod on both nodes, afresh: n2 first, so that it is
# master, then n1.
qb_start()
{
	for _qs_n in n2 n1; do
		[ -n "$(coro_pid "$_qs_n" hafod)" ] &&
		    _coro_signal "$_qs_n" hafod TERM
	done
	rm -f n1.state n2.state
	qb_conf n2 0 "$1"
	qb_conf n1 50 "$1"
	_coro_spawn n2 hafod "$HAFOD" -dv -f "$(qb_dir)/n2.conf"
	wait_for 20 qb_holders_are n2 ||
	    atf_fail "quorum: n2 does not take the address at start"
	_coro_spawn n1 hafod "$HAFOD" -dv -f "$(qb_dir)/n1.conf"
	wait_for 20 qb_ready ||
	    atf_fail "quorum: n1 and n2 not ready at start ($(qb_holders))"
}

# qb_restore POLICY: back to n2 master.  hafoctl promote on n2 is quick;
# it is refused while n2's engine still listens out the master-down
# interval after regaining quorum (rule 3), hence the tries.  If it never
# works, both hafods start again.
qb_restore()
{
	wait_for 30 qb_quorum_is n2 quorate
	_qr_i=0
	while ! qb_ready && [ "$_qr_i" -lt 20 ]; do
		"$HAFOCTL" -s "$(qb_dir)/n2.sock" promote web >/dev/null 2>&1 &&
		    wait_for 5 qb_ready && break
		sleep 0.5
		_qr_i=$((_qr_i + 1))
	done
	if ! qb_ready; then
		note "quorum $1: promote did not restore n2; restarting hafod"
		qb_start "$1"
	fi
	# n2's announcements (3, 1 s apart) are done before the next cut.
	sleep 2
}

# qb_monitor NODE OUT: ip monitor of NODE's addresses, with a time
# stamp for each change.  netlink sends the notification in the system
# call that changes the address, and ip stamps it when it reads it: at
# the probe's real-time priority that is within microseconds, so each
# node's add and del are known to well under a millisecond.  Its PID,
# ip's own (nsenter and chrt exec), goes to QB_MON.
qb_monitor()
{
	if [ "$RT" -gt 0 ]; then
		set -- "$1" "$2" chrt -f "$RT"
	else
		set -- "$1" "$2"
	fi
	_qm_n=$1 _qm_out=$2
	shift 2
	nsenter --net="/run/netns/$(lab_ns "$_qm_n")" "$@" \
	    ip -ts monitor address dev eth0 > "$_qm_out" 2>&1 &
	QB_MON="$QB_MON $!"
}

# qb_analyze VIP FROM HEAL END HOLDERS MON1 MON2: from the two monitors'
# add and del of VIP, with HOLDERS holding it at FROM (epoch seconds):
#   overlap  ms two nodes held it at once, FROM to END
#   heal     ms from HEAL until one node alone held it for good ("-" if
#            that is not so at END)
#   cutend   who held it at HEAL
#   takeover epoch of n1's first add after FROM ("-" if none)
qb_analyze()
{
	python3 - "$@" <<-'EOF'
	import datetime, re, sys
	vip, t0, th, te, init = sys.argv[1], float(sys.argv[2]), \
	    float(sys.argv[3]), float(sys.argv[4]), sys.argv[5].split()
	pat = re.compile(r"^\[(\S+)\] (Deleted )?\d+: \S+\s+inet ([0-9.]+)/")
	ev = []
	for node, path in (("n1", sys.argv[6]), ("n2", sys.argv[7])):
	    for line in open(path):
	        m = pat.match(line)
	        if m is None or m.group(3) != vip:
	            continue
	        # ip stamps in local time, as date(1) and hafod's log.
	        t = datetime.datetime.fromisoformat(m.group(1)).timestamp()
	        if t0 <= t <= te:
	            ev.append((t, node, m.group(2) is None))
	ev.sort()
	held = {"n1": "n1" in init, "n2": "n2" in init}
	overlap, last, at_heal, takeover = 0.0, t0, None, "-"
	settled = th
	for t, node, on in ev + [(te, None, None)]:
	    if at_heal is None and t >= th:
	        at_heal = " ".join(n for n in ("n1", "n2") if held[n]) or "-"
	    if held["n1"] and held["n2"]:
	        overlap += t - last
	    last = t
	    if node is None:
	        break
	    if on and node == "n1" and takeover == "-":
	        takeover = "%.6f" % t
	    if held[node] != on and t >= th:
	        settled = t
	    held[node] = on
	one = sum(held.values()) == 1
	print("%.3f %s %s %s" % (overlap * 1000,
	    "%.3f" % ((settled - th) * 1000) if one else "-", at_heal,
	    takeover))
	EOF
}

# qb_cut POLICY RUN: one cut, figures appended to q-POLICY.overlap,
# .dark and .heal.
qb_cut()
{
	_qc_p=$1 _qc_r=$2 _qc_tag=q-$1-$2
	if ! qb_ready; then
		note "quorum $_qc_p cut $_qc_r: not at n2 master, all quorate;" \
		    "skipped"
		return 1
	fi
	QB_MON=""
	qb_monitor n1 "$_qc_tag-n1.mon"
	qb_monitor n2 "$_qc_tag-n2.mon"
	# ip subscribes as it starts; no line says it has.
	sleep 0.5
	_qc_from=$(date +%s.%N)
	_qc_init=$(qb_holders)
	eval "_qc_watch=\$QB_WATCH_$_qc_p"
	_qc_cut="nsenter --net=/run/netns/$(lab_ns sw) nft -f $(qb_dir)/cut.nft"
	probe "$_qc_tag.json" --target "$QB_VIP" --event-at 0.5 \
	    --duration "$(calc "0.5 + $_qc_watch")" --event "exec:$_qc_cut"
	_qc_probe_end=$(date +%s.%N)
	coro_heal n1 n2
	_qc_heal=$(date +%s.%N)
	wait_for 30 qb_quorum_is n2 quorate ||
	    note "quorum $_qc_p cut $_qc_r: n2 not quorate 30 s after the heal"
	sleep "$QB_SETTLE"
	_qc_end=$(date +%s.%N)
	kill $QB_MON 2>/dev/null
	for _qc_m in $QB_MON; do
		wait "$_qc_m" 2>/dev/null
	done
	QB_MON=""
	if [ "$(get "$_qc_tag.json" event_rc)" != 0 ]; then
		note "quorum $_qc_p cut $_qc_r: the cut failed; no figures"
		qb_restore "$_qc_p"
		return 1
	fi
	set -- $(qb_analyze "$QB_VIP" "$_qc_from" "$_qc_heal" "$_qc_end" \
	    "$_qc_init" "$_qc_tag-n1.mon" "$_qc_tag-n2.mon")
	_qc_ov=$1 _qc_heal_ms=$2 _qc_at=$3 _qc_take=$4
	echo "$_qc_ov" >> "q-$_qc_p.overlap"
	echo "$_qc_heal_ms" >> "q-$_qc_p.heal"
	# A gap still open when the probe stopped is not measured: only
	# count the outage when n1 had the address well before the end.
	if [ "$_qc_take" != "-" ] &&
	    [ "$(calc "($_qc_probe_end - 0.5 > $_qc_take)")" = 1.000000 ]
	then
		get "$_qc_tag.json" max_gap_ms >> "q-$_qc_p.dark"
	else
		note "quorum $_qc_p cut $_qc_r: n1 had not taken over when" \
		    "the probe stopped; no outage figure"
	fi
	[ "$_qc_at" = n1 ] ||
	    note "quorum $_qc_p cut $_qc_r: '$_qc_at' held the address" \
	    "at the heal, not n1"
	note "quorum $_qc_p cut $_qc_r: two holders $_qc_ov ms, dark" \
	    "$(get "$_qc_tag.json" max_gap_ms) ms, one master" \
	    "$_qc_heal_ms ms after the heal"
	qb_restore "$_qc_p"
}

section_quorum()
{
	for _sq_x in corosync corosync-qdevice corosync-qnetd nft setpriv; do
		if ! command -v "$_sq_x" >/dev/null 2>&1; then
			note "quorum: $_sq_x is missing (make deps); skipped"
			return 0
		fi
	done
	if ! coro_lab_possible; then
		note "quorum: no private mount namespace here (a chroot?);" \
		    "skipped"
		return 0
	fi
	_sq_top=$(pwd)
	qb_lab
	for _sq_p in fast strict; do
		rm -f "q-$_sq_p".*
		qb_start "$_sq_p"
		_sq_i=1
		while [ "$_sq_i" -le "$QUORUM_CUTS" ]; do
			qb_cut "$_sq_p" "$_sq_i"
			_sq_i=$((_sq_i + 1))
		done
	done
	cd "$_sq_top" || return 1
	quorum_cleanup
	_sq_t="Partition, 2 nodes + qnetd (ffsplit), link between them cut"
	_sq_set="advbase 1, token 1000"
	for _sq_p in fast strict; do
		_sq_d=quorum/q-$_sq_p
		if [ "$_sq_p" = strict ]; then
			_sq_tg="never (0 ms in every cut)"
			_sq_v=$(verdict "$_sq_d.overlap" '<=' 0 max)
		else
			_sq_tg="" _sq_v="-"
		fi
		row "$_sq_t" "policy $_sq_p: two holders at once" "$_sq_set" \
		    "$_sq_d.overlap" ms "$_sq_tg" "$_sq_v"
		row "" "policy $_sq_p: client dark" "$_sq_set" "$_sq_d.dark" \
		    ms "" "-"
		row "" "policy $_sq_p: one master after heal" "$_sq_set" \
		    "$_sq_d.heal" ms "" "-"
		_sq_t=""
	done
}
