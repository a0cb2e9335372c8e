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

"""The benchmark's eyes on the wire, run as root in the client's namespace.

probe: ICMP echo to one or more addresses at a fixed rate (1 kHz by
default), the longest gap between answers and the probes lost; at a
given moment it performs the event itself (SIGKILL or SIGTERM of PIDs, a
link cut through rtnetlink in another namespace, a command), so that
"the same instant" is a few microseconds, and it times the first
gratuitous ARP for each address after the event, read with an AF_PACKET
socket.

count: what the nodes put on the wire for a while, by kind ("carp",
"bundle" for UDP to hafod's bundle port, ...), as packets and bytes
(Ethernet frames without the FCS), and by source MAC.

Every time is CLOCK_REALTIME, as in hafod's log, so both can be compared.
Output is one JSON object on stdout.
"""

import argparse
import ctypes
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
SO_TIMESTAMPNS = 35
CLONE_NEWNET = 0x40000000
PACKET_OUTGOING = 4
RTM_NEWLINK = 16
RTM_SETLINK = 19
IFLA_PROTINFO = 12
IFLA_BRPORT_ISOLATED = 33
NLA_F_NESTED = 0x8000
NLM_F_REQUEST = 1
NLM_F_ACK = 4
IFF_UP = 1
# hafod's bundle format (hafod.8): UDP to this port; "bundle" in count.
BUNDLE_PORT = int(os.environ.get("BUNDLE_PORT", "8112"))


def now_ns():
    return time.time_ns()


def kernel_stamp(ancdata, fallback):
    """The kernel's receive time of a packet, else fallback."""
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and \
                len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec * 1000000000 + nsec
    return fallback


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def netlink_in(nsname):
    """An rtnetlink socket living in namespace nsname, opened now so that
    the event later costs one sendmsg and no fork."""
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    other = os.open("/run/netns/" + nsname, os.O_RDONLY)
    try:
        if libc.setns(other, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + nsname)
        try:
            nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
            nl.bind((0, 0))
            ifindex = {}
            for _, name in socket.if_nameindex():
                ifindex[name] = socket.if_nametoindex(name)
        finally:
            if libc.setns(own, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")
    finally:
        os.close(own)
        os.close(other)
    return nl, ifindex


def nl_request(nl, msgtype, body, seq, what):
    """Send one rtnetlink request and raise its error, if any."""
    hdr = struct.pack("=IHHII", 16 + len(body), msgtype,
                      NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    nl.send(hdr + body)
    reply = nl.recv(4096)
    if len(reply) >= 20:
        err = struct.unpack("=i", reply[16:20])[0]
        if err != 0:
            raise OSError(-err, what)


def link_down(nl, ifindex, seq):
    # struct ifinfomsg: family, pad, type, index, flags, change.
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, IFF_UP)
    nl_request(nl, RTM_NEWLINK, body, seq, "link down")


def port_isolated(nl, ifindex, seq, on):
    """Set a bridge port's "isolated" flag: isolated ports do not hear
    each other, and every port hears the others."""
    attr = struct.pack("=HHB3x", 5, IFLA_BRPORT_ISOLATED, on)
    nest = struct.pack("=HH", 4 + len(attr), IFLA_PROTINFO | NLA_F_NESTED) \
        + attr
    body = struct.pack("=BxHiII", socket.AF_BRIDGE, 0, ifindex, 0, 0) + nest
    nl_request(nl, RTM_SETLINK, body, seq, "bridge port isolated")


class Event:
    """The actions of the event, prepared ahead, done in order."""

    def __init__(self, specs):
        self.actions = []
        seq = 1
        for spec in specs:
            kind, _, arg = spec.partition(":")
            if kind in ("kill", "term"):
                sig = signal.SIGKILL if kind == "kill" else signal.SIGTERM
                pids = [int(p) for p in arg.split(",") if p]
                self.actions.append(("signal", sig, pids))
            elif kind in ("linkdown", "join"):
                ns, _, ifname = arg.partition(":")
                nl, idx = netlink_in(ns)
                if ifname not in idx:
                    raise SystemExit("probe: no %s in %s" % (ifname, ns))
                self.actions.append((kind, nl, idx[ifname], seq))
                seq += 1
            elif kind == "exec":
                self.actions.append(("exec", arg))
            else:
                raise SystemExit("probe: unknown event " + spec)
        self.procs = []

    def fire(self):
        t0 = now_ns()
        steps = []
        for a in self.actions:
            if a[0] == "signal":
                for pid in a[2]:
                    try:
                        os.kill(pid, a[1])
                    except ProcessLookupError:
                        pass
            elif a[0] == "linkdown":
                link_down(a[1], a[2], a[3])
            elif a[0] == "join":
                port_isolated(a[1], a[2], a[3], 0)
            else:
                self.procs.append(subprocess.Popen(
                    a[1], shell=True, stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT))
            steps.append((now_ns() - t0) / 1e6)
        return t0, steps

    def finish(self):
        out = []
        for p in self.procs:
            try:
                data, _ = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                data, _ = p.communicate()
            out.append({"rc": p.returncode,
                        "output": data.decode(errors="replace").strip()})
        return out


def garp_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ARP))
    s.bind((ifname, ETH_P_ARP))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setblocking(False)
    return s


