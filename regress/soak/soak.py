#!/usr/bin/env python3
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

"""The hafod soak test: faults at random, promises checked from outside.

Run it with `make soak` (root), or regress/soak/soak.sh, which puts this
program in a PID namespace of its own (unshare --pid --fork --mount-proc):
it is that namespace's init, so whatever it started dies with it, even if
it is killed with SIGKILL.  Settings, from the environment:

  SOAK_MINUTES   how long faults are injected (60); settling follows
  SOAK_SEED      the nemesis's seed (random, printed first and last)
  SOAK_ADVBASE   advbase of every service (1); 0 for the sub-second run
  SOAK_NODES     nodes, 3 to 5 (3)
  SOAK_SLACK     seconds added to every bound for a busy machine (1)
  SOAK_ASAN      1: HAFOD is an ASan build (no RSS-growth verdict)
  SOAK_DIR       the work directory (a new /tmp/hafod-soak.XXXX); kept
  HAFOD, HAFOCTL the binaries (obj/bin/hafod, obj/bin/hafoctl)

The lab.  Network namespaces held by `unshare --net sleep` processes of
ours, never named in /run/netns, so no name can clash with anyone's and
none outlives the run: a switch with bridge br0, nodes n1..nN at
192.0.2.i/24 and a client at 192.0.2.200, each with eth0 on br0.  Every
node runs hafod -d with the same services (the advskew differs by node):
s1 s2 (preempt yes; s2 dual-stack), s3 (a check), s4, s5 (added and
removed by reloads; preempt no) and the group g of ga and gb (preempt yes,
its own hooks and check).  Every hook (hook.sh, exec'd by hafod's sh -c
so that it is the process hafod times) appends "<time> <service> <event>
start|end|killed <instance> <prev>-><state>" to nI.hooks; hooks run as
root, the default hook user (hafod.conf(5), HOOKS), and hang while the
file hang.nI exists, until hafod's SIGTERM at the hook timeout (4 s).
The checks fail while fail.nI.s3 or fail.nI.g exists.

The nemesis.  It alternates storms (20-60 s, a fault every 0.5-6 s, so
faults overlap) with quiet spells (no new fault, the lasting ones healed,
most killed nodes restarted) long enough for the liveness bound below to
be checked.  Faults: SIGKILL of the engine, the parent or both; SIGSTOP
of either for 0.5-8 s; eth0 down for 1-10 s; CARP (IP protocol 112)
dropped by nftables in a node, inbound, outbound or both, for 2-15 s;
hafoctl demote (sometimes -p), undemote, promote; a reload (SIGHUP or
hafoctl reload) that changes a service's advskew or adds or removes s5;
hooks that hang for 3-20 s; a check that fails for 2-20 s; the restart of
a killed hafod.  n1 is never killed, so that its two processes live the
whole run and their descriptors and memory can be compared.  Every fault
is written to faults.log with its time; the run is replayed with the same
SOAK_SEED (and settings): the same faults in the same order at the same
offsets, though what they meet depends on timing.

The observer.  Every 150 ms it dumps the addresses of every node over
netlink sockets opened once in each namespace (no process spawned), and
checks these invariants, each with a bound from the manual pages (the
bounds are computed in Bounds below, where each is cited):

  duplicate      two nodes hold a VIP for longer than OVERLAP_BOUND, not
                 counting a node that is cut off (partition, link down,
                 engine stopped) or whose parent is stopped or dead,
                 whose addresses are judged by vip-lifetime instead
  no-holder      nobody holds a VIP although the cluster has been calm
                 (all nodes can talk, nothing stopped, no fault begun or
                 ended) for HOLDER_BOUND and a hafod that has the service
                 runs
  vip-lifetime   a VIP on a node whose parent is dead or stopped for
                 longer than VIP_LIFETIME_BOUND
  linkdown-vip   a VIP on a node whose link is down for longer than
                 LINKDOWN_BOUND while its hafod runs
  show-disagrees hafoctl -j show says MASTER where the node does not hold
                 the service's addresses, or the other way round, for
                 longer than AGREE_BOUND
  orphan         an engine alive ORPHAN_BOUND after its parent died, or a
                 parent alive that long after its engine died
  hook-order     per node, hafod instance and service, the hooks started
                 are the events of the state changes the engine logged,
                 in that order (the last ones may be missing where hafod
                 was killed; none may be missing where it ran to the end);
                 a group's hooks alternate promote and demote
  hook-overlap   a hook of a service (or of the group) started before its
                 previous one ended; a run whose last line is missing
                 proves nothing and is printed as a note
  crash          a hafod parent that exited without the nemesis killing
                 one of its processes or the harness stopping it; one
                 that exited non-zero when stopped; "engine died" logged
                 where the nemesis did not kill the engine
  sanitizer      an AddressSanitizer or UBSan report in a log
  fd-leak        a process alive 10 minutes or more that ends with more
                 descriptors than it started with (least of 3 samples)
  rss-growth     likewise, RSS grown by half and 4 MB (not with SOAK_ASAN)
  harness        a reload or a lab command that failed: the harness's
                 own trouble, reported so that nothing fails silently

A gap of more than STARVE_GAP between two samples (the observer starved
of CPU) restarts the duration of every open episode rather than count the
gap against hafod; the number of such gaps is printed.

At the end the faults are healed, killed nodes restarted, the cluster
given HOLDER_BOUND to settle, the hook logs checked, every hafod stopped
with SIGTERM, and a table printed: faults by kind, checks made,
violations by kind with their times and the seed, and each process's RSS
and descriptors at start and end.  The exit status is 1 if there was any
violation.  The work directory keeps the logs, faults.log and
violations.log.
"""

import collections
import ctypes
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def env_num(name, default, lo, hi, kind=int):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        val = kind(raw)
    except ValueError:
        sys.exit("soak: %s=%r is not a number" % (name, raw))
    if not lo <= val <= hi:
        sys.exit("soak: %s must be %s to %s" % (name, lo, hi))
    return val


MINUTES = env_num("SOAK_MINUTES", 60.0, 0.1, 10000.0, float)
SEED = env_num("SOAK_SEED", random.SystemRandom().randrange(1 << 32),
               0, (1 << 63) - 1)
ADVBASE = env_num("SOAK_ADVBASE", 1, 0, 3)
NODES = env_num("SOAK_NODES", 3, 3, 5)
SLACK = env_num("SOAK_SLACK", 1.0, 0.0, 60.0, float)
ASAN = os.environ.get("SOAK_ASAN", "") not in ("", "0")
HAFOD = os.environ.get("HAFOD") or os.path.join(TOP, "obj/bin/hafod")
HAFOCTL = os.environ.get("HAFOCTL") or os.path.join(TOP, "obj/bin/hafoctl")

# --- Bounds, each from the manual pages -----------------------------------

