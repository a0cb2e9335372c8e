/*
 * Copyright (c) 2026 The hafod authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

#ifndef HAFOD_H
#define HAFOD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <net/if.h>
#include <netinet/in.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

#define HAFOD_CONF		"/etc/hafod.conf"
#define HAFOD_USER		"_hafod"
#define HAFOD_CHROOT		"/var/empty"
#define HAFOD_SOCKET		"/run/hafod.sock"
#define HAFOD_STATE		"/var/lib/hafod/state"
#define HAFOD_HEARTBEAT		"/run/hafod.heartbeat"

/* Options from the command line. */
#define HAFOD_OPT_VERBOSE	0x01

/*
 * CARP v2 on the wire; see ../shared/carp.md.  The passphrase is the raw
 * HMAC key in a zero-padded 20-byte buffer, so at most 19 bytes long.
 */
#define CARP_VERSION		2
#define CARP_TYPE_ADVERT	1
#define CARP_ADVERT_LEN		36
#define CARP_AUTHLEN		7
#define CARP_HMAC_LEN		20
#define CARP_KEY_LEN		20
#define CARP_PASS_MAX		(CARP_KEY_LEN - 1)
#define CARP_TTL		255
#define CARP_BOWOUT		255	/* advbase and advskew of a bow-out */
#define CARP_ADVSKEW_MAX	254
#define CARP_ADVBASE_DEFAULT	1
#define CARP_ADVSKEW_DEFAULT	0

/* Why an advertisement was dropped; carp_drop_name() names each. */
enum carp_drop {
	DROP_NONE,
	DROP_LENGTH,		/* not 36 bytes of CARP */
	DROP_VERSION,		/* not version 2, type advertisement */
	DROP_AUTHLEN,
	DROP_TTL,		/* not 255: not from this link */
	DROP_CHECKSUM,
	DROP_VHID,		/* no service with this vhid here */
	DROP_HMAC,		/* wrong passphrase or VIPs */
	DROP_OWN,		/* our own address as source */
	DROP_SOURCE,		/* not a configured unicast peer */
	DROP_REPLAY,		/* bundle: counter not above the last heard */
	DROP_FORMAT,		/* the other format than the service runs */
	DROP_PEERS,		/* bundle: too many senders to remember */
	DROP_MALFORMED,		/* bundle: a count, flag or field that lies */
	DROP_MAX
};

#define SERVICE_NAME_MAX	32	/* including the NUL */
#define SERVICE_VIPS_MAX	32
#define SERVICE_PEERS_MAX	8
#define SERVICE_GROUP_MAX	16	/* members of a group */

/*
 * An application heartbeat: a datagram naming it must come from uid (or
 * root) every ttl milliseconds, or the service is demoted by weight.
 */
#define SERVICE_HEARTBEATS_MAX	4
#define HEARTBEAT_NAME_MAX	32	/* including the NUL */
#define HEARTBEAT_TTL_MIN	50	/* milliseconds */
#define HEARTBEAT_TTL_MAX	3600000
#define HEARTBEAT_TTL_DEFAULT	1000

struct heartbeat_conf {
	char			name[HEARTBEAT_NAME_MAX];
	uint32_t		ttl;		/* milliseconds */
	uint32_t		uid;		/* may send, as root may */
	uint8_t			weight;		/* 1-254 */
	uint8_t			pad[3];
};

#define ANNOUNCE_COUNT_DEFAULT		3
#define ANNOUNCE_INTERVAL_DEFAULT	1000	/* milliseconds */
#define ANNOUNCE_COUNT_MAX		100
#define ANNOUNCE_INTERVAL_MAX		60000

/*
 * The lifetime of a VIP in the kernel, in seconds, renewed by the parent
 * every VIP_RENEW seconds: the kernel removes the addresses of a parent
 * that died in any way, SIGKILL included, VIP_LIFETIME seconds after its
 * last renewal, plus up to a second until it next looks (hafod.8).
 */
#define VIP_LIFETIME			4
#define VIP_RENEW			1

/*
 * An address: a VIP (with its prefix length), a unicast peer or the
 * source of an advertisement.  Fixed size and free of pointers, so it can
 * cross the socketpair inside a message.
 */
struct hafod_addr {
	uint8_t		af;		/* AF_INET or AF_INET6 */
	uint8_t		prefixlen;	/* VIPs only */
	uint8_t		pad[2];
	union {
		struct in_addr	v4;
		struct in6_addr	v6;
		uint8_t		bytes[16];
	} u;
};

/*
 * protocol carp|bundle (hafod.8, BUNDLE FORMAT): CARP v2, one datagram
 * per service, or the bundle: one UDP datagram per node, interface and
 * key for all the services it runs there, authenticated end to end.
 */
#define PROTO_CARP		0
#define PROTO_BUNDLE		1

#define BUNDLE_PORT_DEFAULT	8112
#define BUNDLE_VERSION		1
#define BUNDLE_HDR_LEN		16	/* version, count, base, key id, counter */
#define BUNDLE_ENTRY_LEN	4	/* vhid, flags, advskew, demote */
#define BUNDLE_MAC_LEN		16	/* HMAC-SHA-256, first 16 bytes */
#define BUNDLE_KEY_LEN		32
#define BUNDLE_KEYID_LEN	4
#define BUNDLE_ENTRIES_MAX	255
#define BUNDLE_DATAGRAM_MAX	1400	/* a sender splits above this */
#define BUNDLE_INTERVAL_MIN	1	/* ms */
#define BUNDLE_INTERVAL_MAX	60000
#define BUNDLE_KEYFILE_MIN	16	/* bytes */
#define BUNDLE_KEYFILE_MAX	4096
#define BUNDLE_SEQ_BITS		40	/* counter: epoch << 40 | sequence */

