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

# make demo-sites: one controller across two sites (hafod.8, ACROSS
# SITES), live, in network namespaces: sites east (n1 n2) and west (n3
# n4), a witness at a third site, a router between them
# (regress/netns/sites.sh). A replica of "db" runs on every node; hafod
# tells the local master of each site whether it is the controller or
# stands by. The controller's node dies, then the whole controller site.
# Everything it creates (namespaces hfsdemoPID-*, a PID namespace
# holding every daemon, a work directory) goes on exit, Ctrl-C included.
# Environment: DEMO_KEEP=1 keeps the work directory (configs, logs).

if [ "$(id -u)" != 0 ]; then
	echo "make demo-sites: must run as root: it creates network" \
	    "namespaces and runs corosync and hafod in them" >&2
	exit 1
fi

top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
HAFOD=$top/obj/bin/hafod
HAFOCTL=$top/obj/bin/hafoctl
for _b in "$HAFOD" "$HAFOCTL"; do
	if [ ! -x "$_b" ]; then
		echo "make demo-sites: $_b is missing: run make first" >&2
		exit 1
	fi
done
for _t in ip nft awk python3 setpriv unshare nsenter corosync \
    corosync-qdevice corosync-qnetd; do
	if ! command -v "$_t" >/dev/null 2>&1; then
		echo "make demo-sites: $_t is missing: run make deps" >&2
		exit 1
	fi
done

# The lab's libraries are written for atf-sh; these are all they need.
atf_fail()
{
	echo "make demo-sites: $*" >&2
	exit 1
}

atf_skip()
{
	echo "make demo-sites: cannot run here: $*" >&2
	exit 1
}

atf_get_srcdir()
{
	echo "$top/regress/netns"
}

. "$top/regress/netns/lib.sh"
. "$top/regress/netns/corosync.sh"
. "$top/regress/netns/sites.sh"

work=$(mktemp -d /tmp/hafod-demo-sites.XXXXXX) || exit 1
chmod 755 "$work"
cd "$work" || exit 1
echo "hfsdemo$$" > lab.prefix

demo_name="make demo-sites"
demo_destroy=coro_destroy
. "$top/regress/demolib.sh"

# told: what the replicas were told since the last time, in order.
told()
{
	_n=$(cat told.seen 2>/dev/null || echo 0)
	sort -s -k1,1 app.out 2>/dev/null | tail -n +"$((_n + 1))" | indent
	wc -l 2>/dev/null < app.out > told.seen
}

# was_told NODE EVENT: NODE's replica was last told EVENT (controller,
# standby, ...).
was_told()
{
	[ "$(awk -v n="$1" '$1 == n { w = $2 } END { print w }' \
	    app.events 2>/dev/null)" = "$2" ]
}

# The replica of the demo: it says what hafod told it, as a line in
# app.out, and app.events keeps "NODE EVENT" for the script.
app_script()
{
	cat > app.sh <<-EOF
	#!/bin/sh
	# app.sh NODE: run by hafod on NODE for every event of db.
	case \$HAFOD_EVENT in
	controller)
		what="${B}you are the controller${N} of \$HAFOD_SERVICE" ;;
	standby)
		what="stand by: site \$HAFOD_CONTROLLER_SITE is the controller" ;;
	promote)
		what="this node is site \$HAFOD_SITE's local master" ;;
	demote)
		what="no longer the local master (role \$HAFOD_ROLE)" ;;
	*)
		what="\$HAFOD_EVENT (role \$HAFOD_ROLE)" ;;
	esac
	echo "\$(date +%T.%3N) replica on \$1 (\$HAFOD_SITE): \$what" \\
	    >> "$work/app.out"
	echo "\$1 \$HAFOD_EVENT" >> "$work/app.events"
	EOF
	chmod 755 app.sh
}

# conf NODE: sites.sh's global lines, and db across sites with app.sh on
# every event; n1 and n3 rank first in their site.  Quorum policy fast:
# inside a site CARP decides at its own speed (strict would wait for
# corosync and the release bound there too); across sites the role
# waits for them whatever the policy.
conf()
{
	sites_conf_head "$1"
	sed -i 's/^\(quorum corosync policy\) strict$/\1 fast/' "$1.conf"
	_skew=0
	case $1 in
	n2|n4)	_skew=100 ;;
	esac
	_h="\"$work/app.sh $1\""
	printf '%s\n' "service db {" "	interface eth0" "	vhid 1" \
	    "	advbase 1" "	advskew $_skew" "	password \"hafod-demo\"" \
	    "	address $(sites_vip "$(sites_of "$1")" db)/24" \
	    "	across sites prefer east west" "	on controller $_h" \
	    "	on standby $_h" "	on promote $_h" "	on demote $_h" "}" \
	    >> "$1.conf"
	"$HAFOD" -n -f "$1.conf" >/dev/null 2>hafod-n.err ||
	    atf_fail "hafod -n rejects $1.conf: $(cat hafod-n.err)"
}

