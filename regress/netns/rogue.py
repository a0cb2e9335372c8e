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

"""A rogue host on a CARP segment, for t_attack: it sends what hafod must
refuse, captures and replays advertisements, and floods.

  rogue.py IFACE send KIND [COUNT]
  rogue.py IFACE capture SRC VHID [SECONDS]
  rogue.py IFACE replay HEX [--src A] [--dst A] [--advskew N] [--advbase N]
                            [--demote N] [--count N] [--interval S]
  rogue.py IFACE flood SECONDS RATE KIND[,KIND...]
  rogue.py IFACE bundle KIND [COUNT] [--key P] [--src A] [--dst A]
  rogue.py IFACE bundle-capture SRC VHID [SECONDS] [--port N]
                                   [--digest yes]
  rogue.py IFACE bundle-replay HEX [--src A] [--dst A] [--advskew N]
                                   [--count N] [--interval S]
  rogue.py IFACE bundle-check HEX SRC PASSWORD [--vhid N --vips A/P,...]
  rogue.py IFACE bundle-flood SECONDS RATE KIND[,KIND...]

Packets go to 224.0.0.18 with TTL 255 from IFACE's own address unless
told otherwise; KIND names a packet (see KINDS), all for vhid 7 but
"vhid".  capture prints one advertisement's 36 bytes in hex; replay sends
it again, edited and with its checksum made right (the HMAC still
verifies: CARP does not cover those fields).  flood prints the number of
packets sent.

The bundle commands speak hafod's bundle format (hafod.8, BUNDLE
FORMAT): UDP to port 8112 (--port or $BUNDLE_PORT otherwise), the same
group, TTL 255.  A datagram the rogue makes carries a MAC under the key
from --key (default "hafod-test"), derived as bundle_key_derive() does,
and a counter from the clock, so that each is newer than the last; a
KIND names one (see BUNDLE_KINDS).  bundle-capture prints one datagram
from SRC with an advertisement for VHID in hex (with --digest yes, one
whose entry carries the digest); bundle-replay sends it
again, as it is or with an entry's advskew edited (the MAC then fails);
bundle-check verifies a captured datagram's MAC with this encoder's key
and prints what it decodes, for a test that cross-checks the two.
"""

import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import time

GROUP = "224.0.0.18"
PROTO = 112
VHID = 7


def cksum(buf):
    """The Internet checksum of buf (even length)."""
    s = 0
    for i in range(0, len(buf), 2):
        s += buf[i] << 8 | buf[i + 1]
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_cksum(pkt):
    pkt = bytearray(pkt)
    pkt[6:8] = b"\0\0"
    pkt[6:8] = struct.pack(">H", cksum(pkt))
    return bytes(pkt)


def advert(vhid=VHID, vt=0x21, advskew=0, authlen=7, advbase=1, hmac=None):
    """A well-formed CARP advertisement with a HMAC nobody can verify."""
    pkt = bytes([vt, vhid, advskew, authlen, 0, advbase, 0, 0])
    pkt += os.urandom(8) + (hmac if hmac is not None else os.urandom(20))
    return with_cksum(pkt)


def vrrp2(addrs):
    """VRRPv2 (RFC 3768) for VRID 7, priority 100, simple auth "hafod"."""
    pkt = bytes([0x21, VHID, 100, len(addrs), 1, 1, 0, 0])
    pkt += b"".join(socket.inet_aton(a) for a in addrs)
    pkt += b"hafod\0\0\0"
    return with_cksum(pkt)


def vrrp3(addrs):
    """VRRPv3 (RFC 5798) for VRID 7, priority 100, 1 s; its checksum has a
    pseudo-header, which CARP's has not: no matter, hafod drops it first."""
    pkt = bytes([0x31, VHID, 100, len(addrs), 0, 100, 0, 0])
    pkt += b"".join(socket.inet_aton(a) for a in addrs)
    return with_cksum(pkt)


def bad_checksum():
    pkt = bytearray(advert())
    pkt[6] ^= 0x5A
    return bytes(pkt)