/* An entry's flags; any other bit set drops the datagram. */
#define BUNDLE_F_MASTER		0x01	/* an advertisement, as CARP's */
#define BUNDLE_F_BOWOUT		0x02	/* a master letting go */
#define BUNDLE_F_BASE		0x04	/* its own base follows: 2 bytes, ms */
#define BUNDLE_F_DIGEST		0x08	/* its digest follows: 4 bytes */
#define BUNDLE_F_ALL		0x0f

/* The key of a datagram, derived from a password or a key file. */
struct bundle_key {
	uint8_t			key[BUNDLE_KEY_LEN];
	uint8_t			id[BUNDLE_KEYID_LEN]; /* on the wire */
};

/* One service in a datagram, as decoded: base always filled in. */
struct bundle_entry {
	uint8_t			vhid;
	uint8_t			flags;		/* BUNDLE_F_* */
	uint8_t			advskew;
	uint8_t			demote;
	uint16_t		base;		/* ms */
	uint16_t		pad;
	uint32_t		digest;		/* with BUNDLE_F_DIGEST */
};

struct bundle {
	uint16_t		base;		/* ms: of entries without F_BASE */
	uint8_t			keyid[BUNDLE_KEYID_LEN];
	uint64_t		counter;
	unsigned int		nentries;
	struct bundle_entry	entries[BUNDLE_ENTRIES_MAX];
};

/*
 * Sites (hafod.8, SITES): a service or group "across sites" has one
 * controller in the whole corosync cluster, the local master of one
 * site.  Which site is agreed over corosync's CPG by sites.c's rules,
 * which every member applies to the same ordered messages.
 */
#define SITE_NAME_MAX		32	/* including the NUL */
#define SITES_MAX		8	/* sites in one cluster */
#define SITE_NONE		255	/* no site: an index into none */

#define SITE_KIND_SERVICE	0
#define SITE_KIND_GROUP		1

/* A service's or a group's "across sites" line. */
struct site_conf {
	uint8_t			across;		/* 1: one controller */
	uint8_t			failback;	/* back to a preferred site */
	uint8_t			nprefer;
	uint8_t			pad;
	char			prefer[SITES_MAX][SITE_NAME_MAX];
};

/* What a local master of an entity across sites is told it is. */
enum site_role {
	SITE_ROLE_NONE,		/* not its site's local master */
	SITE_ROLE_STANDBY,	/* local master; the role is elsewhere */
	SITE_ROLE_CONTROLLER,	/* local master of the controller site */
};

/*
 * One virtual service as configured.  Everything the engine needs and
 * nothing it must not know; it crosses to the engine as one message.
 */
struct service_conf {
	char			name[SERVICE_NAME_MAX];
	char			ifname[IFNAMSIZ];
	uint32_t		id;		/* index in config order, from 1 */
	uint8_t			vhid;		/* 1-255 */
	uint8_t			advbase;	/* 0-255; 0: sub-second */
	uint8_t			advskew;	/* 0-254 */
	uint8_t			preempt;
	uint8_t			passlen;	/* 0: no passphrase */
	uint8_t			nvips;
	uint8_t			npeers;		/* 0: multicast */
	uint8_t			pad;
	char			pass[CARP_KEY_LEN]; /* zero padded */
	uint16_t		announce_count;
	uint16_t		pad2;
	uint32_t		announce_interval; /* milliseconds */
	char			group[SERVICE_NAME_MAX]; /* "": none */
	uint8_t			group_leader;	/* first member of its group */
	uint8_t			pad3[3];
	struct hafod_addr	vips[SERVICE_VIPS_MAX];
	struct hafod_addr	peers[SERVICE_PEERS_MAX];
	uint8_t			vmac;		/* on a virtual MAC interface */
	uint8_t			nheartbeats;
	uint8_t			pad4[2];
	struct heartbeat_conf	heartbeats[SERVICE_HEARTBEATS_MAX];
	uint8_t			handover;	/* HANDOVER_* */
	uint8_t			hookset;	/* bit 1 << hook_event: given */
	uint8_t			fence_policy;	/* FENCE_* */
	uint8_t			fence_limit;	/* failures before promote */
	uint32_t		hook_timeout;	/* seconds: the bounds */
	uint32_t		fence_hold;	/* seconds between fence tries */
	uint8_t			protocol;	/* PROTO_* */
	uint8_t			pad5[3];
	uint32_t		interval;	/* ms; protocol bundle only */
	struct bundle_key	bkey;		/* protocol bundle only */
	struct site_conf	site;		/* the parent's; across sites */
};

/*
 * handover overlap|exclusive (hafod.8, HANDOVER): whether a new master
 * runs its promote hook at once, or only once the old master has run
 * its demote hook or must have stopped (ehandover.c).
 */
#define HANDOVER_OVERLAP	0
#define HANDOVER_EXCLUSIVE	1

/* on fence failure retry|promote [hold seconds] [limit count] */
#define FENCE_RETRY		0
#define FENCE_PROMOTE		1
#define FENCE_HOLD_DEFAULT	5	/* seconds between tries */
#define FENCE_LIMIT_DEFAULT	3
#define HOOK_KILL_GRACE		2	/* seconds from TERM to KILL */

/*
 * Hooks: a command per transition, run by the parent.  See hafod.conf.5
 * for which transition runs which.
 */
enum hook_event {
	HOOK_PROMOTE,		/* became master; after the VIPs are added */
	HOOK_DEMOTE,		/* left master; after the VIPs are removed */
	HOOK_BACKUP,		/* became backup, not from master */
	HOOK_FAULT,		/* link down, not from master */
	HOOK_STOP,		/* stopped, not from master: shutdown, removal */
	HOOK_FENCE,		/* exclusive: before promote, the old master */
	HOOK_CONTROLLER,	/* across sites: this node holds the role */
	HOOK_STANDBY,		/* across sites: local master, another site */
	HOOK_MAX
};

#define HOOK_CMD_MAX		1024
#define HOOK_TIMEOUT_DEFAULT	30	/* seconds */
#define HOOK_TIMEOUT_MAX	3600