echo "${B}hafod sites demo${N}: two sites of two nodes, a witness at a" \
    "third site, a router between them."
echo "Work directory $work, namespaces $(lab_prefix)-*;" \
    "all removed on exit or Ctrl-C."

step "Building the lab and starting corosync on the four nodes"
say "site east:    n1 $(sites_addr n1), n2 $(sites_addr n2)  (one LAN)"
say "site west:    n3 $(sites_addr n3), n4 $(sites_addr n4)  (another)"
say "site witness: corosync-qnetd at $CORO_WITNESS, a vote for the side" \
    "it reaches"
say "router r between the three: CARP stays inside each site, corosync"
say "crosses the WAN"
sites_lab
say "corosync: $(coro_field n1 Nodes) nodes, $(coro_field n1 \
    "Total votes") votes (one a node, one the witness), quorum" \
    "$(coro_field n1 Quorum)"

step "Configuring hafod: service db, one controller across the sites"
app_script
for _n in $SITES_NODES; do
	conf "$_n"
done
say "n1.conf (n2's differs in its advskew, west's in site and address):"
indent < n1.conf
say "policy fast: inside a site CARP decides at its own speed; across"
say "sites the role waits for corosync whatever the policy"
say "(hafod.8, ACROSS SITES)."
say "app.sh stands for the application's replica: it says what it is told."

step "Starting hafod on the four nodes"
for _n in $SITES_NODES; do
	sites_hafod "$_n"
done
say "each site elects its local master by CARP, on its own LAN; the"
say "sites agree over corosync which one holds the role: east, preferred"
wait_for 30 was_told n1 controller ||
    atf_fail "n1 was not told it is the controller: $(tail "$(sites_log n1)")"
wait_for 15 was_told n3 standby ||
    atf_fail "n3 was not told to stand by: $(tail "$(sites_log n3)")"
step "n1 controls db; n3, west's local master, stands by"
told
say "${B}hafoctl show sites${N} on n4:"
sites_show n4 | indent

step "n1 dies (hafod and corosync killed): the role stays in site east"
sites_node_kill n1
wait_for 15 was_told n2 controller ||
    atf_fail "n2 was not told it is the controller: $(tail "$(sites_log n2)")"
step "n2 is east's local master now, and the controller"
told
say "no vote across the WAN: every node of east knew its site has the"
say "role, so n2 took it at CARP's speed"
# Once corosync has dropped n1, n2's word that it holds the role
# reaches west: from then on, losing east means losing n2.
wait_for 30 sites_field_is n3 db holder n2 ||
    atf_fail "west does not see n2 hold the role: $(sites_show n3)"
say "corosync has dropped n1 meanwhile; west sees n2 hold the role:"
sites_show n3 | sed -n '/^db:/p' | indent

_bound=$(sed -n 's/.*; release \([0-9]*\) ms$/\1/p' "$(sites_log n3)" |
    tail -n 1)
_token=$(coro_exec n3 corosync-cmapctl -g runtime.config.totem.token |
    sed -n 's/.* = //p')
step "Site east is lost: power cut (every daemon of n1 and n2 killed)"
_cut=$(now_ms)
sites_site_kill east
say "corosync in west notices once its token (${_token:-?} ms here) and"
say "consensus timeouts pass; west then waits the release bound,"
say "${_bound:-?} ms: by then east, had it lived on cut off, would have"
say "seen that it lost quorum and let go"
wait_for 40 was_told n3 controller ||
    atf_fail "n3 was not told it is the controller: $(tail "$(sites_log n3)")"
_took=$(($(now_ms) - _cut))
step "n3, west's local master, is told it is the controller"
told
say "$((_took / 1000)).$((_took % 1000 / 100)) s after the power cut"
say "${B}hafoctl show sites${N} on n3:"
sites_show n3 | indent

step "Done"
say "What the replicas were told, in order:"
sort -s -k1,1 app.out | indent
say "A node's death moves the role inside its site at CARP's speed; a"
say "whole site's, after corosync's detection and the release bound."
say "Configuration: hafod.conf(5) (site, across sites); rules: hafod.8"
say "ACROSS SITES; figures: make bench (BENCH_SECTIONS=sites)."