# KIND: (payload maker, TTL).  The reason hafod gives is in t_attack.
KINDS = {
    "ttl": (advert, 254),
    "ttl1": (advert, 1),
    "checksum": (bad_checksum, 255),
    "hmac": (advert, 255),
    "short": (lambda: advert()[:20], 255),
    "empty": (lambda: b"", 255),
    "long": (lambda: advert() + bytes(64), 255),
    "oversized": (lambda: advert() + bytes(1400), 255),
    "jumbo": (lambda: advert() + bytes(4000), 255),
    "version": (lambda: advert(vt=0x31), 255),
    "type": (lambda: advert(vt=0x22), 255),
    "authlen": (lambda: advert(authlen=5), 255),
    "vhid": (lambda: advert(vhid=99), 255),
    "vrrp2": (lambda: vrrp2(["192.0.2.50"]), 255),
    "vrrp3": (lambda: vrrp3(["192.0.2.50"]), 255),
    # The same protocols at CARP's own length of 36 bytes.
    "vrrp2_36": (lambda: vrrp2(["192.0.2.%d" % i for i in range(50, 55)]),
                 255),
    "vrrp3_36": (lambda: vrrp3(["192.0.2.%d" % i for i in range(50, 57)]),
                 255),
}


def ip_header(src, dst, ttl, length):
    # Total length and identification are filled in by the kernel.
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0x10, 20 + length, 0,
                       0x4000, ttl, PROTO, 0, socket.inet_aton(src),
                       socket.inet_aton(dst))


class Sender:
    """Raw IPv4 out of one interface: our own header where it fits in a
    frame (any TTL, any source), the kernel's (fragments) where not."""

    def __init__(self, iface):
        self.iface = iface
        self.hdrincl = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                     socket.IPPROTO_RAW)
        self.hdrincl.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                                iface.encode())
        self.plain = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO)
        self.plain.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                              iface.encode())
        self.plain.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL,
                              255)
        self.plain.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
        self.src = own_address(iface)

    def frame(self, payload, ttl=255, src=None, dst=GROUP):
        return ip_header(src or self.src, dst, ttl, len(payload)) + payload

    def send(self, payload, ttl=255, src=None, dst=GROUP):
        if len(payload) > 1400:
            self.plain.sendto(payload, (dst, 0))
        else:
            self.hdrincl.sendto(self.frame(payload, ttl, src, dst), (dst, 0))

    def send_frame(self, frame, dst=GROUP):
        self.hdrincl.sendto(frame, (dst, 0))


def own_address(iface):
    """The interface's IPv4 address, from ip(8)."""
    out = os.popen("ip -4 -o addr show dev %s" % iface).read().split()
    return out[out.index("inet") + 1].split("/")[0]


def cmd_send(iface, kind, count="1"):
    make, ttl = KINDS[kind]
    s = Sender(iface)
    for _ in range(int(count)):
        s.send(make(), ttl)


def cmd_capture(iface, src, vhid, seconds="10"):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    mreq = struct.pack("4s4si", socket.inet_aton(GROUP),
                       socket.inet_aton("0.0.0.0"),
                       socket.if_nametoindex(iface))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        s.settimeout(max(end - time.monotonic(), 0.01))
        try:
            pkt, (who, _) = s.recvfrom(2048)
        except socket.timeout:
            break
        hlen = (pkt[0] & 0x0F) * 4
        carp = pkt[hlen:]
        if who == src and len(carp) == 36 and carp[1] == int(vhid):
            print(carp.hex())
            return 0
    print("no advertisement from %s for vhid %s" % (src, vhid),
          file=sys.stderr)
    return 1


def cmd_replay(iface, hexpkt, *opts):
    pkt = bytearray(bytes.fromhex(hexpkt))
    src, dst, count, interval = None, GROUP, 1, 0.0
    args = list(opts)
    while args:
        opt, val = args.pop(0), args.pop(0)
        if opt == "--src":
            src = val
        elif opt == "--dst":
            dst = val
        elif opt == "--advskew":
            pkt[2] = int(val)
        elif opt == "--demote":
            pkt[4] = int(val)
        elif opt == "--advbase":
            pkt[5] = int(val)
        elif opt == "--count":
            count = int(val)
        elif opt == "--interval":
            interval = float(val)
        else:
            raise SystemExit("replay: unknown option " + opt)
    pkt = with_cksum(pkt)
    s = Sender(iface)
    for i in range(count):
        s.send(pkt, 255, src, dst)
        if i + 1 < count:
            time.sleep(interval)


