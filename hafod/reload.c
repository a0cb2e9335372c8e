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
 * The parent's services: made from the configuration at start, matched
 * against a new one at each reload (config.c says what a change means),
 * and sent to the engine with the sockets they need.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

/*
 * The sockets handed to the engine, one per interface, family and kind:
 * a raw CARP one for every service, a UDP one where a service runs the
 * bundle format (the raw one still tells it of peers speaking CARP).
 */
struct psocket {
	TAILQ_ENTRY(psocket)	 entry;
	char			 ifname[IFNAMSIZ];
	int			 af;
	int			 kind;		/* SOCKET_* */
};

struct pservice_head		 pservices = TAILQ_HEAD_INITIALIZER(pservices);
struct pservice_head		 pretired = TAILQ_HEAD_INITIALIZER(pretired);
static TAILQ_HEAD(, psocket)	 psockets = TAILQ_HEAD_INITIALIZER(psockets);
static struct config		*conf;
static uint32_t			 last_id;

struct pservice *
pservice_find(uint32_t id)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		if (ps->conf.id == id)
			return (ps);
	TAILQ_FOREACH(ps, &pretired, entry)
		if (ps->conf.id == id)
			return (ps);
	return (NULL);
}

struct pservice *
pservice_named(const char *name)
{
	struct pservice	*ps;

	TAILQ_FOREACH(ps, &pservices, entry)
		if (strcmp(ps->conf.name, name) == 0)
			return (ps);
	return (NULL);
}

static struct pservice *
pservice_new(const struct service *s, unsigned int ifindex)
{
	struct pservice	*ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL)
		fatal(NULL);
	ps->conf = s->conf;
	ps->ifindex = ifindex;
	hooks_copy(&ps->hooks, &s->hooks);
	ps->hq = hookq_new(s->conf.name, s->conf.id);
	return (ps);
}

/* A retired service has let go: it goes, its hooks still run. */
void
pservice_free(struct pservice *ps)
{
	TAILQ_REMOVE(&pretired, ps, entry);
	vip_forget(ps);
	hookq_free(ps->hq);
	hooks_clear(&ps->hooks);
	free(ps);
}

/*
 * The services of the first configuration.  Every interface must exist:
 * an error here is the operator's, said before we become a daemon.
 */
int
services_start(struct config *c, char *err, size_t errlen)
{
	struct service	*s;
	struct pservice	*ps;
	struct msg_link	 ml;

	conf = c;
	TAILQ_FOREACH(s, &conf->services, entry) {
		if (link_get(s->conf.ifname, &ml) == -1) {
			snprintf(err, errlen, "service %s: interface %s: %s",
			    s->conf.name, s->conf.ifname, strerror(errno));
			return (-1);
		}
		ps = pservice_new(s, ml.ifindex);
		TAILQ_INSERT_TAIL(&pservices, ps, entry);
		if (s->conf.id > last_id)
			last_id = s->conf.id;
	}
	return (0);
}

/* What the configuration weighs and groups: after every (re)start. */
void
services_weights(void)
{
	/* Before groups_start(): a group gone lets go in its queue. */
	psites_start(conf);
	groups_start(conf);
	checks_start(conf);
	psites_changed();
}

static uint16_t
bundle_port(void)
{
	return (conf->bundle_port != 0 ? conf->bundle_port :
	    BUNDLE_PORT_DEFAULT);
}

