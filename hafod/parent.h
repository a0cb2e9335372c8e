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
 * The parent's own types, shared by the files of the root process and by
 * no other: what it knows of each service and group, and the functions
 * its files offer one another.
 */

#ifndef PARENT_H
#define PARENT_H

#include <sys/queue.h>

#include "hafod.h"

struct event;
struct event_base;

/* What the parent knows of a service: which addresses it put where. */
struct pservice {
	TAILQ_ENTRY(pservice)	 entry;
	struct service_conf	 conf;
	unsigned int		 ifindex;
	enum carp_state		 state;
	uint8_t			 added[SERVICE_VIPS_MAX];
	struct event		*announce_ev;
	int			 announce_left;
	int			 retired;
	struct hooks_conf	 hooks;
	struct hook_queue	*hq;
	unsigned int		 vmac_ifindex;	/* 0: no virtual MAC now */
	char			 vmac_name[IFNAMSIZ];
	int			 promote_held;	/* master, hook deferred */
};
TAILQ_HEAD(pservice_head, pservice);

/* reload.c: the services, from the configuration at start and reload */
extern struct pservice_head	 pservices;
/* Gone from the configuration, holding addresses until they let go. */
extern struct pservice_head	 pretired;

int		 services_start(struct config *, char *, size_t);
void		 services_send(void);
void		 services_weights(void);
void		 services_reload(const char *, uint32_t);
struct pservice	*pservice_find(uint32_t);
struct pservice	*pservice_named(const char *);
void		 pservice_free(struct pservice *);

/* hafod.c */
struct event_base *parent_base(void);
void		 parent_send(uint32_t, uint32_t, int, const void *, size_t);
void		 link_changed(const struct msg_link *, void *);

/* vip.c: the parent's ownership of addresses */
void		 vip_init(int);
void		 vip_take(struct pservice *);
void		 vip_release(struct pservice *);
void		 vip_release_all(void);
void		 vip_announce(struct pservice *);
void		 vip_quiet(struct pservice *);
void		 vip_report(struct pservice *);
void		 vip_forget(struct pservice *);
void		 vip_remove_stale(struct pservice *);

/* vmac.c: the virtual MAC interface of a service */
unsigned int	 vmac_ifindex(const struct pservice *);
int		 vmac_up(struct pservice *, char *, size_t);
void		 vmac_down(struct pservice *);
void		 vmac_remove_stale(struct pservice *);

/* child.c: commands run for hooks and checks */
#define CHILD_LOG_LINE		256

struct child {
	pid_t			 pid;
	int			 outfd;		/* -1: output discarded */
	struct event		*outev;
	struct event		*killev;
	int			 killed;	/* 1: TERM sent, 2: KILL sent */
	int			 lines;
	size_t			 linelen;
	char			 line[CHILD_LOG_LINE];
	char			 label[SERVICE_NAME_MAX + 96];
};

int		 child_spawn(struct child *, const char *, char **,
		    const char *, int);
void		 child_done(struct child *);
void		 child_arm(struct child *, uint32_t);
void		 child_free(struct child *);
void		 child_status(const struct child *, int, uint32_t, char *,
		    size_t);
int		 child_ok(const struct child *, int);
char		**child_env(const char *const [][2], int);
void		 child_env_free(char **);

/* hook.c: hooks, one at a time per queue, in the order of transitions */
struct hook_queue *hookq_new(const char *, uint32_t);
void		 hookq_free(struct hook_queue *);
void		 hookq_owner(struct hook_queue *, uint32_t);
void		 hook_queue(struct hook_queue *, enum hook_event,
		    const struct hooks_conf *, char **);
void		 hookq_then(struct hook_queue *, void (*)(void *, int),
		    void *);
void		 hook_site(struct pservice *, enum hook_event, const char *);
void		 hook_transition(struct pservice *, const struct msg_state *);
void		 hook_run(struct pservice *, const struct msg_hook_run *);
void		 hook_reap(void);
int		 hook_idle(void);
int		 hookq_idle(const struct hook_queue *);
void		 hooks_copy(struct hooks_conf *, const struct hooks_conf *);
void		 hooks_clear(struct hooks_conf *);
void		 vips_string(const struct service_conf *, char *, size_t);

/* group.c: a group's hooks, when all of its members are master */
void		 groups_start(const struct config *);
void		 group_state(const char *, const char *);
struct pservice	*group_leader(const struct group_conf *);
int		 group_busy(const char *);
int		 group_master(const char *);
struct hook_queue *group_hookq(const char *);
void		 group_site_hook(const char *, enum hook_event, const char *);

/* check.c: health checks and tracked interfaces, and their weights */
void		 checks_start(const struct config *);
void		 checks_stop(void);
void		 check_reap(void);
void		 tracks_eval(int);
int		 check_failing(const char *, uint32_t);

/* quorum.c: the quorum process, a client of the local corosync */
struct passwd;
__dead void	 quorum_main(int, const struct passwd *, int);
const char	*quorum_cs_name(int);
void		 quorum_to_parent(uint32_t, const void *, size_t);
int		 quorum_node_name(uint32_t, char *, size_t);

/* cpg.c: sites' CPG client, in the quorum process */
struct msg;
void		 cpg_init(struct event_base *);
void		 cpg_quorum(const struct msg_quorum *);
void		 cpg_parent(const struct msg *);

/* pquorum.c: the parent's side of the quorum process */
void		 quorum_init(const struct config *, const struct passwd *, int);
void		 quorum_start(void);
void		 quorum_reap(int);
void		 quorum_stop(void);
int		 quorum_send_site(enum msg_type, const void *, size_t);

/*
 * psites.c: entities across sites, as the parent runs them.  pquorum.c
 * passes it the quorum process's word (checked) and each change of
 * quorum; psites.c answers with this node's entities (quorum_send_site()).
 */
void		 psites_start(const struct config *);
void		 psites_quorum(const struct msg_quorum *);
void		 psites_report(enum msg_type, const void *, size_t);
void		 psites_connected(void);	/* a new quorum process */
void		 psites_changed(void);

/* What a hook of an entity across sites is told of its role. */
#define SITE_ENV_VARS		3	/* the last pairs of a hook's */
struct site_env {
	char			 site[SITE_NAME_MAX];
	char			 role[16];
	char			 controller[SITE_NAME_MAX]; /* "": none */
};
int		 psites_env(uint8_t, const char *, int, struct site_env *);

/* hafod.c: the socket applications send heartbeats to */
void		 heartbeat_socket(const struct config *);

/* maint.c: the persistent maintenance file */
void		 maint_load(const char *);
void		 maint_send(void);
void		 maint_update(const struct msg_persist *);

/* notify.c: the service manager's notify protocol and watchdog */
void		 notify_init(void);
void		 notify_start(struct event_base *);
uint32_t	 notify_alive_ms(void);
void		 notify_alive(void);
void		 notify_reloading(void);
void		 notify_stopping(void);
void		 notify_status(void);
void		 notify_quorate(int);

#endif /* PARENT_H */
