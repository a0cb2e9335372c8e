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

#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "hafod.h"

static void	print_string(const char *, size_t);
static void	print_service(const struct service *, int);
static void	print_hooks(const struct hooks_conf *,
		    const struct check_head *, const struct track_head *);
static void	print_group(const struct group_conf *);
static void	print_heartbeat(const struct heartbeat_conf *);
static void	print_bundle(const struct service *);
static void	print_site(const struct site_conf *);

/*
 * Always quoted, so that a name that is also a keyword reads back as a
 * name; the lexer takes \" and \\ inside quotes as the character.
 */
static void
print_string(const char *s, size_t len)
{
	size_t	i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			putchar('\\');
		putchar(s[i]);
	}
	putchar('"');
}

/*
 * Every setting, resolved: the output stands alone, without global
 * defaults, and reads back as the same service.
 */
static void
print_service(const struct service *svc, int grpexcl)
{
	const struct service_conf	*sc = &svc->conf;
	int				 i;

	printf("service ");
	print_string(sc->name, strnlen(sc->name, sizeof(sc->name)));
	printf(" {\n\tinterface ");
	print_string(sc->ifname, strnlen(sc->ifname, sizeof(sc->ifname)));
	printf("\n\tvhid %u\n", sc->vhid);
	printf("\tadvbase %u\n", sc->advbase);
	printf("\tadvskew %u\n", sc->advskew);
	printf("\tpreempt %s\n", sc->preempt ? "yes" : "no");
	if (sc->protocol == PROTO_BUNDLE)
		print_bundle(svc);
	if (sc->passlen > 0) {
		printf("\tpassword ");
		print_string(sc->pass, sc->passlen);
		putchar('\n');
	}
	for (i = 0; i < sc->nvips; i++)
		printf("\taddress %s/%u\n", addr_ntop(&sc->vips[i]),
		    sc->vips[i].prefixlen);
	for (i = 0; i < sc->npeers; i++)
		printf("\tpeer %s\n", addr_ntop(&sc->peers[i]));
	if (sc->vmac)
		printf("\tvmac yes\n");
	printf("\tannounce count %u interval %u\n", sc->announce_count,
	    sc->announce_interval);
	for (i = 0; i < sc->nheartbeats; i++)
		print_heartbeat(&sc->heartbeats[i]);
	/* Said, or its group's "handover exclusive" would read back. */
	if (grpexcl && sc->handover == HANDOVER_OVERLAP)
		printf("\thandover overlap\n");
	print_site(&sc->site);
	print_hooks(&svc->hooks, &svc->checks, &svc->tracks);
	printf("}\n");
}

/*
 * The interval always, since without one it is advbase's; the path of
 * the key file but never what it holds, which the parser did not keep.
 */
static void
print_bundle(const struct service *svc)
{
	const struct service_conf	*sc = &svc->conf;

	printf("\tprotocol bundle\n");
	if (sc->interval % 1000 == 0)
		printf("\tinterval %us\n", sc->interval / 1000);
	else
		printf("\tinterval %ums\n", sc->interval);
	if (svc->keyfile[0] != '\0') {
		printf("\tkey file ");
		print_string(svc->keyfile, strnlen(svc->keyfile,
		    sizeof(svc->keyfile)));
		putchar('\n');
	}
}

/*
 * The hook timeout is shown where a command runs, and wherever it is
 * not the default, so that the output reads back as the same block.
 */
static void
print_hooks(const struct hooks_conf *hooks, const struct check_head *checks,
    const struct track_head *tracks)
{
	const struct check_conf	*chk;
	const struct track_conf	*trk;
	int			 i, commands;

	commands = !TAILQ_EMPTY(checks);
	for (i = 0; i < HOOK_MAX; i++)
		if (hooks->cmd[i] != NULL)
			commands = 1;
	if (commands || hooks->timeout != HOOK_TIMEOUT_DEFAULT)
		printf("\thook timeout %u\n", hooks->timeout);
	if (hooks->user[0] != '\0') {
		printf("\thook user ");
		print_string(hooks->user, strnlen(hooks->user,
		    sizeof(hooks->user)));
		putchar('\n');
	}
	for (i = 0; i < HOOK_MAX; i++) {
		if (hooks->cmd[i] == NULL)
			continue;
		printf("\ton %s ", hook_name(i));
		print_string(hooks->cmd[i], strlen(hooks->cmd[i]));
		putchar('\n');
	}
	if (hooks->handover == HANDOVER_EXCLUSIVE)
		printf("\thandover exclusive\n");
	if (hooks->fence_hold != 0) {
		printf("\ton fence failure %s hold %u",
		    hooks->fence_policy == FENCE_PROMOTE ? "promote" : "retry",
		    hooks->fence_hold);
		if (hooks->fence_policy == FENCE_PROMOTE)
			printf(" limit %u", hooks->fence_limit);
		putchar('\n');
	}
	if (hooks->pfail_hold != 0)
		printf("\ton promote failure demote hold %u limit %u\n",
		    hooks->pfail_hold, hooks->pfail_limit);
	TAILQ_FOREACH(chk, checks, entry) {
		printf("\tcheck ");
		print_string(chk->cmd, strlen(chk->cmd));
		printf(" every %u timeout %u weight %u rise %u fall %u\n",
		    chk->every, chk->timeout, chk->weight, chk->rise,
		    chk->fall);
	}
	TAILQ_FOREACH(trk, tracks, entry) {
		printf("\ttrack interface ");
		print_string(trk->ifname, strnlen(trk->ifname,
		    sizeof(trk->ifname)));
		printf(" weight %u\n", trk->weight);
	}
}