def parse_garp(frame):
    """(sender IP, sender MAC) of a gratuitous ARP, else None."""
    if len(frame) < 42:
        return None
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", frame[14:22])
    if htype != 1 or ptype != ETH_P_IP or hlen != 6 or plen != 4:
        return None
    sha = frame[22:28]
    spa = socket.inet_ntoa(frame[28:32])
    tpa = socket.inet_ntoa(frame[38:42])
    if spa != tpa or op not in (1, 2):
        return None
    return spa, sha.hex(":")


def cmd_probe(args):
    targets = [t for t in args.target.split(",") if t]
    ident = os.getpid() & 0xFFFF
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                         socket.IPPROTO_ICMP)
    icmp.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    icmp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    icmp.setblocking(False)
    garps = {}
    garp = None
    if args.garp:
        garp = garp_socket(args.iface)
        for v in args.garp.split(","):
            garps[v] = []
    ev = Event(args.event or [])
    # Real time only now: the interpreter's start-up, at real-time
    # priority, would starve the daemons it is measuring.
    if args.rt > 0:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(args.rt))
    interval = int(args.interval_us * 1000)
    start = now_ns()
    stop_send = start + int(args.duration * 1e9)
    end = stop_send + int(args.linger * 1e9)
    event_at = start + int(args.event_at * 1e9) if args.event else None
    t0 = None
    steps = []
    # Per target: sequence -> send time, and reply times by sequence.
    sent = [dict() for _ in targets]
    got = [dict() for _ in targets]
    seq = 0
    next_send = start
    late = 0
    garp_count = 0
    polls = [icmp] + ([garp] if garp else [])
    while True:
        t = now_ns()
        if event_at is not None and t0 is None and t >= event_at:
            t0, steps = ev.fire()
            t = now_ns()
        if t >= end:
            break
        if t >= next_send and t < stop_send:
            if t - next_send > interval:
                late += 1
                next_send = t
            seq = (seq + 1) & 0xFFFF
            for i, dst in enumerate(targets):
                payload = struct.pack("!Q", t)
                hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
                pkt = struct.pack("!BBHHH", 8, 0,
                                  checksum(hdr + payload), ident, seq) + \
                    payload
                try:
                    icmp.sendto(pkt, (dst, 0))
                except OSError:
                    pass
                sent[i][seq] = now_ns()
            next_send += interval
        wake = next_send if next_send < stop_send else end
        if event_at is not None and t0 is None:
            wake = min(wake, event_at)
        timeout = max(0, wake - now_ns()) / 1e9
        ready, _, _ = select.select(polls, [], [], timeout)
        for s in ready:
            while True:
                try:
                    data, anc, _, addr = s.recvmsg(2048, 128)
                except BlockingIOError:
                    break
                stamp = kernel_stamp(anc, now_ns())
                if s is icmp:
                    ihl = (data[0] & 0x0F) * 4
                    if len(data) < ihl + 8:
                        continue
                    typ, _, _, rid, rseq = struct.unpack(
                        "!BBHHH", data[ihl:ihl + 8])
                    if typ != 0 or rid != ident:
                        continue
                    src = socket.inet_ntoa(data[12:16])
                    if src in targets:
                        i = targets.index(src)
                        got[i].setdefault(rseq, stamp)
                else:
                    g = parse_garp(data)
                    if g is None or g[0] not in garps:
                        continue
                    garp_count += 1
                    if t0 is not None and stamp >= t0 and \
                            len(garps[g[0]]) < 100:
                        garps[g[0]].append((stamp, g[1]))
    res = {"start": start / 1e9, "interval_us": args.interval_us,
           "late_sends": late, "targets": []}
    if t0 is not None:
        res["event"] = t0 / 1e9
        res["event_steps_ms"] = steps
        res["event_output"] = ev.finish()
    for i, dst in enumerate(targets):
        times = sorted(got[i].values())
        gap, gap_at = 0.0, None
        for a, b in zip(times, times[1:]):
            if b - a > gap:
                gap, gap_at = b - a, a
        # Probes still in flight at the end are not lost.
        lost = sum(1 for s, ts in sent[i].items()
                   if s not in got[i] and ts < stop_send - 100000000)
        r = {"target": dst, "sent": len(sent[i]), "answered": len(got[i]),
             "lost": lost, "max_gap_ms": gap / 1e6}
        if gap_at is not None and t0 is not None:
            r["gap_from_event_ms"] = (gap_at - t0) / 1e6
        if t0 is not None:
            before = [x for x in times if x < t0]
            after = [x for x in times if x >= t0]
            r["last_before_event_ms"] = \
                (before[-1] - t0) / 1e6 if before else None
            r["first_after_event_ms"] = \
                (after[0] - t0) / 1e6 if after else None
        res["targets"].append(r)
    # The longest gap before the event is the probe's and the hosts' own
    # jitter: the floor under every outage figure.
    before = 0.0
    if t0 is not None:
        for i in range(len(targets)):
            times = [x for x in sorted(got[i].values()) if x < t0]
            for a, b in zip(times, times[1:]):
                before = max(before, (b - a) / 1e6)
    summary = {"max_gap_ms": max(r["max_gap_ms"] for r in res["targets"]),
               "max_gap_before_ms": before if t0 is not None else None,
               "lost": sum(r["lost"] for r in res["targets"]),
               "late_sends": late}
    if garp is not None:
        res["garp_count"] = garp_count
        # Per address: the first announcement after the event, and the
        # first from the node that announced last once no other node
        # announced after it: where the client's entry settled.
        res["garp"] = {}
        multi = 0
        for v, gs in garps.items():
            if not gs or t0 is None:
                res["garp"][v] = None
                continue
            final = gs[-1][1]
            others = [t for t, m in gs if m != final]
            settled = min(t for t, m in gs if m == final and
                          (not others or t > max(others)))
            if others:
                multi += 1
            res["garp"][v] = {"ms": (gs[0][0] - t0) / 1e6, "mac": gs[0][1],
                              "final_mac": final,
                              "settled_ms": (settled - t0) / 1e6,
                              "macs": sorted({m for _, m in gs})}
        seen = [g for g in res["garp"].values() if g is not None]
        summary["garp_missing"] = len(garps) - len(seen)
        summary["garp_multi"] = multi
        if seen:
            summary["garp_first_ms"] = min(g["ms"] for g in seen)
            summary["garp_last_ms"] = max(g["ms"] for g in seen)
            summary["garp_settled_ms"] = max(g["settled_ms"] for g in seen)
            summary["garp_macs"] = ",".join(sorted({m for g in seen
                                                    for m in g["macs"]}))
            summary["garp_final_macs"] = ",".join(sorted({g["final_mac"]
                                                          for g in seen}))
    if t0 is not None:
        summary["event_rc"] = max([o["rc"] for o in res["event_output"]],
                                  default=0)
    res["summary"] = summary
    json.dump(res, sys.stdout)
    print()
    return 0