struct hooks_conf {
	char			*cmd[HOOK_MAX];	/* NULL: none */
	uint32_t		 timeout;	/* seconds */
	char			 user[LOGIN_NAME_MAX]; /* "": root */
	uint32_t		 pfail_hold;	/* seconds; 0: no demotion */
	uint32_t		 pfail_limit;	/* failures in a row */
	uint8_t			 handover;	/* HANDOVER_* */
	uint8_t			 fence_policy;	/* FENCE_* */
	uint8_t			 fence_limit;
	uint32_t		 fence_hold;	/* seconds */
};

/*
 * on promote failure demote [hold seconds] [limit count]: a failed
 * promote hook demotes the node for a hold-down that doubles with each
 * failure in a row, up to HOLDDOWN_MAX; the limit-th keeps it demoted
 * until the operator lifts it (holddown.c).
 */
#define HOLDDOWN_DEFAULT	60	/* seconds */
#define HOLDDOWN_MAX		3600
#define HOLDDOWN_LIMIT_DEFAULT	3
#define HOLDDOWN_LIMIT_MAX	100

/* A health check: a failing command demotes by its weight. */
#define CHECK_EVERY_DEFAULT	5	/* seconds */
#define CHECK_TIMEOUT_DEFAULT	2
#define CHECK_RISE_DEFAULT	2
#define CHECK_FALL_DEFAULT	2
#define WEIGHT_DEFAULT		50

struct check_conf {
	TAILQ_ENTRY(check_conf)	 entry;
	char			*cmd;
	uint32_t		 every;		/* seconds, 1-3600 */
	uint32_t		 timeout;	/* seconds, 1-3600, < every */
	uint8_t			 weight;	/* 1-254 */
	uint8_t			 rise;		/* 1-100 */
	uint8_t			 fall;		/* 1-100 */
};
TAILQ_HEAD(check_head, check_conf);

/* A tracked interface: its link down demotes by the weight. */
struct track_conf {
	TAILQ_ENTRY(track_conf)	 entry;
	char			 ifname[IFNAMSIZ];
	uint8_t			 weight;
};
TAILQ_HEAD(track_head, track_conf);

struct service {
	TAILQ_ENTRY(service)	entry;
	struct service_conf	conf;
	char			keyfile[PATH_MAX]; /* as given; "": none */
	struct hooks_conf	hooks;
	struct check_head	checks;
	struct track_head	tracks;
};
TAILQ_HEAD(service_head, service);

/*
 * Services that fail over together.  The first member leads: the others
 * follow it on every node, and every member's demotion is the group's.
 */
struct group_conf {
	TAILQ_ENTRY(group_conf)	entry;
	char			name[SERVICE_NAME_MAX];
	char			members[SERVICE_GROUP_MAX][SERVICE_NAME_MAX];
	int			nmembers;
	struct hooks_conf	hooks;
	struct check_head	checks;
	struct track_head	tracks;
	struct site_conf	site;
};
TAILQ_HEAD(group_head, group_conf);

struct config {
	char			user[LOGIN_NAME_MAX];
	char			chroot[PATH_MAX];
	char			socket[PATH_MAX];
	char			state[PATH_MAX];
	char			heartbeat[PATH_MAX]; /* its socket */
	int			opts;
	uint8_t			quorum;		/* 1: quorum corosync */
	uint8_t			quorum_policy;	/* enum quorum_policy */
	uint16_t		bundle_port;	/* UDP, protocol bundle */
	char			site[SITE_NAME_MAX]; /* this node's; "": none */
	struct service_head	services;
	struct group_head	groups;
};

/* Election states; the order is the order of hafoctl's output. */
enum carp_state {
	CARP_INIT,		/* not yet listening, or stopped */
	CARP_BACKUP,
	CARP_MASTER,
	CARP_LINKDOWN,		/* interface down: silent, holds nothing */
};
#define CARP_STATE_MAX		(CARP_LINKDOWN + 1)

/*
 * Messages between the parent and the engine.  The receiver checks the
 * exact payload size of every type (msg_check_size()); anything else is
 * a protocol violation and fatal for that peer.
 */
enum msg_type {
	MSG_NONE,
	MSG_CONF_SERVICE,	/* p->e struct service_conf */
	MSG_CONF_END,		/* p->e nothing: the configuration is complete */
	MSG_SOCKET,		/* p->e struct msg_socket + fd: a raw CARP socket */
	MSG_LINK,		/* p->e struct msg_link: link or address change */
	MSG_SHUTDOWN,		/* p->e nothing: bow out and finish */
	MSG_STATE,		/* e->p struct msg_state: a service changed state */
	MSG_SHUTDOWN_DONE,	/* e->p nothing: every service has let go */
	MSG_VIP_FAILED,		/* p->e struct msg_vip_failed: could not take VIPs */
	MSG_ANNOUNCE,		/* e->p uint32_t service: announce the VIPs again */
	MSG_VIP_STATUS,		/* p->e struct msg_vip_status: what is installed */
	MSG_CONTROL,		/* p->e fd: the listening control socket */

	MSG_RELOAD,		/* e->p nothing: hafoctl reload; peerid: client */
	MSG_RELOAD_RESULT,	/* p->e struct ctl_result: a line for the client */
	MSG_RELOAD_END,		/* p->e struct ctl_end: reload done or refused */
	MSG_VERBOSE,		/* e->p int32_t: hafoctl log verbose|brief */
	MSG_PERSIST,		/* e->p, p->e struct msg_persist: maintenance */
	MSG_WEIGHT,		/* p->e struct msg_weight: a check or track */
	MSG_HOOK_RESULT,	/* p->e struct msg_hook_result */
	MSG_QUORUM,		/* q->p, p->e struct msg_quorum */
	MSG_WATCHDOG,		/* p->e uint32_t ms: ALIVE now and so often */
	MSG_ALIVE,		/* e->p nothing: the engine's loop runs */
	MSG_HEARTBEAT,		/* p->e fd: the heartbeat socket */
	MSG_HOOK_RUN,		/* e->p struct msg_hook_run: a held hook */
	MSG_SITE_LOCAL,		/* p->q struct msg_site_local: one entity */
	MSG_SITE_COMMIT,	/* p->q struct msg_site_commit: that is all */
	MSG_SITES,		/* q->p, p->e struct msg_sites: a report */
	MSG_SITE_ROLE,		/* q->p, p->e struct msg_site_role */
	MSG_SITES_END,		/* q->p, p->e nothing: the report is whole */

