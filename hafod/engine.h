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


/*
 * The engine's own types: its sockets, its services as it runs them, and
 * the functions its files offer one another.  The parent never sees
 * these; what crosses between the processes is in hafod.h.
 */

#ifndef ENGINE_H
#define ENGINE_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include "hafod.h"

struct event;
struct event_base;

/* net.c: batched sending and receiving on the CARP and bundle sockets */
#define NET_BATCH_MAX	64
#define NET_DATA_MAX	(BUNDLE_DATAGRAM_MAX + BUNDLE_MAC_LEN)

/*
 * Advertisements or bundle datagrams on one socket, sent with one
 * sendmmsg(2).  port: the destination's, 0 on a raw socket.
 */
struct net_batch {
	int			 fd;
	uint16_t		 port;
	unsigned int		 n;
	struct mmsghdr		 mh[NET_BATCH_MAX];
	struct iovec		 iov[NET_BATCH_MAX];
	struct sockaddr_storage	 name[NET_BATCH_MAX];
	union {
		struct cmsghdr	 hdr;
		uint8_t		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	}			 cmsg[NET_BATCH_MAX];
	uint8_t			 data[NET_BATCH_MAX][NET_DATA_MAX];
	struct hafod_addr	 dst[NET_BATCH_MAX];	/* af 0: the group */
	void			*arg[NET_BATCH_MAX];
};

ssize_t		 net_recv(int, int, uint8_t *, size_t, struct hafod_addr *,
		    int *, unsigned int *);
void		 net_queue(struct net_batch *, int, int, unsigned int,
		    const struct hafod_addr *, const struct hafod_addr *,
		    const uint8_t *, size_t, void *);
void		 net_flush(struct net_batch *,
		    void (*)(void *, const struct hafod_addr *, int));

/* engine.c */
struct eservice;

struct ereplay;

/*
 * An interface and an address family: its raw CARP socket, and its UDP
 * socket if a service there runs the bundle format.
 */
struct eif {
	TAILQ_ENTRY(eif)	 entry;
	char			 ifname[IFNAMSIZ];
	unsigned int		 ifindex;
	int			 af;
	int			 fd;		/* -1: none yet */
	int			 up;
	struct hafod_addr	 self;		/* af 0: no address yet */
	struct event		*ev;
	int			 bfd;		/* the bundle's; -1: none */
	struct event		*bev;
	struct ereplay		*replay;	/* ebundle.c: its senders */
	struct eservice		*byvhid[256];
	uint64_t		 drops[DROP_MAX]; /* no service to blame */
	uint64_t		 droplog[DROP_MAX];
	uint8_t			 unknown_vhid;	/* the last DROP_VHID's */
	struct hafod_addr	 unknown_src;	/* and its source */
};
TAILQ_HEAD(eif_head, eif);

/* A peer heard, for hafoctl show. */
struct epeer {
	struct hafod_addr	 addr;		/* af 0: free slot */
	uint8_t			 advbase;
	uint8_t			 advskew;
	uint8_t			 demote;
	uint16_t		 base_ms;	/* bundle: its base; 0: CARP */
	uint64_t		 seen;		/* usec, monotonic */
};

/* What the engine knows of a heartbeat of a service. */
struct eheartbeat {
	uint64_t		 last;		/* usec; 0: never heard */
	uint64_t		 deadline;	/* usec, unless failed */
	uint64_t		 received;
	uint64_t		 refused;	/* from another uid */
	uint64_t		 refusedlog;
	int			 failed;	/* late, or not yet heard */
};

/* A peer that runs a bundle service's vhid otherwise (ebundle.c). */
struct edrift {
	struct hafod_addr	 peer;		/* af 0: free slot */
	uint8_t			 what;		/* enum drift_kind */
	uint32_t		 value;		/* DRIFT_INTERVAL: its ms */
	uint64_t		 seen;		/* usec, the last evidence */
};

/* A service as the engine runs it. */
struct eservice {
	TAILQ_ENTRY(eservice)	 entry;
	struct service_conf	 conf;
	struct carp_key		 key;
	struct fsm		 fsm;
	struct eif		*eif;
	uint64_t		 counter;
	uint64_t		 since;		/* usec of the last change */
	uint32_t		 demote_reasons; /* DEMOTE_* */
	uint32_t		 vips_installed;
	int			 retired;	/* left the configuration */
	uint64_t		 sent;
	uint64_t		 received;
	uint64_t		 drops[DROP_MAX];
	uint64_t		 droplog[DROP_MAX];
	struct epeer		 peers[CTL_PEERS_MAX];
	struct msg_weight	 weights[SERVICE_WEIGHTS_MAX]; /* weight 0: free */
	char			 last_hook[HOOK_RESULT_MAX];
	uint64_t		 transitions[CARP_STATE_MAX]; /* into each */
	uint64_t		 hooks[HOOK_MAX];
	uint64_t		 hook_failures[HOOK_MAX];
	struct eheartbeat	 hbs[SERVICE_HEARTBEATS_MAX];
	uint32_t		 pfail_count;	/* promote hooks failed in a row */
	uint64_t		 pfail_until;	/* usec; FSM_NEVER: operator's */
	/* handover exclusive (ehandover.c) */
	uint64_t		 rel_start;	/* old master: let go at */
	uint64_t		 rel_until;	/* bowing out until; 0: not */
	uint64_t		 rel_next;	/* its next bow-out */
	int			 xwait;		/* XWAIT_*: promote held */
	struct hafod_addr	 xpeer;		/* the old master */
	uint64_t		 xw_since;	/* became master */
	uint64_t		 xw_heard;	/* its last bow-out; 0: none */
	uint64_t		 xw_until;	/* bound, or next fence try */
	uint32_t		 fence_failures; /* in a row */
	uint8_t			 xw_prev;	/* state before master */
	char			 xw_reason[STATE_REASON_MAX];
	int			 quiet;		/* bowing out: parent told */
	/* protocol bundle (ebundle.c) */
	struct edrift		 drift[SERVICE_DRIFT_MAX];
	uint32_t		 bdigest;	/* bundle_digest() of conf */
	uint32_t		 bsends;	/* adverts since (re)start */
};
TAILQ_HEAD(eservice_head, eservice);