ICMP6_KINDS = {133: "icmp6-rs", 134: "icmp6-ra", 135: "icmp6-ns",
               136: "icmp6-na", 143: "mld", 131: "mld"}


def classify(frame):
    if len(frame) < 14:
        return "other"
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == ETH_P_IP and len(frame) >= 34:
        proto = frame[23]
        hlen = 14 + (frame[14] & 0x0F) * 4
        if proto == 17 and len(frame) >= hlen + 8 and \
                struct.unpack("!H", frame[hlen + 2:hlen + 4])[0] == \
                BUNDLE_PORT:
            return "bundle"
        return {112: "carp", 2: "igmp", 1: "icmp"}.get(proto, "ipv4")
    if etype == ETH_P_ARP:
        return "arp"
    if etype == ETH_P_IPV6 and len(frame) >= 54:
        nh = frame[20]
        if nh == 112:
            return "carp"
        if nh == 17 and len(frame) >= 62 and \
                struct.unpack("!H", frame[56:58])[0] == BUNDLE_PORT:
            return "bundle"
        if nh == 58 and len(frame) >= 55:
            return ICMP6_KINDS.get(frame[54], "icmp6")
        if nh == 0:
            return "mld"
        return "ipv6"
    return "other"


def cmd_count(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((args.iface, ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.settimeout(0.1)
    kinds = {}
    sources = {}
    by_kind = {}
    end = time.monotonic() + args.duration
    while time.monotonic() < end:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        # One that came while recvfrom waited past the end is not ours:
        # counting it made a 10 s window of 1/s adverts read 1.1/s.
        if time.monotonic() >= end:
            break
        if addr[2] == PACKET_OUTGOING:
            continue
        k = classify(data)
        c = kinds.setdefault(k, [0, 0])
        c[0] += 1
        c[1] += len(data)
        src = data[6:12].hex(":")
        sources[src] = sources.get(src, 0) + 1
        by = by_kind.setdefault(k, {})
        by[src] = by.get(src, 0) + 1
    json.dump({"duration": args.duration,
               "kinds": {k: {"packets": v[0], "bytes": v[1]}
                         for k, v in kinds.items()},
               "sources": sources, "sources_by_kind": by_kind},
              sys.stdout)
    print()
    return 0


def cmd_get(args):
    """One figure of a probe's summary, "-" when it has none."""
    with open(args.file) as f:
        v = json.load(f).get("summary", {}).get(args.key)
    if v is None:
        print("-")
    elif isinstance(v, float):
        print("%.3f" % v)
    else:
        print(v)
    return 0


def main():
    ap = argparse.ArgumentParser(prog="probe.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probe")
    p.add_argument("--target", required=True,
                   help="addresses to ping, comma-separated")
    p.add_argument("--interval-us", type=float, default=1000)
    p.add_argument("--duration", type=float, required=True,
                   help="seconds of sending")
    p.add_argument("--linger", type=float, default=0.3,
                   help="seconds to wait for late answers")
    p.add_argument("--event-at", type=float, default=1.0)
    p.add_argument("--event", action="append",
                   help="kill:PID,..  term:PID,..  linkdown:NETNS:IFNAME"
                   "  join:NETNS:BRIDGEPORT (isolated off)  exec:COMMAND;"
                   " in order, at --event-at")
    p.add_argument("--garp", help="addresses whose first gratuitous ARP "
                   "after the event is timed")
    p.add_argument("--iface", default="eth0")
    p.add_argument("--rt", type=int, default=0,
                   help="SCHED_FIFO priority once set up (0: none)")
    c = sub.add_parser("count")
    c.add_argument("--iface", default="eth0")
    c.add_argument("--duration", type=float, required=True)
    g = sub.add_parser("get")
    g.add_argument("file")
    g.add_argument("key")
    args = ap.parse_args()
    if args.cmd == "probe":
        return cmd_probe(args)
    if args.cmd == "get":
        return cmd_get(args)
    return cmd_count(args)


if __name__ == "__main__":
    sys.exit(main())