	/*
	 * hafoctl and the engine, over the control socket.  Numbered apart,
	 * so that the daemon's own messages can grow without moving these.
	 */
	MSG_CTL_SHOW = 100,	/* c->e struct ctl_target */
	MSG_CTL_DEMOTE,		/* c->e struct ctl_target */
	MSG_CTL_UNDEMOTE,	/* c->e struct ctl_target */
	MSG_CTL_PROMOTE,	/* c->e struct ctl_target */
	MSG_CTL_RELOAD,		/* c->e nothing */
	MSG_CTL_LOG,		/* c->e struct ctl_target: CTL_F_VERBOSE or not */
	MSG_CTL_SERVICE,	/* e->c struct ctl_service */
	MSG_CTL_PEER,		/* e->c struct ctl_peer */
	MSG_CTL_RESULT,		/* e->c struct ctl_result: a line for the user */
	MSG_CTL_END,		/* e->c struct ctl_end: the reply is complete */
	MSG_CTL_QUORUM,		/* c->e struct ctl_target: show quorum */
	MSG_CTL_QUORUM_STATE,	/* e->c struct ctl_quorum */
	MSG_CTL_IFACE,		/* e->c struct ctl_iface: show all, at the end */
	MSG_CTL_HEARTBEAT,	/* e->c struct ctl_heartbeat */
	MSG_LOG,		/* e->p struct msg_log: a line to log */
	MSG_QUIET,		/* e->p uint32_t service: bowing out, no more GARP */
	MSG_CTL_SITES,		/* c->e struct ctl_target: show sites */
	MSG_CTL_SITES_STATE,	/* e->c struct ctl_sites */
	MSG_CTL_SITE_ROLE,	/* e->c struct ctl_site_role: per entity */
	MSG_MAX
};

#define SOCKET_CARP		0	/* raw, IP protocol 112 */
#define SOCKET_BUNDLE		1	/* UDP, bundle_port */

struct msg_socket {
	uint32_t		ifindex;
	uint8_t			af;
	uint8_t			kind;		/* SOCKET_* */
	uint16_t		port;		/* SOCKET_BUNDLE: UDP port */
	char			ifname[IFNAMSIZ];
};

struct msg_link {
	uint32_t		ifindex;
	uint8_t			up;		/* IFF_UP and IFF_RUNNING */
	uint8_t			pad[3];
	char			ifname[IFNAMSIZ];
	struct hafod_addr	primary4;	/* af 0 if none */
	struct hafod_addr	primary6;	/* link-local; af 0 if none */
};

#define STATE_REASON_MAX	160

struct msg_state {
	uint32_t		service;	/* service_conf.id */
	uint8_t			state;		/* enum carp_state */
	uint8_t			prev;
	uint8_t			hold;		/* keep or take the VIPs */
	uint8_t			defer;		/* promote hook: MSG_HOOK_RUN */
	char			reason[STATE_REASON_MAX];
};

/*
 * A hook the engine held back (handover exclusive): the promote hook of
 * a master once the old one has released, or the fence hook before it.
 */
struct msg_hook_run {
	uint32_t		service;
	uint8_t			event;		/* HOOK_PROMOTE or HOOK_FENCE */
	uint8_t			prev;		/* enum carp_state */
	uint8_t			pad[2];
	struct hafod_addr	peer;		/* fence: the old master */
	char			reason[STATE_REASON_MAX];
};

struct msg_vip_failed {
	uint32_t		service;
	char			reason[STATE_REASON_MAX];
};

struct msg_vip_status {
	uint32_t		service;
	uint32_t		installed;	/* bit i: vips[i] is ours, up */
};

/*
 * A demotion weight from the parent: a failing check (index from 0) or
 * a tracked interface down (index from WEIGHT_TRACK).  WEIGHT_CLEAR
 * forgets them all, before a reload sends the current ones again.
 */
#define WEIGHT_TRACK		100
#define WEIGHT_HEARTBEAT	200	/* the engine's own: heartbeats */
#define WEIGHT_CLEAR		255
#define WEIGHT_NAME_MAX		48
#define SERVICE_WEIGHTS_MAX	16

struct msg_weight {
	uint32_t		service;
	uint8_t			index;
	uint8_t			on;
	uint8_t			weight;
	uint8_t			pad;
	char			name[WEIGHT_NAME_MAX];
};

#define HOOK_RESULT_MAX		64

struct msg_hook_result {
	uint32_t		service;
	char			text[HOOK_RESULT_MAX];
	uint8_t			event;		/* enum hook_event */
	uint8_t			failed;		/* or timed out, or not run */
	uint8_t			pad[2];
	uint32_t		pfail_hold;	/* the hook's block's policy */
	uint32_t		pfail_limit;
};

/* A line of the engine's log, logged by the parent (log_relay()). */
struct msg_log {
	int32_t			pri;		/* LOG_ERR ... LOG_DEBUG */
	char			line[1024];	/* LOG_LINE_MAX, NUL ended */
};

/* A service under maintenance that must stay so across restarts. */
struct msg_persist {
	char			name[SERVICE_NAME_MAX];
	uint8_t			demoted;
	uint8_t			pad[3];
};

/*
 * Quorum, from corosync (quorum.c, its own process).  The quorum process
 * says where this node stands; the parent adds the policy and passes it
 * to the engine, which alone applies it to the election.
 */
#define QUORUM_MEMBERS_MAX	32
#define QUORUM_NAME_MAX		32

enum quorum_link {
	QUORUM_OFF,		/* no "quorum" in the configuration */
	QUORUM_DOWN,		/* no contact with corosync: not quorate */
	QUORUM_UP,		/* in contact: quorate says the rest */
	QUORUM_REFUSED,		/* a set-up that proves nothing: not quorate */
};