/* The user by name where the system knows one, else by number. */
static void
print_heartbeat(const struct heartbeat_conf *hb)
{
	struct passwd	*pw;

	printf("\theartbeat ");
	print_string(hb->name, strnlen(hb->name, sizeof(hb->name)));
	printf(" ttl %ums weight %u user ", hb->ttl, hb->weight);
	if ((pw = getpwuid(hb->uid)) != NULL)
		print_string(pw->pw_name, strlen(pw->pw_name));
	else
		printf("%u", hb->uid);
	putchar('\n');
}

/* The prefer list in its order, which is the order of preference. */
static void
print_site(const struct site_conf *site)
{
	int	i;

	if (!site->across)
		return;
	printf("\tacross sites");
	if (site->nprefer > 0)
		printf(" prefer");
	for (i = 0; i < site->nprefer && i < SITES_MAX; i++) {
		putchar(' ');
		print_string(site->prefer[i], strnlen(site->prefer[i],
		    sizeof(site->prefer[i])));
	}
	if (site->failback)
		printf(" failback");
	putchar('\n');
}

/* The members one a line, the leader first, as the file lists them. */
static void
print_group(const struct group_conf *grp)
{
	int	i;

	printf("group ");
	print_string(grp->name, strnlen(grp->name, sizeof(grp->name)));
	printf(" {\n");
	for (i = 0; i < grp->nmembers; i++) {
		printf("\tservice ");
		print_string(grp->members[i], strnlen(grp->members[i],
		    sizeof(grp->members[i])));
		putchar('\n');
	}
	print_site(&grp->site);
	print_hooks(&grp->hooks, &grp->checks, &grp->tracks);
	printf("}\n");
}

void
print_config(const struct config *conf)
{
	const struct service	*svc;
	const struct group_conf	*grp;
	int			 grpexcl, bundle = 0;

	printf("user ");
	print_string(conf->user, strnlen(conf->user, sizeof(conf->user)));
	printf("\nchroot ");
	print_string(conf->chroot, strnlen(conf->chroot,
	    sizeof(conf->chroot)));
	printf("\nsocket ");
	print_string(conf->socket, strnlen(conf->socket,
	    sizeof(conf->socket)));
	printf("\nstate ");
	print_string(conf->state, strnlen(conf->state, sizeof(conf->state)));
	putchar('\n');
	/* Only when it differs: the socket is opened only for heartbeats. */
	if (strcmp(conf->heartbeat, HAFOD_HEARTBEAT) != 0) {
		printf("heartbeat socket ");
		print_string(conf->heartbeat, strnlen(conf->heartbeat,
		    sizeof(conf->heartbeat)));
		putchar('\n');
	}
	/* Only when asked for: without it hafod needs no corosync at all. */
	if (conf->quorum)
		printf("quorum corosync policy %s\n",
		    quorum_policy_word(conf->quorum_policy));
	if (conf->site[0] != '\0') {
		printf("site ");
		print_string(conf->site, strnlen(conf->site,
		    sizeof(conf->site)));
		putchar('\n');
	}
	/* Where a service runs the bundle, or where it was changed. */
	TAILQ_FOREACH(svc, &conf->services, entry)
		if (svc->conf.protocol == PROTO_BUNDLE)
			bundle = 1;
	if (bundle || conf->bundle_port != BUNDLE_PORT_DEFAULT)
		printf("bundle port %u\n", conf->bundle_port);
	TAILQ_FOREACH(svc, &conf->services, entry) {
		grpexcl = 0;
		TAILQ_FOREACH(grp, &conf->groups, entry)
			if (strcmp(grp->name, svc->conf.group) == 0)
				grpexcl = grp->hooks.handover ==
				    HANDOVER_EXCLUSIVE;
		putchar('\n');
		print_service(svc, grpexcl);
	}
	TAILQ_FOREACH(grp, &conf->groups, entry) {
		putchar('\n');
		print_group(grp);
	}
}