struct eservice_head *engine_services(void);
struct eservice_head *engine_retiring(void);
struct eif_head	*engine_ifaces(void);
void		 engine_send(uint32_t, uint32_t, const void *, size_t);

/* edemote.c: the operator's word and the weights, into the demote byte */
unsigned int	 edemote_weight(struct eservice *);
void		 edemote_update(struct eservice *);
void		 engine_demote(struct eservice *, uint32_t, int);
void		 engine_demote_detail(struct eservice *, char *, size_t);
int		 engine_promote(struct eservice *, char *, size_t);
void		 engine_reload(uint32_t);
void		 engine_verbose(int);
uint64_t	 engine_now(void);
void		 engine_act(struct eservice *, int, enum carp_state);
int		 weight_set(struct eservice *, const struct msg_weight *);
void		 engine_weigh(struct eservice *, const struct msg_weight *);

void		 engine_drop(struct eif *, struct eservice *, enum carp_drop,
		    const struct hafod_addr *, uint64_t);
struct epeer	*engine_peer_seen(struct eservice *,
		    const struct hafod_addr *, uint8_t, uint8_t, uint8_t,
		    uint64_t);
void		 engine_heard(struct eservice *, const struct fsm_advert *,
		    uint64_t);
struct eservice	*engine_retiring_find(struct eif *, uint8_t);
int		 engine_is_peer(const struct service_conf *,
		    const struct hafod_addr *);
struct net_batch *engine_outq(void);
void		 engine_outq_flush(void);

/* ebundle.c: the bundle format's side of the engine */
void		 ebundle_init(void);
void		 ebundle_epoch(uint64_t);
void		 ebundle_socket(struct event_base *, struct eif *, int,
		    uint16_t);
void		 ebundle_service(struct eservice *, uint64_t);
void		 ebundle_send(struct eservice *, const struct fsm_advert *);
void		 ebundle_flush(void);
void		 ebundle_sent(void *, const struct hafod_addr *, int);
void		 ebundle_due(uint64_t);
uint64_t	 ebundle_deadline(uint64_t);
void		 ebundle_carp_heard(struct eservice *,
		    const struct hafod_addr *, uint64_t);

/* heartbeat.c: application heartbeats */
void		 heartbeat_init(struct event_base *, int);
void		 heartbeat_start(struct eservice *);
void		 heartbeat_reconf(struct eservice *,
		    const struct service_conf *, uint64_t);
uint64_t	 heartbeat_deadline(const struct eservice *);
void		 heartbeat_due(struct eservice *, uint64_t);
void		 heartbeat_show(const struct eservice *, int,
		    struct ctl_heartbeat *, uint64_t);

/* equorum.c: what corosync's word means for the services */
void		 engine_quorum(const struct msg_quorum *);
void		 engine_quorum_state(struct ctl_quorum *);
void		 quorum_service(struct eservice *, uint64_t);
void		 quorum_master_heard(struct eservice *,
		    const struct hafod_addr *);
void		 engine_init(int);

/* esites.c: the last sites report, for hafoctl show sites */
void		 engine_sites(const struct msg *);
uint32_t	 engine_sites_state(struct ctl_sites *);
int		 engine_site_role(uint32_t, unsigned int,
		    struct ctl_site_role *);

/* epromote.c: the hold-down of a failed promote hook */
void		 holddown_result(struct eservice *,
		    const struct msg_hook_result *);
void		 holddown_forget(struct eservice *);
void		 holddown_due(struct eservice_head *, uint64_t);
uint64_t	 holddown_deadline(struct eservice_head *, uint64_t);
uint64_t	 holddown_left_ms(const struct eservice *, uint64_t);

/* ehandover.c: handover exclusive and fencing */
int		 handover_defer(const struct eservice *);
void		 handover_changed(struct eservice *, enum carp_state, int,
		    uint64_t);
void		 handover_heard(struct eservice *, const struct fsm_advert *,
		    uint64_t);
void		 handover_result(struct eservice *,
		    const struct msg_hook_result *, uint64_t);
void		 handover_due(struct eservice_head *, uint64_t);
uint64_t	 handover_deadline(struct eservice_head *, uint64_t);
int		 handover_releasing(const struct eservice *);
int		 handover_busy(struct eservice_head *);
void		 handover_show(const struct eservice *, struct ctl_service *,
		    uint64_t);
void		 engine_advertise(struct eservice *);
void		 engine_hook_run(struct eservice *,
		    const struct msg_hook_run *);

/* sandbox.c: the engine's system call allowlist, after its setup */
void		 sandbox_engine(void);

/* control.c: the control socket, served by the engine */
void		 control_init(struct event_base *, int);
int		 control_reply(uint32_t, uint32_t, const void *, size_t);

#endif /* ENGINE_H */