enum quorum_policy {
	QUORUM_POLICY_FAST,	/* CARP fails over; quorum removes minorities */
	QUORUM_POLICY_STRICT,	/* never two masters: wait for corosync */
};

/* A node of the corosync cluster, from cmap's nodelist and votequorum. */
struct quorum_node {
	uint32_t		nodeid;
	uint32_t		votes;
	uint8_t			member;		/* in the current membership */
	uint8_t			pad[3];
	struct hafod_addr	addr;		/* its ring0 address; af 0: none */
};

struct msg_quorum {
	uint8_t			link;		/* enum quorum_link */
	uint8_t			quorate;
	uint8_t			policy;		/* enum quorum_policy; by parent */
	uint8_t			two_node;
	uint8_t			qdevice;	/* configured */
	uint8_t			qdevice_alive;
	uint8_t			qdevice_vote;	/* casts its vote for us */
	uint8_t			nnodes;
	uint32_t		nodeid;		/* this node */
	uint32_t		node_votes;
	uint32_t		expected_votes;
	uint32_t		total_votes;
	uint32_t		quorum;		/* votes needed */
	uint32_t		qdevice_votes;
	uint32_t		token_ms;	/* totem token timeout */
	uint32_t		consensus_ms;
	uint32_t		qdevice_timeout_ms;
	uint32_t		qdevice_sync_ms;
	uint32_t		release_ms;	/* see hafod.8 ELECTION, Quorum */
	uint32_t		pad;
	uint64_t		ring_seq;	/* membership generation */
	char			qdevice_name[QUORUM_NAME_MAX];
	char			reason[STATE_REASON_MAX]; /* why not quorate */
	struct quorum_node	nodes[QUORUM_MEMBERS_MAX];
};

/*
 * Sites, between the parent and the quorum process, whose CPG client
 * (cpg.c) multicasts this node's word and applies sites.c's rules.
 * The parent says, entity by entity, where each of its entities across
 * sites stands here, then commits; the quorum process answers every
 * change with a report: MSG_SITES, a MSG_SITE_ROLE per entity, and
 * MSG_SITES_END.  The parent acts on the report (psites.c) and passes
 * it to the engine for hafoctl show sites.
 */
struct msg_site_local {
	char			name[SERVICE_NAME_MAX];
	uint8_t			kind;		/* SITE_KIND_* */
	uint8_t			state;		/* enum carp_state; group:
						   MASTER once all members are */
	uint8_t			healthy;	/* no check fails, no track down */
	uint8_t			holding;	/* holds the role, hooks and all */
	struct site_conf	conf;
};

struct msg_site_commit {
	char			site[SITE_NAME_MAX]; /* this node's */
	uint32_t		nentities;	/* MSG_SITE_LOCAL since the last */
	uint32_t		pad;
};

/* A node of the CPG group, as its last word said. */
struct site_member {
	uint32_t		nodeid;
	uint8_t			site;		/* index in msg_sites.sites */
	uint8_t			quorate;
	uint8_t			synced;		/* spoke since the last change */
	uint8_t			pad;
	char			name[QUORUM_NAME_MAX]; /* corosync's */
};

struct msg_sites {
	uint8_t			link;		/* enum quorum_link, of CPG */
	uint8_t			synced;		/* every member spoke since */
	uint8_t			nsites;
	uint8_t			nmembers;
	uint8_t			mysite;		/* index; SITE_NONE: none */
	uint8_t			pad[3];
	uint32_t		nodeid;		/* this node */
	uint32_t		nroles;		/* MSG_SITE_ROLE to follow */
	uint64_t		changed_ms;	/* CLOCK_MONOTONIC: membership */
	char			sites[SITES_MAX][SITE_NAME_MAX];
	struct site_member	members[QUORUM_MEMBERS_MAX];
	char			reason[STATE_REASON_MAX]; /* link not up: why */
};

struct msg_site_role {
	char			name[SERVICE_NAME_MAX];
	uint8_t			kind;		/* SITE_KIND_* */
	uint8_t			controller;	/* site index; SITE_NONE */
	uint8_t			target;		/* where it moves; SITE_NONE */
	uint8_t			grant;		/* this node's site may hold it */
	uint8_t			release;	/* this node's site must let go */
	uint8_t			pad[3];
	uint32_t		holder;		/* nodeid that holds it; 0 none */
	uint32_t		wait_ms;	/* left of the release bound */
	uint64_t		term;		/* changes of controller */
	uint64_t		since_ms;	/* CLOCK_MONOTONIC: controller */
	uint32_t		masters[SITES_MAX]; /* local master per site */
};

/* hafoctl show sites: the engine's copy of the last report. */
struct ctl_sites {
	struct msg_sites	s;
	uint64_t		age_ms;		/* since the membership changed */
	uint8_t			quorate;	/* this node, as the engine sees */
	uint8_t			pad[7];
};

struct ctl_site_role {
	struct msg_site_role	r;
	uint64_t		age_ms;		/* controller for so long */
	uint8_t			role;		/* enum site_role, this node */
	uint8_t			pad[7];
};

/* hafoctl show quorum: the engine's view, and since when. */
struct ctl_quorum {
	struct msg_quorum	q;
	uint64_t		since_ms;	/* quorate, or not, so long */
};

/*
 * The control protocol.  Requests name a target; replies are zero or
 * more SERVICE, PEER and RESULT messages closed by one END.
 */
#define CTL_ALL			0
#define CTL_SERVICE		1
#define CTL_GROUP		2

#define CTL_F_PERSIST		0x01	/* demote: survive a restart */
#define CTL_F_DETAIL		0x02	/* show: peers and counters too */
#define CTL_F_VERBOSE		0x04	/* log: verbose */

struct ctl_target {
	uint8_t			kind;		/* CTL_ALL, _SERVICE, _GROUP */
	uint8_t			flags;
	uint8_t			pad[2];
	char			name[SERVICE_NAME_MAX];
};

