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

Packets go to 224.0.0.18 with TTL 255 from IFACE's own address unless
told otherwise; KIND names a packet (see KINDS), all for vhid 7 but
"vhid".  capture prints one advertisement's 36 bytes in hex; replay sends
it again, edited and with its checksum made right (the HMAC still
verifies: CARP does not cover those fields).  flood prints the number of
packets sent.
"""

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


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    iface, cmd, args = argv[1], argv[2], argv[3:]
    cmds = {"send": cmd_send, "capture": cmd_capture,
            "replay": cmd_replay, "flood": cmd_flood}
    if cmd not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[cmd](iface, *args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