def cmd_flood(iface, seconds, rate, kinds):
    """RATE packets a second for SECONDS, cycling through KINDS; a few
    prepared packets of each, so the cost is in sending, not making."""
    s = Sender(iface)
    frames = []
    for kind in kinds.split(","):
        make, ttl = KINDS[kind]
        frames += [s.frame(make(), ttl) for _ in range(16)]
    rate, seconds = int(rate), float(seconds)
    start = time.monotonic()
    sent = 0
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            break
        while sent < int(elapsed * rate) + 1:
            s.send_frame(frames[sent % len(frames)])
            sent += 1
        time.sleep(0.001)
    print(sent)


# ---- the bundle format ---------------------------------------------

BUNDLE_PORT = int(os.environ.get("BUNDLE_PORT", "8112"))
BUNDLE_VERSION = 1
F_MASTER, F_BOWOUT, F_BASE, F_DIGEST = 0x01, 0x02, 0x04, 0x08
BUNDLE_SALT = b"hafod bundle v1"


def bundle_key(secret):
    """(key, key id) as bundle_key_derive(): HKDF-SHA-256, fixed salt, one
    expand block under "key" and one under "key id"."""
    prk = hmac.new(BUNDLE_SALT, secret, hashlib.sha256).digest()
    key = hmac.new(prk, b"key\x01", hashlib.sha256).digest()
    kid = hmac.new(prk, b"key id\x01", hashlib.sha256).digest()[:4]
    return key, kid


def bundle_mac(key, src, body):
    """The first 16 bytes of HMAC-SHA-256 over the source address's bytes
    and everything before the MAC."""
    a = socket.inet_pton(socket.AF_INET6 if ":" in src else socket.AF_INET,
                         src)
    return hmac.new(key, a + body, hashlib.sha256).digest()[:16]


def bundle_counter():
    """A counter above any this rogue sent before: epoch << 40 | sequence
    from the clock's microseconds, as a node's would grow."""
    t = time.time_ns() // 1000
    return (t >> 28) << 40 | (t & ((1 << 28) - 1))


def bundle_encode(entries, secret=b"hafod-test", src="0.0.0.0", base=1000,
                  counter=None, count=None, version=BUNDLE_VERSION,
                  mac=True):
    """entries: (vhid, flags, advskew, demote[, base[, digest]]); an entry's
    base goes on the wire where it differs from the header's.  count and
    version may lie; mac False leaves a random one."""
    key, kid = bundle_key(secret)
    if counter is None:
        counter = bundle_counter()
    body = struct.pack(">BBH4sQ", version,
                       len(entries) if count is None else count, base, kid,
                       counter)
    for e in entries:
        vhid, flags, skew, demote = e[:4]
        ebase = e[4] if len(e) > 4 and e[4] is not None else base
        digest = e[5] if len(e) > 5 else None
        if ebase != base:
            flags |= F_BASE
        if digest is not None:
            flags |= F_DIGEST
        body += bytes([vhid, flags, skew, demote])
        if ebase != base:
            body += struct.pack(">H", ebase)
        if digest is not None:
            body += struct.pack(">I", digest)
    return body + (bundle_mac(key, src, body) if mac else os.urandom(16))


def bundle_decode(buf):
    """(header dict, entries) of a datagram, shape checked as
    bundle_decode() does, or raise ValueError."""
    if len(buf) < 16 + 4 + 16:
        raise ValueError("short")
    version, count, base, kid, counter = struct.unpack(">BBH4sQ", buf[:16])
    off, end, entries = 16, len(buf) - 16, []
    for _ in range(count):
        if end - off < 4:
            raise ValueError("count lies")
        vhid, flags, skew, demote = buf[off:off + 4]
        off += 4
        ebase, digest = base, None
        if flags & F_BASE:
            ebase = struct.unpack(">H", buf[off:off + 2])[0]
            off += 2
        if flags & F_DIGEST:
            digest = struct.unpack(">I", buf[off:off + 4])[0]
            off += 4
        entries.append({"vhid": vhid, "flags": flags, "advskew": skew,
                        "demote": demote, "base": ebase, "digest": digest})
    if off != end:
        raise ValueError("count lies")
    return {"version": version, "count": count, "base": base,
            "keyid": kid.hex(), "counter": counter}, entries