/* Why a service is demoted: bits of ctl_service.demote_reasons. */
#define DEMOTE_OPERATOR		0x01	/* hafoctl demote */
#define DEMOTE_PERSIST		0x02	/* hafoctl demote -p: kept on restart */
#define DEMOTE_VIPFAIL		0x04	/* its addresses could not be added */
#define DEMOTE_CHECK		0x08	/* a health check fails */
#define DEMOTE_TRACK		0x10	/* a tracked interface is down */
#define DEMOTE_GROUP		0x20	/* its group: the leader is not master */
#define DEMOTE_QUORUM		0x40	/* this node is not quorate: no master */
#define DEMOTE_HEARTBEAT	0x80	/* an application's heartbeat late */
#define DEMOTE_PROMOTE		0x100	/* its promote hook failed: held down */

/* Demotion weight of each reason, added to the demote byte and advskew. */
#define DEMOTE_WEIGHT_OPERATOR	128
#define DEMOTE_WEIGHT_VIPFAIL	1
#define DEMOTE_WEIGHT_GROUP	64	/* followers where the leader is not */
#define DEMOTE_WEIGHT_PROMOTE	100	/* worse than a failing check */

#define CTL_PEERS_MAX		8	/* peers remembered per service */

/*
 * A peer that runs a bundle service's vhid otherwise than this node
 * (hafod.8, BUNDLE FORMAT): drift_name() names each kind.
 */
enum drift_kind {
	DRIFT_NONE,
	DRIFT_ADDRESSES,	/* its digest of the addresses differs */
	DRIFT_INTERVAL,		/* its interval differs: value, ms */
	DRIFT_PASSWORD,		/* it sends the vhid under another key */
	DRIFT_PROTOCOL,		/* it sends CARP for the vhid */
	DRIFT_MAX
};
#define SERVICE_DRIFT_MAX	4	/* peers' drifts kept per service */

struct ctl_drift {
	struct hafod_addr	peer;
	uint8_t			what;		/* enum drift_kind */
	uint8_t			pad[3];
	uint32_t		value;		/* DRIFT_INTERVAL: its ms */
	uint64_t		age_ms;		/* since the last evidence */
};

struct ctl_service {
	char			name[SERVICE_NAME_MAX];
	char			ifname[IFNAMSIZ];
	uint8_t			vhid;
	uint8_t			state;		/* enum carp_state */
	uint8_t			advbase;	/* configured */
	uint8_t			advskew;
	uint8_t			eff_advbase;	/* as advertised now */
	uint8_t			eff_advskew;
	uint8_t			demote;		/* demote byte advertised */
	uint8_t			preempt;
	uint8_t			leaving;	/* bowing out */
	uint8_t			nvips;
	uint8_t			pad[2];
	uint32_t		demote_reasons;	/* DEMOTE_* */
	uint32_t		vips_installed;	/* bit i: vips[i] */
	uint64_t		since_ms;	/* in this state for so long */
	struct hafod_addr	master;		/* af 0: none known */
	uint64_t		sent;
	uint64_t		received;
	uint64_t		drops[DROP_MAX];
	struct hafod_addr	vips[SERVICE_VIPS_MAX];
	char			group[SERVICE_NAME_MAX];
	char			demote_detail[128]; /* "check 1, track eth1" */
	char			last_hook[HOOK_RESULT_MAX]; /* "": none yet */
	uint64_t		transitions[CARP_STATE_MAX]; /* into each */
	uint64_t		hooks[HOOK_MAX];	/* finished, by event */
	uint64_t		hook_failures[HOOK_MAX];
	uint32_t		promote_failures; /* in a row, here */
	uint32_t		pad2;
	uint64_t		holddown_ms;	/* left; UINT64_MAX: operator's */
	uint8_t			handover;	/* HANDOVER_* */
	uint8_t			xwait;		/* XWAIT_*: promote held */
	uint8_t			releasing;	/* bowing out until demoted */
	uint8_t			pad3[5];
	struct hafod_addr	xpeer;		/* the old master waited for */
	uint64_t		xwait_ms;	/* left of the bound */
	uint32_t		fence_failures;	/* in a row */
	uint32_t		pad4;
	uint8_t			protocol;	/* PROTO_* */
	uint8_t			ndrift;
	uint8_t			pad5[2];
	uint32_t		interval;	/* ms, protocol bundle */
	struct ctl_drift	drift[SERVICE_DRIFT_MAX];
};

/* Why a master's promote hook waits (ctl_service.xwait). */
#define XWAIT_NONE		0
#define XWAIT_RELEASE		1	/* the old master's bow-outs */
#define XWAIT_BOUND		2	/* a silent master: its bound */
#define XWAIT_FENCE		3	/* the fence hook runs */
#define XWAIT_FENCE_RETRY	4	/* it failed: tried again later */

struct ctl_peer {
	char			service[SERVICE_NAME_MAX];
	struct hafod_addr	addr;
	uint8_t			advbase;
	uint8_t			advskew;
	uint8_t			demote;
	uint8_t			pad;
	uint32_t		base_ms;	/* bundle: its interval; 0 CARP */
	uint64_t		last_seen_ms;	/* ago */
};

/* A heartbeat of a service, for hafoctl show service. */
struct ctl_heartbeat {
	char			service[SERVICE_NAME_MAX];
	char			name[HEARTBEAT_NAME_MAX];
	uint32_t		ttl;		/* milliseconds */
	uint32_t		uid;
	uint8_t			weight;
	uint8_t			failed;		/* late, or not heard */
	uint8_t			seen;		/* heard since start */
	uint8_t			pad;
	uint32_t		pad2;
	uint64_t		age_ms;		/* of the last heard */
	uint64_t		received;
	uint64_t		refused;	/* from another uid */
};

#define CTL_RESULT_MAX		256

struct ctl_result {
	char			text[CTL_RESULT_MAX];
};