# hafod.8, ELECTION, Interval: a node's interval is advbase + advskew/256,
# and the demotion is added to advskew, up to 254: the longest interval
# any node of the lab can have.
MAX_INTERVAL = ADVBASE + 254 / 256
# hafod.8, Master down and start-up: a backup takes over after three of
# its own intervals, and a node starting or whose link came up listens
# that long before it claims.
MASTER_DOWN = 3 * MAX_INTERVAL
# hafod.8, Staggered takeover: a backup waits its effective advskew/256.
STAGGER = 254 / 256
# hafod.8, Bow-out and make before break: a leaving master with no
# successor lets go after three intervals plus 100 ms, at most 5 s; with
# one, 50 ms after it heard it.
LET_GO = min(3 * MAX_INTERVAL + 0.1, 5.0)
HANDOVER_GRACE = 0.05
# Liveness: after the last disturbance a master that bows out with no
# successor may keep the address for LET_GO, after which the best backup
# (or itself) claims after one master-down interval and its stagger.
HOLDER_BOUND = LET_GO + MASTER_DOWN + STAGGER + SLACK
# hafod.8, Master: a master that hears a better node becomes backup at
# once, and the better one advertises every interval; make before break
# keeps the old one 50 ms more.  So two unhindered holders last at most
# one (longest) interval plus the grace.
OVERLAP_BOUND = MAX_INTERVAL + HANDOVER_GRACE + SLACK
# hafod.8, ADDRESSES, exit: "no address outlives the parent by more than
# 5 seconds" (a lifetime of 4 s, expired by the kernel about once a
# second); a stopped parent "has lost its addresses meanwhile" likewise.
VIP_LIFETIME_BOUND = 5.0 + SLACK
# hafod.8, Link state: a service whose link goes down goes to LINKDOWN
# and releases its addresses; no timer is involved, so the bound is the
# link monitor's latency, which SLACK covers.
LINKDOWN_BOUND = 0.5 + SLACK
# hafod.8, ADDRESSES: the parent renews every second and, after a stop,
# "adds them again ... as soon as it runs"; show is the engine's word.
AGREE_BOUND = 2.0 + 2 * SLACK
# hafod.8, PROCESSES: "If either process dies the other notices at once".
ORPHAN_BOUND = 1.0 + SLACK

HOOK_TIMEOUT = 4        # hafod.conf: the hook timeout of the lab
# hafod.conf.5, Running: SIGTERM at the timeout, SIGKILL 2 s later.
HOOK_BOUND = HOOK_TIMEOUT + 2 + SLACK
SELFTEST = os.environ.get("SOAK_SELFTEST", "") not in ("", "0")
SAMPLE = 0.15           # the observer's period
STARVE_GAP = 1.0        # a longer gap between samples is starvation
SHOW_PERIOD = 2.0       # hafoctl show on each node this often
PROC_PERIOD = 10.0      # RSS and descriptors this often
LEAK_MIN_AGE = 600.0    # leak verdicts only on processes this old

# --- The lab's services ---------------------------------------------------

VIPS = {
    "s1": ["192.0.2.101"],
    "s2": ["192.0.2.102", "2001:db8::102"],
    "s3": ["192.0.2.103"],
    "s4": ["192.0.2.104"],
    "s5": ["192.0.2.105"],
    "ga": ["192.0.2.106"],
    "gb": ["192.0.2.107"],
}
SERVICES = ["s1", "s2", "s3", "s4", "s5", "ga", "gb"]
PREEMPT = {"s1", "s2", "ga", "gb"}
GROUP = "g"
GROUP_MEMBERS = ["ga", "gb"]
CHECKED = ["s3", GROUP]          # what a check-fail fault can fail
EVENTS = ["promote", "demote", "backup", "fault", "stop"]


def advskew(node, svc, bump):
    """Distinct per node for each service; a reload bumps it by 3."""
    k = SERVICES.index(svc) + 1
    base = 24 if ADVBASE == 0 else 0     # sub-second, not 4 ms
    return base + 16 * ((node + k) % NODES) + k + (3 if bump else 0)


# --- Small helpers --------------------------------------------------------

T0 = time.time()


def stamp(t):
    return "%s.%03d (t+%.1fs)" % (time.strftime("%H:%M:%S", time.gmtime(t)),
                                  int(t * 1000) % 1000, t - T0)