def bundle_entry_offset(buf, vhid):
    """Where VHID's entry starts in buf, or -1."""
    _, entries = bundle_decode(buf)
    off = 16
    for e in entries:
        if e["vhid"] == vhid:
            return off
        off += 4 + (2 if e["flags"] & F_BASE else 0) + \
            (4 if e["flags"] & F_DIGEST else 0)
    return -1


def _bundle_ok(src, **kw):
    """A backup's report for vhid 7: valid, states nothing."""
    return bundle_encode([(VHID, 0, 100, 0)], src=src, **kw)


# KIND: what bundle makes, from the sender's source address and key, and
# the TTL.  Each is for vhid 7 but "vhid"; the reason hafod gives is in
# t_attack.
BUNDLE_KINDS = {
    "ok": (lambda src, k: _bundle_ok(src, secret=k), 255),
    "badmac": (lambda src, k: _bundle_ok(src, secret=k, mac=False), 255),
    "master": (lambda src, k: bundle_encode([(VHID, F_MASTER, 0, 0)],
                                            secret=k, src=src), 255),
    "otherkey": (lambda src, k: _bundle_ok(src, secret=b"not-" + k), 255),
    "ttl": (lambda src, k: _bundle_ok(src, secret=k), 254),
    "version": (lambda src, k: _bundle_ok(src, secret=k, version=2), 255),
    "truncated": (lambda src, k: _bundle_ok(src, secret=k)[:30], 255),
    "short": (lambda src, k: _bundle_ok(src, secret=k)[:10], 255),
    # Two entries' bytes under a count of three, and of one.
    "count": (lambda src, k: bundle_encode([(VHID, 0, 100, 0),
                                            (8, 0, 100, 0)], secret=k,
                                           src=src, count=3), 255),
    "countlow": (lambda src, k: bundle_encode([(VHID, 0, 100, 0),
                                               (8, 0, 100, 0)], secret=k,
                                              src=src, count=1), 255),
    "vhid": (lambda src, k: bundle_encode([(99, F_MASTER, 0, 0)], secret=k,
                                          src=src), 255),
}