/*
 * A raw socket of the engine, an interface and a family, with what it
 * dropped that no service could be blamed for: above all advertisements
 * for a vhid that no service runs there.
 */
struct ctl_iface {
	char			ifname[IFNAMSIZ];
	uint8_t			af;
	uint8_t			up;
	uint8_t			unknown_vhid;	/* of the last such advert */
	uint8_t			pad[5];
	struct hafod_addr	unknown_src;	/* its source; af 0: none yet */
	uint32_t		pad2;
	uint64_t		drops[DROP_MAX];
};

struct ctl_end {
	int32_t			status;		/* 0: done; else failed */
};

/* log.c: see log.h */

/* msg.c */
#define MSG_HEADER_SIZE		16
#define MSG_MAX_SIZE		4096	/* header included */
#define MSG_FDS_MAX		16	/* received ahead of their frames */

/*
 * The frame header, as OpenBSD's imsg has it.  A descriptor passed with
 * a frame is announced by MSG_F_FD in its own header, so the receiver
 * never has to guess which frame owns it.  On little-endian hosts an
 * unflagged frame is byte for byte what the earlier header with a
 * 32-bit len made of it.
 */
struct msg_hdr {
	uint32_t		type;
	uint16_t		len;		/* header included */
	uint16_t		flags;
	uint32_t		peerid;
	uint32_t		pid;
};

#define MSG_F_FD		0x0001	/* a descriptor comes with the frame */

struct msg {
	struct msg_hdr		hdr;
	int			fd;		/* -1 unless one was passed */
	size_t			datalen;
	uint8_t			data[MSG_MAX_SIZE - MSG_HEADER_SIZE];
};

struct msgbuf_out;

struct msgchan {
	int			fd;
	size_t			rlen;		/* bytes in rbuf */
	uint8_t			rbuf[2 * MSG_MAX_SIZE];
	int			rfds[MSG_FDS_MAX]; /* received, oldest first */
	int			nrfds;
	TAILQ_HEAD(, msgbuf_out) wq;
	size_t			wqlen;		/* messages queued */
};

void		 msgchan_init(struct msgchan *, int);
void		 msgchan_clear(struct msgchan *);
int		 msgchan_compose(struct msgchan *, uint32_t, uint32_t,
		    pid_t, int, const void *, size_t);
int		 msgchan_write(struct msgchan *);
int		 msgchan_flush(struct msgchan *, int);
ssize_t		 msgchan_read(struct msgchan *);
ssize_t		 msgchan_get(struct msgchan *, struct msg *);
int		 msg_check_size(const struct msg *);
int		 msg_sites_check(const struct msg_sites *);
int		 msg_site_role_check(const struct msg_site_role *, uint8_t);

/* msgev.c: a channel's writes in a libevent loop (daemon only) */
struct event;
int		 msgev_write(struct msgchan *, struct event *);
const char	*msg_type_name(uint32_t);

/* parse.y */
struct config	*parse_config(const char *, int);
int		 cmdline_symset(char *);
void		 config_free(struct config *);

/* printconf.c */
void		 print_config(const struct config *);

/* addr.c */
const char	*addr_ntop(const struct hafod_addr *);
int		 addr_cmp(const struct hafod_addr *, const struct hafod_addr *);
int		 addr_eq(const struct hafod_addr *, const struct hafod_addr *);
int		 service_af(const struct service_conf *);

/* names.c */
const char	*state_name(enum carp_state);
const char	*drift_name(enum drift_kind);
const char	*carp_drop_name(enum carp_drop);
const char	*hook_name(enum hook_event);
const char	*xwait_name(unsigned int);
const char	*quorum_link_word(uint8_t);
const char	*quorum_policy_word(uint8_t);

/* config.c: what a new configuration of a service means for the old */
enum config_match {
	MATCH_KEEP,		/* the same: no change at all */
	MATCH_RETIME,		/* new timing, applied in place */
	MATCH_REJOIN,		/* another service: bow out, join anew */
	MATCH_REMOVE,		/* no longer configured: bow out */
};

struct config_field {
	const char		*name;
	size_t			 off;
	size_t			 len;
	enum config_match	 rule;
};

enum config_match config_match(const struct service_conf *,
		    const struct service_conf *);
const char	*config_match_name(enum config_match);
const struct config_field *config_fields(size_t *);

/* demote.c: the demotion arithmetic */
#define DEMOTE_MAX		255

/* A member of a group (or a service alone) as the arithmetic sees it. */
struct demote_member {
	uint32_t		 reasons;	/* DEMOTE_*, in and out */
	const struct msg_weight	*weights;	/* SERVICE_WEIGHTS_MAX */
	uint8_t			 grouped;	/* in a group at all */
	uint8_t			 leader;
	uint8_t			 linkdown;
	uint8_t			 master;
};

unsigned int	 demote_own(uint32_t *, const struct msg_weight *);

/* holddown.c: how long a failed promote hook keeps a node demoted */
uint32_t	 holddown_secs(uint32_t, uint32_t, uint32_t);
uint8_t		 demote_weight(struct demote_member *, size_t, size_t);

/* carp.c */
struct carp_advert {
	uint8_t			version;
	uint8_t			type;
	uint8_t			vhid;
	uint8_t			advskew;
	uint8_t			authlen;
	uint8_t			demote;
	uint8_t			advbase;
	uint64_t		counter;
	uint8_t			hmac[CARP_HMAC_LEN];
};

/* Precomputed per service: the HMAC key and the message before the counter. */
struct carp_key {
	uint8_t			key[CARP_KEY_LEN];
	size_t			keylen;
	uint8_t			prefix[3 + 16 * SERVICE_VIPS_MAX];
	size_t			prefixlen;
};

void		 carp_key_init(struct carp_key *, const struct service_conf *);
void		 carp_sign(const struct carp_key *, struct carp_advert *);
int		 carp_verify(const struct carp_key *, const struct carp_advert *);
void		 carp_encode(const struct carp_advert *, uint8_t *);
enum carp_drop	 carp_decode(const uint8_t *, size_t, int, struct carp_advert *);