/* One socket of a kind for ps's interface and family, if not yet sent. */
static void
send_socket(const struct pservice *ps, int kind)
{
	struct psocket		*sock;
	struct msg_socket	 ms;
	int			 af, fd;

	af = service_af(&ps->conf);
	TAILQ_FOREACH(sock, &psockets, entry)
		if (sock->af == af && sock->kind == kind &&
		    strcmp(sock->ifname, ps->conf.ifname) == 0)
			return;
	if (kind == SOCKET_BUNDLE) {
		/* A port is bound once: a reload's new port waits. */
		if ((fd = net_open_bundle(af, ps->ifindex,
		    bundle_port())) == -1)
			fatal("%s: UDP socket for the bundle format on %s "
			    "port %u", ps->conf.name, ps->conf.ifname,
			    bundle_port());
	} else if ((fd = net_open(af, ps->ifindex)) == -1)
		fatal("%s: CARP socket on %s", ps->conf.name,
		    ps->conf.ifname);
	if ((sock = calloc(1, sizeof(*sock))) == NULL)
		fatal(NULL);
	strlcpy(sock->ifname, ps->conf.ifname, sizeof(sock->ifname));
	sock->af = af;
	sock->kind = kind;
	TAILQ_INSERT_TAIL(&psockets, sock, entry);
	memset(&ms, 0, sizeof(ms));
	ms.ifindex = ps->ifindex;
	ms.af = af;
	ms.kind = kind;
	ms.port = kind == SOCKET_BUNDLE ? bundle_port() : 0;
	strlcpy(ms.ifname, ps->conf.ifname, sizeof(ms.ifname));
	parent_send(MSG_SOCKET, 0, fd, &ms, sizeof(ms));
}

/*
 * Open the sockets the services need and the engine does not have yet:
 * the raw one of an interface and family before its UDP one.
 */
static void
send_sockets(void)
{
	struct pservice		*ps;

	TAILQ_FOREACH(ps, &pservices, entry) {
		send_socket(ps, SOCKET_CARP);
		if (ps->conf.protocol == PROTO_BUNDLE)
			send_socket(ps, SOCKET_BUNDLE);
	}
}

/* Send the engine the services, their links and the maintenance kept. */
void
services_send(void)
{
	struct pservice	*ps;
	struct msg_link	 ml;

	send_sockets();
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (link_get(ps->conf.ifname, &ml) == 0)
			link_changed(&ml, NULL);
		parent_send(MSG_CONF_SERVICE, ps->conf.id, -1, &ps->conf,
		    sizeof(ps->conf));
	}
	maint_send();
	parent_send(MSG_CONF_END, 0, -1, NULL, 0);
}

static void
reload_line(const char *line, void *arg)
{
	uint32_t		client = *(uint32_t *)arg;
	struct ctl_result	r;

	if (client == 0)
		return;
	memset(&r, 0, sizeof(r));
	strlcpy(r.text, line, sizeof(r.text));
	parent_send(MSG_RELOAD_RESULT, client, -1, &r, sizeof(r));
}

static void
reload_end(uint32_t client, int status)
{
	struct ctl_end	end;

	log_capture(NULL, NULL);
	if (client == 0)
		return;
	memset(&end, 0, sizeof(end));
	end.status = status;
	parent_send(MSG_RELOAD_END, client, -1, &end, sizeof(end));
}

static int
across_any(const struct config *c)
{
	const struct service	*s;
	const struct group_conf	*g;

	TAILQ_FOREACH(s, &c->services, entry)
		if (s->conf.site.across)
			return (1);
	TAILQ_FOREACH(g, &c->groups, entry)
		if (g->site.across)
			return (1);
	return (0);
}

/* A new configuration must be usable as a whole, or it is not taken. */
static int
reload_usable(const char *file, const struct config *nconf)
{
	const struct service	*s;
	struct msg_link		 ml;
	int			 errors = 0;

	TAILQ_FOREACH(s, &nconf->services, entry)
		if (link_get(s->conf.ifname, &ml) == -1) {
			log_warnx("service %s: interface %s: %s", s->conf.name,
			    s->conf.ifname, strerror(errno));
			errors++;
		}
	if (TAILQ_EMPTY(&nconf->services)) {
		log_warnx("%s: no service configured", file);
		errors++;
	}
	if (strcmp(nconf->user, conf->user) != 0 ||
	    strcmp(nconf->chroot, conf->chroot) != 0 ||
	    strcmp(nconf->socket, conf->socket) != 0 ||
	    strcmp(nconf->state, conf->state) != 0)
		log_warnx("user, chroot, socket and state take effect at the "
		    "next start");
	if (nconf->quorum != conf->quorum ||
	    nconf->quorum_policy != conf->quorum_policy)
		log_warnx("quorum takes effect at the next start");
	/*
	 * The site is the node's place in the CPG group, joined at start
	 * or never: across sites without one would never run its hooks.
	 */
	if (conf->site[0] == '\0' && across_any(nconf)) {
		log_warnx("%s: across sites needs hafod started with a "
		    "site: restart it", file);
		errors++;
	} else if (strcmp(nconf->site, conf->site) != 0)
		log_warnx("site takes effect at the next start");
	if (nconf->bundle_port != conf->bundle_port)
		log_warnx("bundle port takes effect at the next start");
	return (errors == 0);
}