def ip_udp_frame(payload, src, dst, ttl, sport, dport):
    """IPv4 and UDP headers by hand, so that the source can be anyone's;
    UDP checksum 0: none, which IPv4 allows."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0x10, 20 + 8 + len(payload), 0,
                     0x4000, ttl, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip + udp + payload


def bundle_opts(opts, allowed):
    """--name value pairs into a dict; an unknown one is an error."""
    args, out = list(opts), {}
    while args:
        opt = args.pop(0)
        if opt[2:] not in allowed or not args:
            raise SystemExit("unknown or incomplete option " + opt)
        out[opt[2:]] = args.pop(0)
    return out


def cmd_bundle(iface, kind, *opts):
    count = 1
    if opts and not opts[0].startswith("--"):
        count, opts = int(opts[0]), opts[1:]
    o = bundle_opts(opts, ("key", "src", "dst", "port"))
    s = Sender(iface)
    src = o.get("src", s.src)
    make, ttl = BUNDLE_KINDS[kind]
    port = int(o.get("port", BUNDLE_PORT))
    for _ in range(count):
        frame = ip_udp_frame(make(src, o.get("key", "hafod-test").encode()),
                             src, o.get("dst", GROUP), ttl, port, port)
        s.send_frame(frame, o.get("dst", GROUP))


def bundle_listener(iface, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", port))
    mreq = struct.pack("4s4si", socket.inet_aton(GROUP),
                       socket.inet_aton("0.0.0.0"),
                       socket.if_nametoindex(iface))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return s


def cmd_bundle_capture(iface, src, vhid, *opts):
    seconds = "10"
    if opts and not opts[0].startswith("--"):
        seconds, opts = opts[0], opts[1:]
    o = bundle_opts(opts, ("port", "digest"))
    flags = F_MASTER | (F_DIGEST if o.get("digest") == "yes" else 0)
    s = bundle_listener(iface, int(o.get("port", BUNDLE_PORT)))
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        s.settimeout(max(end - time.monotonic(), 0.01))
        try:
            buf, (who, _) = s.recvfrom(2048)
        except socket.timeout:
            break
        if who != src:
            continue
        try:
            _, entries = bundle_decode(buf)
        except ValueError:
            continue
        if any(e["vhid"] == int(vhid) and e["flags"] & flags == flags
               for e in entries):
            print(buf.hex())
            return 0
    print("no bundle from %s advertising vhid %s" % (src, vhid),
          file=sys.stderr)
    return 1


def cmd_bundle_replay(iface, hexbuf, *opts):
    buf = bytearray(bytes.fromhex(hexbuf))
    o = bundle_opts(opts, ("src", "dst", "advskew", "count", "interval",
                           "port", "vhid"))
    s = Sender(iface)
    if "advskew" in o:
        # The edit CARP cannot see: here the MAC covers it.
        off = bundle_entry_offset(bytes(buf), int(o.get("vhid", VHID)))
        if off < 0:
            raise SystemExit("bundle-replay: no entry to edit")
        buf[off + 2] = int(o["advskew"])
    port = int(o.get("port", BUNDLE_PORT))
    dst = o.get("dst", GROUP)
    frame = ip_udp_frame(bytes(buf), o.get("src", s.src), dst, 255, port,
                         port)
    count = int(o.get("count", 1))
    for i in range(count):
        s.send_frame(frame, dst)
        if i + 1 < count:
            time.sleep(float(o.get("interval", 0)))


def bundle_digest(vhid, vips, vmac=0):
    """bundle_digest(): vhid, vmac flag and the addresses with their
    prefixes, sorted by family, prefix and bytes, under a fixed key."""
    vl = []
    for v in vips:
        a, plen = v.split("/")
        fam = socket.AF_INET6 if ":" in a else socket.AF_INET
        vl.append((0 if fam == socket.AF_INET else 1, int(plen),
                   socket.inet_pton(fam, a)))
    buf = bytes([vhid, vmac])
    for fam, plen, a in sorted(vl):
        buf += bytes([6 if fam else 4, plen]) + a
    d = hmac.new(b"hafod bundle digest v1", buf, hashlib.sha256).digest()
    return struct.unpack(">I", d[:4])[0]


def cmd_bundle_check(iface, hexbuf, src, password, *opts):
    """Exit 0 if the MAC is what this encoder computes and, with --vhid
    and --vips, that vhid's digest (where the datagram has one) is this
    encoder's of those addresses; print the decoded datagram either way."""
    o = bundle_opts(opts, ("vhid", "vips"))
    buf = bytes.fromhex(hexbuf)
    hdr, entries = bundle_decode(buf)
    key, kid = bundle_key(password.encode())
    ok = kid.hex() == hdr["keyid"] and \
        bundle_mac(key, src, buf[:-16]) == buf[-16:]
    out = {"header": hdr, "entries": entries, "mac_ok": ok}
    if "vhid" in o:
        want = bundle_digest(int(o["vhid"]), o.get("vips", "").split(","))
        got = [e["digest"] for e in entries
               if e["vhid"] == int(o["vhid"]) and e["digest"] is not None]
        out["digest_ok"] = all(g == want for g in got)
        ok = ok and out["digest_ok"]
    print(json.dumps(out))
    return 0 if ok else 1


def cmd_bundle_flood(iface, seconds, rate, kinds):
    """As flood, with bundle KINDs from this host's own address."""
    s = Sender(iface)
    frames = []
    for kind in kinds.split(","):
        make, ttl = BUNDLE_KINDS[kind]
        frames += [ip_udp_frame(make(s.src, b"hafod-test"), s.src, GROUP,
                                ttl, BUNDLE_PORT, BUNDLE_PORT)
                   for _ in range(16)]
    rate, seconds = int(rate), float(seconds)
    start = time.monotonic()
    sent = 0
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            break
        while sent < int(elapsed * rate) + 1:
            s.send_frame(frames[sent % len(frames)])
            sent += 1
        time.sleep(0.001)
    print(sent)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    iface, cmd, args = argv[1], argv[2], argv[3:]
    cmds = {"send": cmd_send, "capture": cmd_capture,
            "replay": cmd_replay, "flood": cmd_flood,
            "bundle": cmd_bundle, "bundle-capture": cmd_bundle_capture,
            "bundle-replay": cmd_bundle_replay,
            "bundle-check": cmd_bundle_check,
            "bundle-flood": cmd_bundle_flood}
    if cmd not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[cmd](iface, *args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