/* hmac.c: libcrypto's HMAC, for carp.c and bundle.c */
struct evp_mac_ctx_st;
struct evp_mac_ctx_st *hmac_new(const char *);

/* bundle.c: the bundle format, pure code (hafod.8, BUNDLE FORMAT) */
void		 bundle_key_derive(const uint8_t *, size_t,
		    struct bundle_key *);
ssize_t		 bundle_encode(const struct bundle *, const struct bundle_key *,
		    const struct hafod_addr *, uint8_t *, size_t);
enum carp_drop	 bundle_decode(const uint8_t *, size_t, int,
		    struct bundle *);
int		 bundle_verify(const uint8_t *, size_t,
		    const struct bundle_key *, const struct hafod_addr *);
size_t		 bundle_entry_len(const struct bundle_entry *, uint16_t);
uint32_t	 bundle_digest(const struct service_conf *);

/* fsm.c: the election, a pure function of adverts, config and a clock */
#define FSM_SEND		0x01	/* send an advertisement now */
#define FSM_STATE		0x02	/* the state changed; see fsm.reason */
#define FSM_ANNOUNCE		0x04	/* announce the VIPs again */
#define FSM_NEVER		UINT64_MAX /* fsm_claim_after(): not now */

/*
 * base_us 0: CARP's timing, advbase + advskew/256 s.  Otherwise the
 * bundle's: base_us * (256 + advskew) / 256 microseconds.  A bow-out is
 * advbase = advskew = CARP_BOWOUT in either.
 */
struct fsm_advert {
	uint8_t			advbase;
	uint8_t			advskew;
	uint8_t			demote;
	uint32_t		base_us;
	struct hafod_addr	src;
};

struct fsm {
	/* set by the caller */
	uint8_t			advbase;
	uint8_t			advskew;
	uint8_t			demote;		/* operator and health weight */
	uint8_t			preempt;
	uint32_t		base_us;	/* 0: CARP timing; fsm_advert */
	struct hafod_addr	self;		/* our advertisement source */

	/* set through fsm_hold() and fsm_claim_after() */
	int			hold;		/* no quorum: master of nothing */
	uint64_t		claim_after;	/* no master-down claim before */

	/* owned by fsm.c */
	enum carp_state		state;
	int			leaving;	/* master bowing out */
	int			final;		/* leaving for good */
	int			bowouts;	/* bow-outs still to send */
	uint64_t		next_advert;	/* absolute, usec; 0: none */
	uint64_t		master_down;
	uint64_t		takeover;	/* staggered takeover */
	uint64_t		leave_by;	/* bound of a bow-out */
	uint64_t		listen_until;	/* claim nothing before this */
	uint64_t		answered;	/* last answer to a worse master */
	int			succeeded;	/* leaving: successor heard */
	int			md_waiting;	/* master down, may not claim */
	int			farewells;	/* bow-outs after letting go */
	struct hafod_addr	master;		/* master heard, af 0: none */
	uint64_t		master_seen;
	uint8_t			master_advbase;
	uint8_t			master_advskew;
	uint8_t			master_demote;
	uint32_t		master_base_us;	/* its timing, as base_us */
	char			reason[STATE_REASON_MAX];
	/* The master this node last followed, when it became master. */
	struct hafod_addr	pred;		/* af 0: none heard */
	int			pred_silent;	/* master down: it fell silent */
};

void		 fsm_init(struct fsm *);
int		 fsm_start(struct fsm *, uint64_t);
int		 fsm_input(struct fsm *, const struct fsm_advert *, uint64_t);
int		 fsm_timeout(struct fsm *, uint64_t);
int		 fsm_leave(struct fsm *, int, uint64_t);
int		 fsm_stay(struct fsm *, uint64_t);
int		 fsm_link(struct fsm *, int, uint64_t);
int		 fsm_set_demote(struct fsm *, uint8_t, uint64_t);
int		 fsm_promote(struct fsm *, uint64_t);
int		 fsm_hold(struct fsm *, int, const char *, uint64_t);
int		 fsm_claim_after(struct fsm *, uint64_t, uint64_t);
uint64_t	 fsm_deadline(const struct fsm *);
void		 fsm_advert(const struct fsm *, struct fsm_advert *);
uint64_t	 fsm_interval_us(uint8_t, uint8_t);

/* netlink.c: addresses and link state through rtnetlink (parent) */
int		 netlink_init(void);
void		 netlink_close(void);
int		 netlink_addr_add(unsigned int, const struct hafod_addr *, char *,
		    size_t);
int		 netlink_addr_del(unsigned int, const struct hafod_addr *, char *,
		    size_t);
int		 netlink_addr_renew(unsigned int, const struct hafod_addr *,
		    char *, size_t);
#define VMAC_LEN	6
int		 netlink_vmac_find(const char *, unsigned int, const uint8_t *,
		    unsigned int *);
int		 netlink_vmac_add(const char *, unsigned int, const uint8_t *,
		    char *, size_t);
int		 netlink_link_set_up(unsigned int, int, char *, size_t);
int		 netlink_link_del(const char *, char *, size_t);
int		 netlink_addr_present(unsigned int, const struct hafod_addr *,
		    uint8_t *);
int		 link_monitor_fd(void);
void		 link_monitor_dispatch(void (*)(const struct msg_link *,
		    void *), void *);
int		 link_get(const char *, struct msg_link *);

/* announce.c: gratuitous ARP and unsolicited neighbour advertisements */
int		 announce_open(void);
int		 announce_vip(int, unsigned int, const struct hafod_addr *);
int		 announce_learn(int, unsigned int);

/* net.c: the raw CARP sockets, opened by the parent for the engine */
int		 net_open(int, unsigned int);
int		 net_open_bundle(int, unsigned int, uint16_t);

/* engine.c: the engine's own types are in engine.h */
struct passwd;
__dead void	 engine_main(int, const struct passwd *, const char *,
		    uint64_t);

#endif /* HAFOD_H */