/*
 * Match the new services to the running ones by name: a kept or retimed
 * one keeps its id, and with it its state and addresses; any other
 * change joins under a new id while the old one bows out; what is left
 * over is retired and bows out.
 */
static void
reload_match(struct config *nconf, int counts[MATCH_REMOVE + 1])
{
	struct pservice_head	 next = TAILQ_HEAD_INITIALIZER(next);
	struct service		*s;
	struct pservice		*ps;
	struct msg_link		 ml;
	enum config_match	 m;

	TAILQ_FOREACH(s, &nconf->services, entry) {
		m = MATCH_REJOIN;
		if ((ps = pservice_named(s->conf.name)) != NULL) {
			s->conf.id = ps->conf.id;
			m = config_match(&ps->conf, &s->conf);
		}
		counts[m]++;
		if (m == MATCH_REJOIN) {
			s->conf.id = ++last_id;
			if (link_get(s->conf.ifname, &ml) == -1)
				fatal("%s", s->conf.ifname);
			ps = pservice_new(s, ml.ifindex);
		} else {
			ps->conf = s->conf;
			hooks_clear(&ps->hooks);
			hooks_copy(&ps->hooks, &s->hooks);
			TAILQ_REMOVE(&pservices, ps, entry);
		}
		TAILQ_INSERT_TAIL(&next, ps, entry);
	}
	while ((ps = TAILQ_FIRST(&pservices)) != NULL) {
		TAILQ_REMOVE(&pservices, ps, entry);
		ps->retired = 1;
		TAILQ_INSERT_TAIL(&pretired, ps, entry);
		counts[MATCH_REMOVE]++;
	}
	TAILQ_CONCAT(&pservices, &next, entry);
}

/*
 * SIGHUP or hafoctl reload (client is then the hafoctl connection to
 * answer, else 0).  Any error keeps the running configuration untouched.
 */
void
services_reload(const char *file, uint32_t client)
{
	struct config	*nconf;
	int		 counts[MATCH_REMOVE + 1] = { 0 };

	log_capture(reload_line, &client);
	log_info("reloading %s", file);
	if ((nconf = parse_config(file, conf->opts)) == NULL) {
		log_warnx("%s has errors: keeping the running configuration",
		    file);
		reload_end(client, 1);
		return;
	}
	if (!reload_usable(file, nconf)) {
		log_warnx("keeping the running configuration");
		config_free(nconf);
		reload_end(client, 1);
		return;
	}
	heartbeat_socket(nconf);
	reload_match(nconf, counts);
	nconf->opts = conf->opts;
	strlcpy(nconf->socket, conf->socket, sizeof(nconf->socket));
	strlcpy(nconf->state, conf->state, sizeof(nconf->state));
	/* The quorum process runs as started: compare the next with it. */
	nconf->quorum = conf->quorum;
	nconf->quorum_policy = conf->quorum_policy;
	strlcpy(nconf->site, conf->site, sizeof(nconf->site));
	/* The sockets are bound: keep sending to the peers' port. */
	nconf->bundle_port = conf->bundle_port;
	config_free(conf);
	conf = nconf;

	services_send();
	services_weights();
	log_info("reloaded: %d unchanged, %d retimed, %d joined, %d left",
	    counts[MATCH_KEEP], counts[MATCH_RETIME], counts[MATCH_REJOIN],
	    counts[MATCH_REMOVE]);
	reload_end(client, 0);
}