class Proc:
    """A process known by PID and start time, so that a reused PID is
    never taken for it (pid_max may be small)."""

    def __init__(self, pid):
        self.pid = pid
        self.start = self._starttime()
        self.samples = []        # (time, rss_kb, fds)

    def _stat(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None

    def _starttime(self):
        st = self._stat()
        return st[19] if st else None

    def alive(self):
        st = self._stat()
        return st is not None and st[19] == self.start and st[0] != "Z"

    def stopped(self):
        st = self._stat()
        return st is not None and st[19] == self.start and st[0] == "T"

    def signal(self, sig):
        if self.alive():
            try:
                os.kill(self.pid, sig)
                return True
            except OSError:
                pass
        return False

    def sample(self, now):
        try:
            fds = len(os.listdir("/proc/%d/fd" % self.pid))
            rss = 0
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
        except (OSError, ValueError):
            return
        if self.alive():
            self.samples.append((now, rss, fds))
            # The first three and the last three are all that is read.
            if len(self.samples) > 6:
                del self.samples[3]


def children_of(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read().rsplit(")", 1)[1].split()
            if int(st[1]) == pid:
                out.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return out


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# --- Netlink: the addresses of a namespace, without spawning ------------

CLONE_NEWNET = 0x40000000
RTM_NEWADDR, RTM_GETADDR = 20, 22
NLMSG_ERROR, NLMSG_DONE = 2, 3
IFA_ADDRESS, IFA_LOCAL = 1, 2
_libc = ctypes.CDLL(None, use_errno=True)


def netlink_in(nspath):
    """A NETLINK_ROUTE socket of the namespace at nspath.  A socket stays
    in the namespace it was made in, so the observer switches once, here,
    in its only thread, and back."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open(nspath, os.O_RDONLY)
    try:
        if _libc.setns(there, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + nspath)
        try:
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                              socket.NETLINK_ROUTE)
            s.settimeout(2.0)
        finally:
            if _libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(home)
        os.close(there)
    return s


_nlseq = [0]


def addresses(sock):
    """The set of addresses (as text) on every interface of the socket's
    namespace."""
    _nlseq[0] += 1
    seq = _nlseq[0]
    req = struct.pack("=LHHLL", 24, RTM_GETADDR, 0x301, seq, 0) + \
        struct.pack("=BBBBL", 0, 0, 0, 0, 0)
    sock.send(req)
    found = set()
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            ln, typ, _flags, mseq, _pid = struct.unpack_from("=LHHLL", data,
                                                             off)
            if ln < 16:
                return found
            if mseq == seq:
                if typ == NLMSG_DONE:
                    return found
                if typ == NLMSG_ERROR:
                    raise OSError("netlink error in address dump")
                if typ == RTM_NEWADDR:
                    found |= _parse_addr(data[off + 16:off + ln])
            off += (ln + 3) & ~3


def _parse_addr(msg):
    family = msg[0]
    addrs = {}
    off = 8
    while off + 4 <= len(msg):
        rlen, rtype = struct.unpack_from("=HH", msg, off)
        if rlen < 4:
            break
        if rtype in (IFA_ADDRESS, IFA_LOCAL):
            addrs[rtype] = socket.inet_ntop(family, msg[off + 4:off + rlen])
        off += (rlen + 3) & ~3
    # IFA_LOCAL is the address itself on IPv4; IPv6 gives IFA_ADDRESS.
    a = addrs.get(IFA_LOCAL) or addrs.get(IFA_ADDRESS)
    return {a} if a else set()


# --- The run's records ----------------------------------------------------

class Record:
    def __init__(self, workdir):
        self.faults = collections.Counter()
        self.checks = collections.Counter()
        self.violations = collections.defaultdict(list)
        self.fault_log = open(os.path.join(workdir, "faults.log"), "a",
                              buffering=1)
        self.viol_log = open(os.path.join(workdir, "violations.log"), "a",
                             buffering=1)
        self.starved = 0
        self.max_gap = 0.0
        self.seen = set()
        self.notes = []

    def fault(self, kind, node, detail=""):
        now = time.time()
        self.faults[kind] += 1
        line = "%s seed=%d %s %s %s" % (stamp(now), SEED, kind, node, detail)
        self.fault_log.write(line + "\n")
        print("fault " + line, flush=True)

    def note(self, text):
        """Worth a look, but no promise of hafod's is broken."""
        if text not in self.notes:
            self.notes.append(text)

    def check(self, kind, n=1):
        self.checks[kind] += n

    def violation(self, kind, when, text):
        # The logs are read twice (before and after the stop): once each.
        if (kind, text) in self.seen:
            return
        self.seen.add((kind, text))
        line = "%s seed=%d %s: %s" % (stamp(when), SEED, kind, text)
        self.violations[kind].append(line)
        self.viol_log.write(line + "\n")
        print("VIOLATION " + line, flush=True)


# --- A node: its namespace, its hafod instances, its faults ---------------

class Instance:
    """One run of hafod on a node, from start to exit."""

    def __init__(self, node, number, popen, log):
        self.node = node
        self.number = number
        self.popen = popen
        self.parent = Proc(popen.pid)
        self.engine = None
        self.log = log
        self.started = time.time()
        self.killed = set()          # "parent", "engine": by the nemesis
        self.terminating = False     # stopped by the harness
        self.exit_status = None
        self.exited_at = None
        self.engine_gone_at = None
        self.orphan_reported = False


class Node:
    def __init__(self, lab, index, holder):
        self.lab = lab
        self.index = index
        self.name = "n%d" % index
        self.holder = holder         # the process that holds the netns
        self.nspath = "/proc/%d/ns/net" % holder.pid
        self.nl = None
        self.instances = []
        self.services = set(SERVICES)
        self.bump = set()            # services whose advskew a reload moved
        self.link_down_since = None
        self.partition = None        # "in", "out", "both"
        self.partition_since = None
        self.stopped = {}            # "parent"/"engine" -> (Proc, since)
        self.resumed = {}            # "parent"/"engine" -> last SIGCONT
        self.dead_since = None       # no hafod running since
        self.held = set()            # VIPs at the last sample
        self.next_show = 0.0
        self.disagree = {}           # service -> since
        self.reported = set()        # episodes already reported

    @property
    def inst(self):
        return self.instances[-1] if self.instances else None

    def path(self, suffix):
        return os.path.join(self.lab.workdir, self.name + suffix)

    def running(self):
        """hafod runs here: a parent that is alive."""
        i = self.inst
        return i is not None and i.exit_status is None and i.parent.alive()

    def controllable(self):
        """hafoctl can talk to it and get an answer now."""
        self.find_engine()
        return self.running() and not self.stopped and \
            self.inst.engine is not None and self.inst.engine.alive()

    def since_resumed(self, t):
        """t, or the last SIGCONT if later: a stopped process's bound
        counts from when it could run again."""
        return max([t] + list(self.resumed.values()))

    def isolated(self):
        return self.partition is not None or \
            self.link_down_since is not None or "engine" in self.stopped

    def write_conf(self, number):
        w = self.lab.workdir
        # exec: the hook is then the process hafod runs and times out,
        # and its last line is written before hafod sees it end; under a
        # "sh -c" that waits for it, the shell dies of the SIGTERM at
        # once and the hook's own line comes after, or not at all.
        hook = "exec %s/hook.sh %s %s %d" % (w, self.path(".hooks"),
                                              self.path(".hang"), number)
        lines = [
            'user "nobody"',
            'chroot "%s/empty"' % w,
            'socket "%s"' % self.path(".sock"),
            'state "%s"' % self.path(".state"),
            'password "soak"',
            "hook timeout %d" % HOOK_TIMEOUT,
            "advbase %d" % ADVBASE,
        ]
        for svc in SERVICES:
            if svc not in self.services:
                continue
            lines.append("service %s {" % svc)
            lines.append("\tinterface eth0")
            lines.append("\tvhid %d" % (SERVICES.index(svc) + 1))
            lines.append("\tadvskew %d" % advskew(self.index, svc,
                                                  svc in self.bump))
            lines.append("\tpreempt %s" % ("yes" if svc in PREEMPT else
                                           "no"))
            for a in VIPS[svc]:
                lines.append("\taddress %s/%d" % (a, 64 if ":" in a else 24))
            for ev in EVENTS:
                lines.append('\ton %s "%s"' % (ev, hook))
            if svc in CHECKED:
                lines.append(self._check(svc))
            lines.append("}")
        lines.append("group %s {" % GROUP)
        for m in GROUP_MEMBERS:
            lines.append("\tservice %s" % m)
        lines.append('\ton promote "%s"' % hook)
        lines.append('\ton demote "%s"' % hook)
        lines.append(self._check(GROUP))
        lines.append("}")
        with open(self.path(".conf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def _check(self, what):
        return '\tcheck "test ! -e %s" every 1 timeout 1 fall 1 rise 1 ' \
            'weight 60' % self.path(".fail." + what)

    def start(self):
        number = len(self.instances) + 1
        self.write_conf(number)
        log = self.path(".%d.log" % number)
        env = dict(os.environ)
        if ASAN:
            # Reports go to the log, where check_logs() finds them.  The
            # leak check at exit is left out: the engine, chrooted and
            # filtered, cannot run it; memory is watched through RSS.
            # See asan_exit_artifact() for what it still does at exit.
            env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
        with open(log, "ab") as out:
            # A session of its own: a ^C at the terminal is for the
            # harness, which stops hafod itself and counts the stop.
            p = subprocess.Popen(["nsenter", "--net=" + self.nspath, HAFOD,
                                  "-d", "-f", self.path(".conf")],
                                 stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, env=env,
                                 start_new_session=True)
        self.instances.append(Instance(self, number, p, log))
        self.dead_since = None
        self.disagree.clear()

    def cont_all(self):
        for which, (proc, _) in self.stopped.items():
            proc.signal(signal.SIGCONT)
            self.resumed[which] = time.time()
        self.stopped.clear()

    def find_engine(self):
        i = self.inst
        if i is None or i.engine is not None or not i.parent.alive():
            return
        for pid in children_of(i.parent.pid):
            if "engine" in cmdline(pid):
                i.engine = Proc(pid)
                return


# --- The lab --------------------------------------------------------------

class Lab:
    def __init__(self, workdir, record):
        self.workdir = workdir
        self.record = record
        self.holders = []
        self.nodes = []
        self.switch = None
        self.client = None

    def holder(self):
        p = subprocess.Popen(["unshare", "--net", "--", "sleep", "1000000"],
                             stdin=subprocess.DEVNULL)
        self.holders.append(p)
        proc = Proc(p.pid)
        # Not a moment before its namespace is a new one: until then
        # /proc/PID/ns/net is the host's, which must never be touched.
        home = os.readlink("/proc/self/ns/net")
        for _ in range(250):
            try:
                if os.readlink("/proc/%d/ns/net" % p.pid) != home:
                    return proc
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("unshare --net made no namespace")

    def sh(self, nspath, *argv, check=True, stdin=None):
        r = subprocess.run(["nsenter", "--net=" + nspath] + list(argv),
                           input=stdin, capture_output=True, text=True,
                           timeout=10)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))
        return r

    def create(self):
        self.switch = self.holder()
        sw = "/proc/%d/ns/net" % self.switch.pid
        self.sh(sw, "ip", "link", "add", "br0", "type", "bridge",
                "forward_delay", "0", "mcast_snooping", "0")
        self.sh(sw, "ip", "link", "set", "br0", "up")
        for i in range(1, NODES + 1):
            node = Node(self, i, self.holder())
            self._host(sw, node.name, node.holder, "192.0.2.%d" % i,
                       "2001:db8::%d" % i)
            node.nl = netlink_in(node.nspath)
            self.nodes.append(node)
        self.client = self.holder()
        self._host(sw, "client", self.client, "192.0.2.200",
                   "2001:db8::200")

    def _host(self, sw, name, holder, v4, v6):
        ns = "/proc/%d/ns/net" % holder.pid
        self.sh(sw, "ip", "link", "add", name, "type", "veth", "peer",
                "name", "eth0", "netns", str(holder.pid))
        self.sh(sw, "ip", "link", "set", name, "master", "br0", "up")
        self.sh(ns, "ip", "link", "set", "lo", "up")
        self.sh(ns, "ip", "link", "set", "eth0", "up")
        self.sh(ns, "ip", "addr", "add", v4 + "/24", "dev", "eth0")
        self.sh(ns, "ip", "addr", "add", v6 + "/64", "dev", "eth0",
                "nodad")

    def write_hook(self):
        path = os.path.join(self.workdir, "hook.sh")
        with open(path, "w") as f:
            f.write(HOOK_SCRIPT)
        os.chmod(path, 0o755)
        os.makedirs(os.path.join(self.workdir, "empty"), mode=0o755,
                    exist_ok=True)
        os.chmod(os.path.join(self.workdir, "empty"), 0o755)


# hook.sh LOG HANGFLAG INSTANCE: a line at start and one at the end; while
# HANGFLAG exists it waits for hafod's SIGTERM and says "killed".
HOOK_SCRIPT = r"""#!/bin/sh
log=$1 hang=$2 inst=$3
say() {
	echo "$(date +%s.%N) $HAFOD_SERVICE $HAFOD_EVENT $1 $inst" \
	    "$HAFOD_PREVIOUS->$HAFOD_STATE" >> "$log"
}
say start
if [ -e "$hang" ]; then
	trap 'say killed; exit 1' TERM
	sleep 600 &
	wait $!
fi
say end
"""


# --- The nemesis ----------------------------------------------------------

class Nemesis:
    def __init__(self, lab, record, rng):
        self.lab = lab
        self.rec = record
        self.rng = rng
        self.heals = []              # (when, description, function)
        self.last_event = time.time()
        self.next_fault = time.time() + 5
        self.storm_until = time.time() + 5 + rng.uniform(20, 60)
        self.selftested = False

    def event(self):
        self.last_event = time.time()

    def calm(self, now):
        """All can talk, nothing is stopped, nothing began or ended for
        HOLDER_BOUND: the time a master must exist by."""
        if now - self.last_event < HOLDER_BOUND:
            return False
        return not any(n.isolated() or n.stopped for n in self.lab.nodes)

    def tick(self, now):
        for h in [h for h in self.heals if h[0] <= now]:
            self.heals.remove(h)
            h[2]()
            self.event()
        if now < self.next_fault:
            return
        if now >= self.storm_until:
            self.quiet()
            return
        self.inject()
        self.next_fault = now + self.rng.uniform(0.5, 6)

    def quiet(self):
        """Heal everything, bring most dead nodes back, then nothing."""
        self.heal_all()
        # One draw per node whatever the lab's state: the same seed, the
        # same draws.
        for n, u in [(n, self.rng.random()) for n in self.lab.nodes]:
            if not n.running() and u < 0.7:
                self.restart(n)
        span = HOLDER_BOUND + self.rng.uniform(5, 20)
        now = time.time()
        self.rec.fault("quiet", "-", "%.1fs" % span)
        self.event()
        self.next_fault = now + span
        self.storm_until = self.next_fault + self.rng.uniform(20, 60)

    def heal_all(self):
        for h in sorted(self.heals, key=lambda h: h[0]):
            h[2]()
        if self.heals:
            self.event()
        self.heals = []

    def later(self, seconds, fn):
        self.heals.append((time.time() + seconds, None, fn))

    def inject(self):
        if SELFTEST and not self.selftested:
            self.selftested = True
            return self.rogue()
        rng = self.rng
        kinds = [("kill-engine", 1), ("kill-parent", 1), ("kill-both", 1),
                 ("restart", 3), ("stop-engine", 1), ("stop-parent", 1),
                 ("link", 1.5), ("partition", 2), ("demote", 1),
                 ("undemote", 1), ("promote", 1), ("reload-timing", 1),
                 ("reload-service", 1), ("hang-hook", 1),
                 ("check-fail", 1.5)]
        names = [k for k, _ in kinds]
        weights = [w for _, w in kinds]
        # The draws do not depend on what the lab is doing, so that the
        # same seed gives the same sequence; a fault that does not apply
        # now is skipped and logged as such.
        kind = rng.choices(names, weights)[0]
        node = rng.choice(self.lab.nodes)
        svc = rng.choice(SERVICES)
        dur = rng.random()
        getattr(self, "f_" + kind.replace("-", "_"))(node, svc, dur)
        self.event()

    def rogue(self):
        """SOAK_SELFTEST=1: the harness itself puts s1's address on every
        node for 8 s, behind hafod's back, so that the observer must see
        duplicate and show-disagrees violations: a test of the test."""
        vip = VIPS["s1"][0] + "/24"
        added = [n for n in self.lab.nodes if self.lab.sh(
            n.nspath, "ip", "addr", "add", vip, "dev", "eth0",
            check=False).returncode == 0]
        self.rec.fault("selftest-rogue-vip", "all", vip + " for 8s")

        def heal():
            for n in added:
                self.lab.sh(n.nspath, "ip", "addr", "del", vip, "dev",
                            "eth0", check=False)
        self.later(8, heal)

    def skip(self, kind, node, why):
        self.rec.fault("skipped", node.name, "%s: %s" % (kind, why))

    # The faults: f_KIND(node, service, u), u uniform in [0, 1).

    def _kill(self, kind, node, which):
        if node.index == 1:
            return self.skip(kind, node, "n1 lives the whole run")
        if not node.running():
            return self.skip(kind, node, "not running")
        i = node.inst
        node.find_engine()
        for w in which:
            p = i.parent if w == "parent" else i.engine
            if p is not None and p.signal(signal.SIGKILL):
                i.killed.add(w)
        self.rec.fault(kind, node.name, "instance %d" % i.number)

    def f_kill_engine(self, node, svc, u):
        self._kill("kill-engine", node, ["engine"])

    def f_kill_parent(self, node, svc, u):
        self._kill("kill-parent", node, ["parent"])

    def f_kill_both(self, node, svc, u):
        self._kill("kill-both", node, ["engine", "parent"])

    def f_restart(self, node, svc, u):
        dead = [n for n in self.lab.nodes if not n.running()]
        if not dead:
            return self.skip("restart", node, "none dead")
        n = dead[int(u * len(dead))]
        self.restart(n)

    def restart(self, node):
        # An engine left stopped by an earlier fault must not linger.
        node.cont_all()
        node.start()
        self.rec.fault("restart", node.name, "instance %d" %
                       node.inst.number)

    def _stop(self, kind, node, which, u):
        if not node.running():
            return self.skip(kind, node, "not running")
        node.find_engine()
        proc = node.inst.parent if which == "parent" else node.inst.engine
        if proc is None or which in node.stopped or \
                not proc.signal(signal.SIGSTOP):
            return self.skip(kind, node, "no process to stop")
        node.stopped[which] = (proc, time.time())
        secs = 0.5 + 7.5 * u
        self.rec.fault(kind, node.name, "%.1fs" % secs)

        def heal():
            proc.signal(signal.SIGCONT)
            node.stopped.pop(which, None)
            node.resumed[which] = time.time()
            self.rec.fault("cont-" + which, node.name)
        self.later(secs, heal)

    def f_stop_engine(self, node, svc, u):
        self._stop("stop-engine", node, "engine", u)

    def f_stop_parent(self, node, svc, u):
        self._stop("stop-parent", node, "parent", u)

    def f_link(self, node, svc, u):
        if node.link_down_since is not None:
            return self.skip("link", node, "already down")
        self.lab.sh(node.nspath, "ip", "link", "set", "eth0", "down")
        node.link_down_since = time.time()
        secs = 1 + 9 * u
        self.rec.fault("link-down", node.name, "%.1fs" % secs)

        def heal():
            self.lab.sh(node.nspath, "ip", "link", "set", "eth0", "up")
            node.link_down_since = None
            self.rec.fault("link-up", node.name)
        self.later(secs, heal)

    def f_partition(self, node, svc, u):
        if node.partition is not None:
            return self.skip("partition", node, "already cut")
        mode = ["in", "out", "both"][int(u * 3)]
        chains = []
        if mode in ("in", "both"):
            chains.append("chain i { type filter hook input priority 0; "
                          "meta l4proto 112 drop; }")
        if mode in ("out", "both"):
            chains.append("chain o { type filter hook output priority 0; "
                          "meta l4proto 112 drop; }")
        rules = "table inet soak {\n%s\n}\n" % "\n".join(chains)
        self.lab.sh(node.nspath, "nft", "-f", "-", stdin=rules)
        node.partition = mode
        node.partition_since = time.time()
        secs = 2 + 13 * ((u * 3) % 1)
        self.rec.fault("partition-" + mode, node.name, "%.1fs" % secs)

        def heal():
            self.lab.sh(node.nspath, "nft", "delete", "table", "inet",
                        "soak")
            node.partition = None
            self.rec.fault("partition-heal", node.name)
        self.later(secs, heal)

    def hafoctl(self, node, *args, timeout=5):
        try:
            r = subprocess.run([HAFOCTL, "-s", node.path(".sock")] +
                               list(args), capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, "timed out"
        return r.returncode, (r.stdout + r.stderr).strip()

    def _ctl(self, kind, node, svc, *args):
        if not node.controllable():
            return self.skip(kind, node, "not running, or stopped")
        if svc is not None and svc not in node.services:
            return self.skip(kind, node, svc + " not configured")
        rc, out = self.hafoctl(node, *args)
        self.rec.fault(kind, node.name, "%s: exit %s: %s" %
                       (" ".join(args), rc, out.replace("\n", "; ")))
        return rc, out

    def f_demote(self, node, svc, u):
        args = ["demote", svc, "-w", "0"] + (["-p"] if u < 0.3 else [])
        self._ctl("demote", node, svc, *args)

    def f_undemote(self, node, svc, u):
        if u < 0.3:
            self._ctl("undemote", node, None, "undemote", "all")
        else:
            self._ctl("undemote", node, svc, "undemote", svc)

    def f_promote(self, node, svc, u):
        self._ctl("promote", node, svc, "promote", svc)

    def _reload(self, kind, node, u, change):
        if not node.controllable():
            return self.skip(kind, node, "not running, or stopped")
        change()
        node.write_conf(node.inst.number)
        if u < 0.5:
            node.inst.parent.signal(signal.SIGHUP)
            self.rec.fault(kind, node.name, "SIGHUP: " + self.what)
            return
        rc, out = self.hafoctl(node, "reload", timeout=10)
        self.rec.fault(kind, node.name, "hafoctl reload: %s: exit %s: %s" %
                       (self.what, rc, out.replace("\n", "; ")))
        if rc != 0:
            self.rec.violation("harness", time.time(), "%s: hafoctl "
                               "reload exit %s: %s" % (node.name, rc, out))

    def f_reload_timing(self, node, svc, u):
        def change():
            node.bump ^= {svc}
            self.what = "%s advskew %d" % (svc, advskew(
                node.index, svc, svc in node.bump))
        self._reload("reload-timing", node, u, change)

    def f_reload_service(self, node, svc, u):
        def change():
            node.services ^= {"s5"}
            self.what = ("add" if "s5" in node.services else "remove") + \
                " s5"
        self._reload("reload-service", node, u, change)

    def _flag(self, kind, node, path, secs):
        if os.path.exists(path):
            return self.skip(kind, node, "already")
        open(path, "w").close()
        self.rec.fault(kind, node.name, "%s %.1fs" % (os.path.basename(path),
                                                       secs))

        def heal():
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            self.rec.fault(kind + "-heal", node.name)
        self.later(secs, heal)

    def f_hang_hook(self, node, svc, u):
        self._flag("hang-hook", node, node.path(".hang"), 3 + 17 * u)

    def f_check_fail(self, node, svc, u):
        what = CHECKED[int(u * 2)]
        self._flag("check-fail", node, node.path(".fail." + what),
                   2 + 18 * ((u * 2) % 1))


# --- The observer ---------------------------------------------------------

class Observer:
    def __init__(self, lab, record, nemesis):
        self.lab = lab
        self.rec = record
        self.nem = nemesis
        self.last_sample = None
        self.dup_since = {}           # vip -> since
        self.no_holder_reported = {}  # vip -> calm window already reported
        self.next_proc = 0.0

    def sample(self, now):
        if self.last_sample is not None:
            self.rec.max_gap = max(self.rec.max_gap, now - self.last_sample)
        if self.last_sample is not None and \
                now - self.last_sample > STARVE_GAP:
            self.rec.starved += 1
            self.dup_since.clear()
            for n in self.lab.nodes:
                n.disagree.clear()
        self.last_sample = now
        for n in self.lab.nodes:
            try:
                present = addresses(n.nl)
            except OSError as e:
                self.rec.violation("harness", now, "%s: netlink: %s" %
                                   (n.name, e))
                continue
            n.held = {v for vips in VIPS.values() for v in vips
                      if v in present}

    def holders(self, vip):
        return [n for n in self.lab.nodes if vip in n.held]

    def excused(self, n, now):
        """A holder whose addresses another invariant judges."""
        return n.isolated() or "parent" in n.stopped or not n.running()

    def check(self, now):
        self.reap(now)
        self.processes(now)
        calm = self.nem.calm(now)
        for svc, vips in VIPS.items():
            for vip in vips:
                hs = self.holders(vip)
                self.check_duplicate(now, vip, hs)
                if calm:
                    self.check_holder(now, svc, vip, hs)
        for n in self.lab.nodes:
            self.check_node(now, n)
        self.check_show(now)

    def check_duplicate(self, now, vip, hs):
        self.rec.check("duplicate")
        live = [n for n in hs if not self.excused(n, now)]
        if len(live) < 2:
            self.dup_since.pop(vip, None)
            return
        since = self.dup_since.setdefault(vip, now)
        if since is not None and now - since > OVERLAP_BOUND:
            self.rec.violation("duplicate", since, "%s held by %s for "
                               "%.1fs (bound %.1fs)" %
                               (vip, " ".join(n.name for n in live),
                                now - since, OVERLAP_BOUND))
            self.dup_since[vip] = None     # once per episode

    def check_holder(self, now, svc, vip, hs):
        able = [n for n in self.lab.nodes if n.running() and
                svc in n.services]
        if not able:
            return
        self.rec.check("no-holder")
        if hs:
            return
        window = self.nem.last_event
        if self.no_holder_reported.get(vip) == window:
            return
        self.no_holder_reported[vip] = window
        self.rec.violation("no-holder", now, "%s (%s) held by no node, "
                           "calm since %s, bound %.1fs; running: %s" %
                           (vip, svc, stamp(window), HOLDER_BOUND,
                            " ".join(n.name for n in able)))

    def report_once(self, n, key, kind, when, text):
        if key in n.reported:
            return
        n.reported.add(key)
        self.rec.violation(kind, when, n.name + ": " + text)

    def check_node(self, now, n):
        i = n.inst
        held = " ".join(sorted(n.held))
        # vip-lifetime: a dead or stopped parent's addresses expire.
        self.rec.check("vip-lifetime")
        if n.held:
            if n.dead_since is not None and \
                    now - n.dead_since > VIP_LIFETIME_BOUND:
                self.report_once(n, ("dead", n.dead_since), "vip-lifetime",
                                 now, "holds %s %.1fs after hafod died "
                                 "(bound %.1fs)" % (held, now -
                                                    n.dead_since,
                                                    VIP_LIFETIME_BOUND))
            if "parent" in n.stopped:
                since = n.stopped["parent"][1]
                if now - since > VIP_LIFETIME_BOUND:
                    self.report_once(n, ("stop", since), "vip-lifetime",
                                     now, "holds %s %.1fs after its parent "
                                     "was stopped (bound %.1fs)" %
                                     (held, now - since,
                                      VIP_LIFETIME_BOUND))
        # linkdown-vip: a service whose link is down releases.
        if n.link_down_since is not None and n.running() and \
                not n.stopped:
            self.rec.check("linkdown-vip")
            since = n.since_resumed(n.link_down_since)
            if n.held and now - since > LINKDOWN_BOUND:
                self.report_once(n, ("link", n.link_down_since),
                                 "linkdown-vip", now, "holds %s %.1fs "
                                 "after its link went down (bound %.1fs)" %
                                 (held, now - n.link_down_since,
                                  LINKDOWN_BOUND))
        # orphan: either process dies, the other notices at once.
        if i is not None and not i.orphan_reported:
            self.rec.check("orphan")
            self.check_orphan(now, n, i)

    def check_orphan(self, now, n, i):
        if i.engine is None:
            return
        e_alive = i.engine.alive()
        p_alive = i.parent.alive()
        if not e_alive and i.engine_gone_at is None:
            i.engine_gone_at = now
        if i.exited_at is not None and e_alive and \
                not i.engine.stopped() and \
                now - n.since_resumed(i.exited_at) > ORPHAN_BOUND:
            i.orphan_reported = True
            self.rec.violation("orphan", now, "%s: engine %d alive %.1fs "
                               "after its parent died" %
                               (n.name, i.engine.pid, now - i.exited_at))
        if i.engine_gone_at is not None and p_alive and \
                "parent" not in n.stopped and \
                now - n.since_resumed(i.engine_gone_at) > ORPHAN_BOUND:
            i.orphan_reported = True
            self.rec.violation("orphan", now, "%s: parent %d alive %.1fs "
                               "after its engine died" %
                               (n.name, i.parent.pid,
                                now - i.engine_gone_at))

    def check_show(self, now):
        """hafoctl -j show on one node whose turn it is."""
        due = [n for n in self.lab.nodes if n.next_show <= now]
        if not due:
            return
        n = min(due, key=lambda n: n.next_show)
        n.next_show = now + SHOW_PERIOD
        if not n.controllable() or time.time() - n.inst.started < 1:
            n.disagree.clear()
            return
        try:
            r = subprocess.run([HAFOCTL, "-j", "-s", n.path(".sock"),
                                "show"], capture_output=True, text=True,
                               timeout=3)
        except subprocess.TimeoutExpired:
            return
        if r.returncode != 0:
            return                   # died meanwhile: crash judges that
        try:
            services = json.loads(r.stdout)["services"]
        except (ValueError, KeyError) as e:
            self.rec.violation("show-disagrees", now, "%s: hafoctl -j "
                               "show: bad JSON (%s): %r" %
                               (n.name, e, r.stdout[:200]))
            return
        now = time.time()
        try:
            n.held = {v for vips in VIPS.values() for v in vips
                      if v in addresses(n.nl)}
        except OSError:
            return
        if n.stopped:                # stopped meanwhile? not now
            n.disagree.clear()
            return
        for s in services:
            name = s.get("name")
            if name not in VIPS:
                continue
            self.rec.check("show-disagrees")
            master = s.get("state") == "MASTER"
            holds = [v for v in VIPS[name] if v in n.held]
            agree = (len(holds) == len(VIPS[name])) if master else \
                not holds
            if agree:
                n.disagree.pop(name, None)
                continue
            since = n.disagree.setdefault(name, now)
            if since is not None and now - since > AGREE_BOUND:
                n.disagree[name] = None
                self.rec.violation("show-disagrees", since, "%s: show says "
                                   "%s %s (%s) but it holds [%s], for "
                                   "%.1fs (bound %.1fs)" %
                                   (n.name, name, s.get("state"),
                                    s.get("since_seconds"),
                                    " ".join(holds), now - since,
                                    AGREE_BOUND))

    def reap(self, now):
        """Collect every exit: we are init, so orphans come to us too."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            for n in self.lab.nodes:
                for i in n.instances:
                    if i.popen.pid == pid and i.exit_status is None:
                        i.popen.returncode = status
                        self.exited(now, n, i, status)

    def exited(self, now, n, i, status):
        i.exit_status = status
        i.exited_at = now
        if n.inst is i:
            n.dead_since = now
        how = ("signal %d" % os.WTERMSIG(status) if os.WIFSIGNALED(status)
               else "status %d" % os.WEXITSTATUS(status))
        if i.terminating:
            if status != 0 and not asan_exit_artifact(i):
                self.rec.violation("crash", now, "%s instance %d: exit on "
                                   "SIGTERM with %s; log %s" %
                                   (n.name, i.number, how, i.log))
            return
        if i.killed:
            return
        self.rec.violation("crash", now, "%s instance %d: parent exited "
                           "(%s) with no fault to explain it; log %s: %s" %
                           (n.name, i.number, how, i.log, tail(i.log)))

    def processes(self, now, force=False):
        if now < self.next_proc and not force:
            return
        self.next_proc = now + PROC_PERIOD
        for n in self.lab.nodes:
            n.find_engine()
            i = n.inst
            if i is None or now - i.started < 10:
                continue
            for p in (i.parent, i.engine):
                if p is not None and not p.stopped():
                    p.sample(now)


def asan_exit_artifact(i):
    """With ASan, the runtime of an engine that exits calls sigaltstack(2)
    as its thread ends, whatever ASAN_OPTIONS say, and the engine's
    seccomp filter kills it for that (SIGSYS, syscall 131 in the kernel's
    audit log): an artefact of the ASan build at an orderly stop, not a
    crash of hafod, and counted as such rather than as a violation."""
    if not (ASAN and i.terminating):
        return False
    try:
        with open(i.log, errors="replace") as f:
            return "engine died: killed by signal 31" in f.read()
    except OSError:
        return False


def tail(path, lines=5):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(f.read().splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- After the run: the logs ----------------------------------------------

TRANSITION = re.compile(r"^(\S+) engine: (\S+): ([A-Z]+) -> ([A-Z]+): (.*)$")


def hook_event(old, new):
    """hafod.conf.5, HOOKS, Events: the hook a change of state runs."""
    if new == "MASTER":
        return "promote"
    if old == "MASTER":
        return "demote"
    if old in ("INIT", "LINKDOWN") and new == "BACKUP":
        return "backup"
    if old in ("BACKUP", "INIT") and new == "LINKDOWN":
        return "fault"
    if old in ("BACKUP", "LINKDOWN") and new == "INIT":
        return "stop"
    return None


def check_logs(lab, rec, final):
    """Hooks against transitions, per node, instance and service; crashes
    and sanitizer reports in the logs.  final: the instances still
    running have had time to run every hook."""
    for n in lab.nodes:
        # (instance, name) -> [(time, event, phase, transition, line)]
        hooks = collections.defaultdict(list)
        try:
            with open(n.path(".hooks"), errors="replace") as f:
                lines = f.readlines()
        except OSError:
            lines = []
        for line in lines:
            w = line.split()
            try:
                hooks[(int(w[4]), w[1])].append(
                    (float(w[0]), w[2], w[3], w[5], line.strip()))
            except (ValueError, IndexError):
                rec.note("hook log line unreadable: %s: %r" %
                         (n.path(".hooks"), line))
        for k in hooks:
            # Lines are appended when written, which is not quite the
            # order of their times: the time is taken first.
            hooks[k].sort()
        for i in n.instances:
            complete = final and i.exit_status is None
            want = collections.defaultdict(list)
            engine_killed = "engine" in i.killed
            with open(i.log, errors="replace") as f:
                for line in f:
                    m = TRANSITION.match(line)
                    if m:
                        ev = hook_event(m.group(3), m.group(4))
                        if ev:
                            want[m.group(2)].append((ev, m.group(1)))
                    if re.search(r"ERROR: (Address|Leak)Sanitizer|"
                                 r"runtime error:", line):
                        rec.violation("sanitizer", i.started, "%s: %s" %
                                      (i.log, line.strip()))
                    if "engine died" in line and not engine_killed and \
                            not asan_exit_artifact(i):
                        rec.violation("crash", i.started, "%s: %s" %
                                      (i.log, line.strip()))
            for svc in SERVICES:
                rec.check("hook-order")
                check_hooks(rec, n, i, svc, want[svc],
                            hooks[(i.number, svc)], complete)
            rec.check("hook-order")
            check_group_hooks(rec, n, i, hooks[(i.number, GROUP)])


def check_overlap(rec, n, i, name, got):
    """Each hook's run, from its start line to its end or killed line,
    must end before the next one starts.  Only a proven overlap counts: a
    run whose last line is missing (the hook died without writing it) is
    noted, not held against hafod."""
    runs = []                        # [start, end or None, line]
    unmatched = collections.defaultdict(list)
    for t, ev, phase, trans, line in got:
        if phase == "start":
            run = [t, None, line]
            runs.append(run)
            unmatched[(ev, trans)].append(run)
        elif unmatched[(ev, trans)]:
            unmatched[(ev, trans)].pop()[1] = t
    for a, b in zip(runs, runs[1:]):
        if a[1] is None:
            rec.note("%s instance %d: %s: no end written for: %s" %
                     (n.name, i.number, name, a[2]))
        elif b[0] < a[1]:
            rec.violation("hook-overlap", b[0], "%s instance %d: %s: "
                          "started while the hook begun at %s ran (until "
                          "%s): %s" % (n.name, i.number, name, stamp(a[0]),
                                        stamp(a[1]), b[2]))


def check_hooks(rec, n, i, svc, want, got, complete):
    check_overlap(rec, n, i, svc, got)
    started = [(ev, t) for t, ev, phase, _, _ in got if phase == "start"]
    for k, (ev, t) in enumerate(started):
        if k >= len(want) or want[k][0] != ev:
            rec.violation("hook-order", t, "%s instance %d: %s hook %d is "
                          "%s, the state changes want %s; hooks %s; "
                          "changes %s" %
                          (n.name, i.number, svc, k + 1, ev,
                           want[k] if k < len(want) else "none",
                           [e for e, _ in started],
                           [e for e, _ in want]))
            return
    if complete and len(started) < len(want):
        rec.violation("hook-order", time.time(), "%s instance %d: %s: "
                      "hooks %s missing at the end (from %s)" %
                      (n.name, i.number, svc,
                       [e for e, _ in want[len(started):]],
                       want[len(started)][1]))


def check_group_hooks(rec, n, i, got):
    check_overlap(rec, n, i, GROUP, got)
    expect = "promote"
    for t, ev, phase, _, line in got:
        if phase != "start":
            continue
        if ev != expect:
            rec.violation("hook-order", t, "%s instance %d: group %s ran "
                          "%s where %s was due: %s" %
                          (n.name, i.number, GROUP, ev, expect, line))
            return
        expect = "demote" if ev == "promote" else "promote"


def leak_verdicts(lab, rec):
    for n in lab.nodes:
        for i in n.instances:
            for role, p in (("parent", i.parent), ("engine", i.engine)):
                if p is None or len(p.samples) < 6:
                    continue
                if p.samples[-1][0] - p.samples[0][0] < LEAK_MIN_AGE:
                    continue
                rec.check("leak")
                fd0 = min(s[2] for s in p.samples[:3])
                fd1 = min(s[2] for s in p.samples[-3:])
                rss0 = min(s[1] for s in p.samples[:3])
                rss1 = min(s[1] for s in p.samples[-3:])
                who = "%s instance %d %s %d" % (n.name, i.number, role,
                                                p.pid)
                if fd1 > fd0:
                    rec.violation("fd-leak", p.samples[-1][0], "%s: %d "
                                  "descriptors, then %d" % (who, fd0, fd1))
                if not ASAN and rss1 > rss0 + max(4096, rss0 // 2):
                    rec.violation("rss-growth", p.samples[-1][0], "%s: "
                                  "RSS %d kB, then %d kB" %
                                  (who, rss0, rss1))


# --- The report -----------------------------------------------------------

def report(lab, rec, workdir, interrupted):
    out = []
    out.append("")
    out.append("hafod soak: seed %d, %s minutes, advbase %d, %d nodes, "
               "slack %.1fs%s%s" % (SEED, MINUTES, ADVBASE, NODES, SLACK,
                                   ", ASan" if ASAN else "",
                                   ", INTERRUPTED" if interrupted else ""))
    out.append("bounds: overlap %.2fs, holder %.2fs, VIP lifetime %.2fs, "
               "link down %.2fs, show %.2fs" %
               (OVERLAP_BOUND, HOLDER_BOUND, VIP_LIFETIME_BOUND,
                LINKDOWN_BOUND, AGREE_BOUND))
    if ASAN:
        out.append("ASan: %d engines killed by their filter at the stop "
                   "(asan_exit_artifact)" %
                   sum(asan_exit_artifact(i) for n in lab.nodes
                       for i in n.instances))
    out.append("observer: longest gap between samples %.2fs, starved "
               "(gap > %.1fs) %d times" % (rec.max_gap, STARVE_GAP,
                                          rec.starved))
    out.append("")
    out.append("%-24s %8s" % ("FAULT", "COUNT"))
    for k, v in sorted(rec.faults.items()):
        out.append("%-24s %8d" % (k, v))
    out.append("")
    out.append("%-24s %10s %10s" % ("INVARIANT", "CHECKS", "VIOLATIONS"))
    kinds = sorted(set(rec.checks) | set(rec.violations))
    for k in kinds:
        out.append("%-24s %10d %10d" % (k, rec.checks[k],
                                        len(rec.violations[k])))
    out.append("")
    out.append("%-4s %4s %-6s %6s %10s %5s %10s %5s  %s" %
               ("NODE", "INST", "ROLE", "PID", "RSS0(kB)", "FD0",
                "RSS1(kB)", "FD1", "LIVED / EXIT"))
    for n in lab.nodes:
        for i in n.instances:
            for role, p in (("parent", i.parent), ("engine", i.engine)):
                if p is None:
                    continue
                s0 = p.samples[0] if p.samples else None
                s1 = p.samples[-1] if p.samples else None
                fate = "killed" if role in i.killed else ""
                if role == "parent" and i.exit_status is not None:
                    fate += " exit %#x" % i.exit_status
                lived = (s1[0] - s0[0]) if s0 else 0
                out.append("%-4s %4d %-6s %6d %10s %5s %10s %5s  %.0fs %s" %
                           (n.name, i.number, role, p.pid,
                            s0[1] if s0 else "-", s0[2] if s0 else "-",
                            s1[1] if s1 else "-", s1[2] if s1 else "-",
                            lived, fate.strip()))
    total = sum(len(v) for v in rec.violations.values())
    if rec.notes:
        out.append("")
        out.append("NOTES (%d), not violations:" % len(rec.notes))
        out.extend("  " + x for x in rec.notes[:50])
    if total:
        out.append("")
        out.append("VIOLATIONS (%d); replay with SOAK_SEED=%d "
                   "SOAK_ADVBASE=%d SOAK_NODES=%d:" %
                   (total, SEED, ADVBASE, NODES))
        for k in sorted(rec.violations):
            for line in rec.violations[k]:
                out.append("  " + line)
    out.append("")
    out.append("work directory: %s (faults.log, violations.log, logs)" %
               workdir)
    out.append("%s: seed %d" % ("FAIL" if total else "PASS", SEED))
    text = "\n".join(out)
    print(text, flush=True)
    with open(os.path.join(workdir, "report.txt"), "w") as f:
        f.write(text + "\n")
    return total


# --- Main -----------------------------------------------------------------

class Stop(Exception):
    pass


def main():
    if os.getuid() != 0:
        sys.exit("soak: needs root")
    if os.getpid() != 1:
        sys.exit("soak: run me through regress/soak/soak.sh, which gives "
                 "me a PID namespace of my own")
    for b in (HAFOD, HAFOCTL):
        if not os.access(b, os.X_OK):
            sys.exit("soak: no %s: make first" % b)
    workdir = os.environ.get("SOAK_DIR") or \
        tempfile.mkdtemp(prefix="hafod-soak.")
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    rec = Record(workdir)
    print("hafod soak: seed %d, SOAK_MINUTES=%s SOAK_ADVBASE=%d "
          "SOAK_NODES=%d, work directory %s, hafod %s" %
          (SEED, MINUTES, ADVBASE, NODES, workdir, HAFOD), flush=True)

    interrupted = []

    def on_signal(sig, frame):
        interrupted.append(sig)
        raise Stop()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    lab = Lab(workdir, rec)
    nem = obs = None
    try:
        lab.write_hook()
        lab.create()
        for n in lab.nodes:
            n.start()
        nem = Nemesis(lab, rec, random.Random(SEED))
        obs = Observer(lab, rec, nem)
        end = time.time() + MINUTES * 60
        while time.time() < end:
            now = time.time()
            obs.sample(now)
            obs.check(now)
            nem.tick(time.time())
            time.sleep(max(0.0, SAMPLE - (time.time() - now)))
        settle(lab, rec, nem, obs)
    except Stop:
        pass
    except Exception as e:           # the report still comes, and says so
        rec.violation("harness", time.time(), "%s: %r" %
                      (type(e).__name__, e))
        import traceback
        traceback.print_exc()
    # No more signals: the teardown must run to its end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    teardown(lab, rec, nem, obs, bool(interrupted))
    total = report(lab, rec, workdir, bool(interrupted))
    for p in lab.holders:
        p.kill()
    return 1 if total or interrupted else 0


def settle(lab, rec, nem, obs):
    """Heal, restart the dead, and watch HOLDER_BOUND (and a hook's
    lifetime) more before the last checks."""
    rec.fault("settle", "-")
    nem.heal_all()
    for n in lab.nodes:
        if not n.running():
            nem.restart(n)
    nem.event()
    end = time.time() + max(HOLDER_BOUND, HOOK_BOUND) + 3
    while time.time() < end:
        now = time.time()
        obs.sample(now)
        obs.check(now)
        time.sleep(max(0.0, SAMPLE - (time.time() - now)))
    obs.processes(time.time(), force=True)
    check_logs(lab, rec, final=True)
    leak_verdicts(lab, rec)


def teardown(lab, rec, nem, obs, interrupted):
    """SIGTERM every hafod (a stopped one continued first), wait, and
    check how each exited."""
    if nem is not None:
        try:
            nem.heal_all()
        except Exception as e:
            rec.violation("harness", time.time(), "heal: %r" % e)
    for n in lab.nodes:
        n.cont_all()
        if n.running():
            n.inst.terminating = True
            n.inst.parent.signal(signal.SIGTERM)
    # hafod.8, SIGNALS: a bow-out lasts at most 5 s, the stop hooks their
    # timeout each; the engine is given 10 s.
    end = time.time() + 15 + HOOK_BOUND
    while time.time() < end and any(n.running() for n in lab.nodes):
        if obs is not None:
            obs.reap(time.time())
        time.sleep(0.1)
    for n in lab.nodes:
        if n.running():
            rec.violation("crash", time.time(), "%s: hafod still running "
                          "after SIGTERM; killed" % n.name)
            n.inst.parent.signal(signal.SIGKILL)
    if obs is not None:
        time.sleep(0.5)
        obs.reap(time.time())
        # Again, for the hooks of the stop and what the sanitizers say at
        # exit; what was found before is not counted twice.
        check_logs(lab, rec, final=False)


if __name__ == "__main__":
    sys.exit(main())
