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
 * The parser as a library: what parse_config() builds, not what hafod -n
 * prints (regress/config does that).  Each test case runs in its own
 * empty directory, where it writes its configuration files.
 */

#include <sys/stat.h>

#include <arpa/inet.h>

#include <atf-c.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

static void			 write_file(const char *, const char *);
static struct config		*parse_text(const char *);
static const struct service_conf *nth(const struct config *, int);
static const struct service	*nth_svc(const struct config *, int);
static const struct group_conf	*nth_grp(const struct config *, int);
static int			 ncheck(const struct check_head *);
static int			 ntrack(const struct track_head *);
static void			 same_hooks(const char *,
				    const struct hooks_conf *,
				    const struct check_head *,
				    const struct track_head *,
				    const struct hooks_conf *,
				    const struct check_head *,
				    const struct track_head *);
static int			 count(const struct config *);
static struct hafod_addr	 addr(const char *, int);
static void			 print_to(const struct config *, const char *);
static void			 place(char *, size_t, size_t, const char *,
				    const char *);

static void
write_file(const char *name, const char *text)
{
	FILE	*fp;

	ATF_REQUIRE((fp = fopen(name, "w")) != NULL);
	ATF_REQUIRE(fputs(text, fp) >= 0);
	ATF_REQUIRE(fclose(fp) == 0);
}

/* Errors go to stderr, where atf keeps them for a failing case. */
static struct config *
parse_text(const char *text)
{
	log_init(1, LOG_DAEMON);
	write_file("test.conf", text);
	return (parse_config("test.conf", 0));
}

static const struct service_conf *
nth(const struct config *conf, int n)
{
	const struct service	*svc;

	TAILQ_FOREACH(svc, &conf->services, entry)
		if (n-- == 0)
			return (&svc->conf);
	atf_tc_fail("no service %d", n);
}

static const struct service *
nth_svc(const struct config *conf, int n)
{
	const struct service	*svc;

	TAILQ_FOREACH(svc, &conf->services, entry)
		if (n-- == 0)
			return (svc);
	atf_tc_fail("no service %d", n);
}

static const struct group_conf *
nth_grp(const struct config *conf, int n)
{
	const struct group_conf	*grp;

	TAILQ_FOREACH(grp, &conf->groups, entry)
		if (n-- == 0)
			return (grp);
	atf_tc_fail("no group %d", n);
}

static int
ncheck(const struct check_head *head)
{
	const struct check_conf	*chk;
	int			 n = 0;

	TAILQ_FOREACH(chk, head, entry)
		n++;
	return (n);
}

static int
ntrack(const struct track_head *head)
{
	const struct track_conf	*trk;
	int			 n = 0;

	TAILQ_FOREACH(trk, head, entry)
		n++;
	return (n);
}

/* Two blocks with the same hooks, checks and tracks, field by field. */
static void
same_hooks(const char *name, const struct hooks_conf *h1,
    const struct check_head *c1, const struct track_head *t1,
    const struct hooks_conf *h2, const struct check_head *c2,
    const struct track_head *t2)
{
	const struct check_conf	*k1, *k2;
	const struct track_conf	*r1, *r2;
	int			 i;

	for (i = 0; i < HOOK_MAX; i++) {
		if (h1->cmd[i] == NULL || h2->cmd[i] == NULL)
			ATF_CHECK_MSG(h1->cmd[i] == h2->cmd[i], "%s: hook %d",
			    name, i);
		else
			ATF_CHECK_STREQ_MSG(h1->cmd[i], h2->cmd[i],
			    "%s: hook %d", name, i);
	}
	ATF_CHECK_EQ_MSG(h1->timeout, h2->timeout, "%s", name);
	ATF_CHECK_STREQ_MSG(h1->user, h2->user, "%s", name);
	ATF_REQUIRE_EQ_MSG(ncheck(c1), ncheck(c2), "%s", name);
	k2 = TAILQ_FIRST(c2);
	TAILQ_FOREACH(k1, c1, entry) {
		ATF_CHECK_STREQ_MSG(k1->cmd, k2->cmd, "%s", name);
		ATF_CHECK_MSG(k1->every == k2->every &&
		    k1->timeout == k2->timeout && k1->weight == k2->weight &&
		    k1->rise == k2->rise && k1->fall == k2->fall,
		    "%s: check %s", name, k1->cmd);
		k2 = TAILQ_NEXT(k2, entry);
	}
	ATF_REQUIRE_EQ_MSG(ntrack(t1), ntrack(t2), "%s", name);
	r2 = TAILQ_FIRST(t2);
	TAILQ_FOREACH(r1, t1, entry) {
		ATF_CHECK_STREQ_MSG(r1->ifname, r2->ifname, "%s", name);
		ATF_CHECK_EQ_MSG(r1->weight, r2->weight, "%s", name);
		r2 = TAILQ_NEXT(r2, entry);
	}
}

static int
count(const struct config *conf)
{
	const struct service	*svc;
	int			 n = 0;

	TAILQ_FOREACH(svc, &conf->services, entry)
		n++;
	return (n);
}

static struct hafod_addr
addr(const char *s, int prefixlen)
{
	struct hafod_addr	a;

	memset(&a, 0, sizeof(a));
	a.prefixlen = prefixlen;
	if (inet_pton(AF_INET, s, &a.u.v4) == 1)
		a.af = AF_INET;
	else {
		ATF_REQUIRE(inet_pton(AF_INET6, s, &a.u.v6) == 1);
		a.af = AF_INET6;
	}
	return (a);
}

/* print_config() writes to stdout: point stdout at a file meanwhile. */
static void
print_to(const struct config *conf, const char *name)
{
	int	fd, saved;

	ATF_REQUIRE(fflush(stdout) == 0);
	ATF_REQUIRE((saved = dup(STDOUT_FILENO)) != -1);
	ATF_REQUIRE((fd = open(name, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) != -1);
	ATF_REQUIRE(dup2(fd, STDOUT_FILENO) != -1);
	close(fd);
	print_config(conf);
	ATF_REQUIRE(fflush(stdout) == 0);
	ATF_REQUIRE(dup2(saved, STDOUT_FILENO) != -1);
	close(saved);
}

#define MINIMAL	"service web {\n" \
		"\tinterface eth0\n" \
		"\tvhid 7\n" \
		"\taddress 192.0.2.1/24\n" \
		"}\n"

ATF_TC_WITHOUT_HEAD(defaults_resolved);
ATF_TC_BODY(defaults_resolved, tc)
{
	struct config			*conf;
	const struct service_conf	*sc;
	const char			 zero[CARP_KEY_LEN] = { 0 };

	log_init(1, LOG_DAEMON);
	write_file("test.conf", MINIMAL);
	ATF_REQUIRE((conf = parse_config("test.conf", HAFOD_OPT_VERBOSE)) !=
	    NULL);
	ATF_CHECK_EQ(conf->opts, HAFOD_OPT_VERBOSE);
	ATF_CHECK_STREQ(conf->user, HAFOD_USER);
	ATF_CHECK_STREQ(conf->chroot, HAFOD_CHROOT);
	ATF_CHECK_STREQ(conf->socket, HAFOD_SOCKET);
	ATF_REQUIRE_EQ(count(conf), 1);
	sc = nth(conf, 0);
	ATF_CHECK_STREQ(sc->name, "web");
	ATF_CHECK_STREQ(sc->ifname, "eth0");
	ATF_CHECK_EQ(sc->id, 1);
	ATF_CHECK_EQ(sc->vhid, 7);
	ATF_CHECK_EQ(sc->advbase, CARP_ADVBASE_DEFAULT);
	ATF_CHECK_EQ(sc->advskew, CARP_ADVSKEW_DEFAULT);
	ATF_CHECK_EQ(sc->preempt, 0);
	ATF_CHECK_EQ(sc->passlen, 0);
	ATF_CHECK(memcmp(sc->pass, zero, sizeof(zero)) == 0);
	ATF_CHECK_EQ(sc->announce_count, ANNOUNCE_COUNT_DEFAULT);
	ATF_CHECK_EQ(sc->announce_interval, ANNOUNCE_INTERVAL_DEFAULT);
	ATF_CHECK_EQ(sc->nvips, 1);
	ATF_CHECK_EQ(sc->npeers, 0);
	config_free(conf);
}

ATF_TC_WITHOUT_HEAD(globals_applied);
ATF_TC_BODY(globals_applied, tc)
{
	struct config			*conf;
	const struct service_conf	*sc;

	conf = parse_text(
	    "user \"_carp\"\n"
	    "chroot \"/var/lib/empty\"\n"
	    "socket \"/var/run/h.sock\"\n"
	    "advbase 4\n"
	    "advskew 40\n"
	    "preempt yes\n"
	    "password \"global\"\n"
	    "announce count 9 interval 90\n"
	    MINIMAL);
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_STREQ(conf->user, "_carp");
	ATF_CHECK_STREQ(conf->chroot, "/var/lib/empty");
	ATF_CHECK_STREQ(conf->socket, "/var/run/h.sock");
	sc = nth(conf, 0);
	ATF_CHECK_EQ(sc->advbase, 4);
	ATF_CHECK_EQ(sc->advskew, 40);
	ATF_CHECK_EQ(sc->preempt, 1);
	ATF_CHECK_EQ(sc->passlen, 6);
	ATF_CHECK(memcmp(sc->pass, "global\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    CARP_KEY_LEN) == 0);
	ATF_CHECK_EQ(sc->announce_count, 9);
	ATF_CHECK_EQ(sc->announce_interval, 90);
	config_free(conf);
}

/*
 * quorum: off unless asked for, fast by default.  Only "quorum" is a
 * keyword: a service may still be called "fast" or "strict" unquoted.
 */
ATF_TC_WITHOUT_HEAD(quorum_setting);
ATF_TC_BODY(quorum_setting, tc)
{
	struct config	*conf;

	conf = parse_text(MINIMAL);
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(conf->quorum, 0);
	config_free(conf);

	conf = parse_text("quorum corosync\n" MINIMAL);
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(conf->quorum, 1);
	ATF_CHECK_EQ(conf->quorum_policy, QUORUM_POLICY_FAST);
	config_free(conf);

	conf = parse_text(MINIMAL "quorum corosync policy strict\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(conf->quorum, 1);
	ATF_CHECK_EQ(conf->quorum_policy, QUORUM_POLICY_STRICT);
	config_free(conf);

	conf = parse_text("service strict {\n\tinterface fast\n"
	    "\tvhid 1\n\taddress 192.0.2.1/24\n}\n"
	    "service \"quorum\" {\n\tinterface corosync\n"
	    "\tvhid 2\n\taddress 192.0.2.2/24\n}\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(conf->quorum, 0);
	ATF_CHECK_STREQ(nth(conf, 0)->name, "strict");
	ATF_CHECK_STREQ(nth(conf, 1)->name, "quorum");
	config_free(conf);

	ATF_CHECK(parse_text("quorum\n" MINIMAL) == NULL);
	ATF_CHECK(parse_text("quorum corosync policy\n" MINIMAL) == NULL);
	ATF_CHECK(parse_text("quorum corosync strict\n" MINIMAL) == NULL);
	ATF_CHECK(parse_text("quorum corosync policy fast x\n" MINIMAL) ==
	    NULL);
	ATF_CHECK(parse_text("quorum corosync\nquorum corosync\n" MINIMAL) ==
	    NULL);
}

/*
 * A service keeps what it sets and takes the rest from the globals,
 * whether they come before or after it: the same file in two orders.
 */
ATF_TC_WITHOUT_HEAD(override_order);
ATF_TC_BODY(override_order, tc)
{
	const char *svcs =
	    "service a {\n"
	    "\tinterface eth0\n\tvhid 1\n\taddress 192.0.2.1\n"
	    "\tadvskew 10\n\tpassword \"mine\"\n\tannounce count 2\n"
	    "}\n"
	    "service b {\n"
	    "\tinterface eth0\n\tvhid 2\n\taddress 192.0.2.2\n"
	    "\tpreempt no\n"
	    "}\n";
	const char *globals =
	    "advskew 50\npreempt yes\npassword \"theirs\"\n"
	    "announce count 8 interval 800\n";
	struct config			*before, *after;
	const struct service_conf	*a, *b;
	char				 text[1024];
	int				 i;

	snprintf(text, sizeof(text), "%s%s", globals, svcs);
	ATF_REQUIRE((before = parse_text(text)) != NULL);
	snprintf(text, sizeof(text), "%s%s", svcs, globals);
	ATF_REQUIRE((after = parse_text(text)) != NULL);

	for (i = 0; i < 2; i++) {
		a = nth(i == 0 ? before : after, 0);
		b = nth(i == 0 ? before : after, 1);
		ATF_CHECK_EQ(a->advskew, 10);
		ATF_CHECK_EQ(a->preempt, 1);
		ATF_CHECK_EQ(a->passlen, 4);
		ATF_CHECK(memcmp(a->pass, "mine", 5) == 0);
		ATF_CHECK_EQ(a->announce_count, 2);
		ATF_CHECK_EQ(a->announce_interval, 800);
		ATF_CHECK_EQ(b->advskew, 50);
		ATF_CHECK_EQ(b->preempt, 0);
		ATF_CHECK_EQ(b->passlen, 6);
		ATF_CHECK(memcmp(b->pass, "theirs", 7) == 0);
		ATF_CHECK_EQ(b->announce_count, 8);
	}
	ATF_CHECK(memcmp(nth(before, 0), nth(after, 0),
	    sizeof(struct service_conf)) == 0);
	ATF_CHECK(memcmp(nth(before, 1), nth(after, 1),
	    sizeof(struct service_conf)) == 0);
	config_free(before);
	config_free(after);
}

/* Ids follow the file order, an included file's services in place. */
ATF_TC_WITHOUT_HEAD(ids_in_order);
ATF_TC_BODY(ids_in_order, tc)
{
	struct config	*conf;
	const char	*names[] = { "first", "second", "third", "fourth" };
	int		 i;

	ATF_REQUIRE(mkdir("sub", 0755) == 0);
	write_file("sub/more.conf",
	    "service second { interface eth0\nvhid 2\naddress 10.0.0.2 }\n"
	    "service third { interface eth0\nvhid 3\naddress 10.0.0.3 }\n");
	conf = parse_text(
	    "service first { interface eth0\nvhid 1\naddress 10.0.0.1 }\n"
	    "include \"sub/more.conf\"\n"
	    "service fourth { interface eth0\nvhid 4\naddress 10.0.0.4 }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_REQUIRE_EQ(count(conf), 4);
	for (i = 0; i < 4; i++) {
		ATF_CHECK_STREQ(nth(conf, i)->name, names[i]);
		ATF_CHECK_EQ(nth(conf, i)->id, (uint32_t)i + 1);
		ATF_CHECK_EQ(nth(conf, i)->vhid, i + 1);
	}
	config_free(conf);
}

ATF_TC_WITHOUT_HEAD(addresses);
ATF_TC_BODY(addresses, tc)
{
	struct config			*conf;
	const struct service_conf	*sc;
	struct hafod_addr		 want[4];
	int				 i;

	conf = parse_text(
	    "service web {\n"
	    "\tinterface eth0\n\tvhid 1\n"
	    "\taddress 192.0.2.1/24\n"
	    "\taddress 192.0.2.2\n"
	    "\taddress 2001:db8::1/64\n"
	    "\taddress 2001:db8::2\n"
	    "\tpeer 192.0.2.9\n"
	    "\tpeer 192.0.2.10\n"
	    "}\n");
	ATF_REQUIRE(conf != NULL);
	sc = nth(conf, 0);
	want[0] = addr("192.0.2.1", 24);
	want[1] = addr("192.0.2.2", 32);
	want[2] = addr("2001:db8::1", 64);
	want[3] = addr("2001:db8::2", 128);
	ATF_REQUIRE_EQ(sc->nvips, 4);
	for (i = 0; i < 4; i++)
		ATF_CHECK_MSG(memcmp(&sc->vips[i], &want[i],
		    sizeof(want[i])) == 0, "address %d: %s/%u", i,
		    addr_ntop(&sc->vips[i]), sc->vips[i].prefixlen);
	ATF_REQUIRE_EQ(sc->npeers, 2);
	want[0] = addr("192.0.2.9", 0);
	want[1] = addr("192.0.2.10", 0);
	ATF_CHECK(memcmp(&sc->peers[0], &want[0], sizeof(want[0])) == 0);
	ATF_CHECK(memcmp(&sc->peers[1], &want[1], sizeof(want[1])) == 0);
	config_free(conf);
}

ATF_TC_WITHOUT_HEAD(cmdline_symset_parsing);
ATF_TC_BODY(cmdline_symset_parsing, tc)
{
	char	bad1[] = "novalue", bad2[] = "=value", bad3[] = "two words=x";
	char	bad4[] = "user=nobody", bad5[] = "a-b=c";
	char	good1[] = "skew=33", good2[] = "pw=\"a=b\"";
	char	good3[] = "empty=";
	struct config	*conf;

	ATF_CHECK_EQ(cmdline_symset(bad1), -1);
	ATF_CHECK_EQ(cmdline_symset(bad2), -1);
	ATF_CHECK_EQ(cmdline_symset(bad3), -1);
	ATF_CHECK_EQ(cmdline_symset(bad4), -1);	/* a keyword */
	ATF_CHECK_EQ(cmdline_symset(bad5), -1);
	ATF_CHECK_EQ(cmdline_symset(good1), 0);
	ATF_CHECK_EQ(cmdline_symset(good2), 0);
	ATF_CHECK_EQ(cmdline_symset(good3), 0);

	/*
	 * The first '=' splits, the value keeps the rest and is read as if
	 * typed where it is used: here a quoted string.
	 */
	conf = parse_text("service web { interface eth0\nvhid 1\n"
	    "address 192.0.2.1\npassword $pw\n$empty\nadvskew $skew }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_STREQ(nth(conf, 0)->pass, "a=b");
	ATF_CHECK_EQ(nth(conf, 0)->advskew, 33);
	config_free(conf);
}

/* -D wins over the file, whatever the order of the two definitions. */
ATF_TC_WITHOUT_HEAD(cmdline_overrides_file);
ATF_TC_BODY(cmdline_overrides_file, tc)
{
	char		 def[] = "skew=77";
	struct config	*conf;

	ATF_REQUIRE_EQ(cmdline_symset(def), 0);
	conf = parse_text("skew = 5\n"
	    "service web { interface eth0\nvhid 1\naddress 192.0.2.1\n"
	    "advskew $skew }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(nth(conf, 0)->advskew, 77);
	config_free(conf);
}

/* A macro of one file is gone when the next is parsed; -D stays. */
ATF_TC_WITHOUT_HEAD(macros_per_file);
ATF_TC_BODY(macros_per_file, tc)
{
	char		 def[] = "vh=9";
	struct config	*conf;

	ATF_REQUIRE_EQ(cmdline_symset(def), 0);
	conf = parse_text("skew = 5\n"
	    "service web { interface eth0\nvhid $vh\naddress 192.0.2.1\n"
	    "advskew $skew }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(nth(conf, 0)->advskew, 5);
	config_free(conf);

	conf = parse_text(
	    "service web { interface eth0\nvhid $vh\naddress 192.0.2.1\n"
	    "advskew $skew }\n");
	ATF_CHECK(conf == NULL);
	config_free(conf);

	conf = parse_text(
	    "service web { interface eth0\nvhid $vh\naddress 192.0.2.1 }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(nth(conf, 0)->vhid, 9);
	ATF_CHECK_EQ(nth(conf, 0)->id, 1);
	config_free(conf);
}

ATF_TC_WITHOUT_HEAD(failure_returns_null);
ATF_TC_BODY(failure_returns_null, tc)
{
	const char	*bad[] = {
		"frobnicate\n" MINIMAL,
		"service web { interface eth0\naddress 192.0.2.1 }\n",
		"service web { interface eth0\nvhid 1\n}\n",
		MINIMAL MINIMAL,
		"advbase 0\n" MINIMAL,
		"service web {\n",
		"include \"nonexistent.conf\"\n",
		"password \"01234567890123456789\"\n" MINIMAL,
		"\"unterminated\n",
	};
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_MSG(parse_text(bad[i]) == NULL, "case %zu", i);
	log_init(1, LOG_DAEMON);
	ATF_CHECK(parse_config("nonexistent.conf", 0) == NULL);
	config_free(NULL);
}

/* 16 includes deep is allowed, 17 is not. */
ATF_TC_WITHOUT_HEAD(include_depth);
ATF_TC_BODY(include_depth, tc)
{
	struct config	*conf;
	char		 name[32], text[64];
	int		 i;

	for (i = 1; i <= 17; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include \"d%d.conf\"\n", i + 1);
		write_file(name, i < 17 ? text : MINIMAL);
	}
	conf = parse_text("include \"d2.conf\"\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(count(conf), 1);
	config_free(conf);
	ATF_CHECK(parse_text("include \"d1.conf\"\n") == NULL);
}

/* What print_config() writes reads back as the same configuration. */
ATF_TC_WITHOUT_HEAD(print_roundtrip);
ATF_TC_BODY(print_roundtrip, tc)
{
	struct config		*conf, *again;
	const struct service	*s1, *s2;

	conf = parse_text(
	    "user \"u\"\nchroot \"/c\"\nsocket \"/s\"\n"
	    "advbase 0\nadvskew 3\npassword \"q\\\"uo\\\\te\"\n"
	    "service \"count\" {\n"
	    "\tinterface \"yes\"\n\tvhid 200\n\tpreempt yes\n"
	    "\taddress 192.0.2.1/25\n\taddress 2001:DB8:0::1\n"
	    "\tpeer 192.0.2.2\n\tannounce interval 5\n"
	    "}\n"
	    "service b { interface eth1\nvhid 1\naddress fe80::1/64\n"
	    "peer fe80::2 }\n");
	ATF_REQUIRE(conf != NULL);
	print_to(conf, "printed.conf");
	log_init(1, LOG_DAEMON);
	ATF_REQUIRE((again = parse_config("printed.conf", 0)) != NULL);
	ATF_CHECK_STREQ(again->user, conf->user);
	ATF_CHECK_STREQ(again->chroot, conf->chroot);
	ATF_CHECK_STREQ(again->socket, conf->socket);
	ATF_REQUIRE_EQ(count(again), count(conf));
	s2 = TAILQ_FIRST(&again->services);
	TAILQ_FOREACH(s1, &conf->services, entry) {
		ATF_CHECK_MSG(memcmp(&s1->conf, &s2->conf,
		    sizeof(s1->conf)) == 0, "service %s", s1->conf.name);
		s2 = TAILQ_NEXT(s2, entry);
	}
	ATF_CHECK_STREQ(nth(again, 0)->pass, "q\"uo\\te");
	config_free(conf);
	config_free(again);
}

/*
 * Whatever the bytes, the parser ends with NULL or a config that holds
 * what every service needs: word soup and noise, from a fixed seed so
 * that a failure repeats.  The sanitizer build finds what goes wrong
 * in memory.
 */
ATF_TC_WITHOUT_HEAD(garbage);
ATF_TC_BODY(garbage, tc)
{
	const char	*words[] = {
		"service", "web", "{", "}", "\n", "interface", "eth0",
		"vhid", "1", "address", "192.0.2.1/24", "peer", "::1",
		"advbase", "0", "advskew", "password", "\"pw\"", "announce",
		"count", "interval", "include", "\"test.conf\"", "x", "=",
		"$x", "$", "#", "\\\n", "\"", "'", "-1", "99999999999999999999",
		"preempt", "yes", "no", "user", "chroot", "socket", "\"/p\"",
		"\"g.conf\"", "service web { interface eth0\nvhid 1\n"
		"address 10.0.0.1 }\n",
	};
	const size_t	 nwords = sizeof(words) / sizeof(words[0]);
	struct config		*conf;
	const struct service	*svc;
	FILE			*fp;
	size_t			 j;
	int			 i, n, parsed = 0;

	srandom(1);
	log_init(1, LOG_DAEMON);
	for (i = 0; i < 300; i++) {
		ATF_REQUIRE((fp = fopen("g.conf", "w")) != NULL);
		n = random() % 120;
		for (j = 0; j < (size_t)n; j++) {
			if (i % 3 == 0)
				fputc(random() % 256, fp);
			else {
				fputs(words[random() % nwords], fp);
				fputc(random() % 4 ? ' ' : '\n', fp);
			}
		}
		ATF_REQUIRE(fclose(fp) == 0);
		if ((conf = parse_config("g.conf", 0)) == NULL)
			continue;
		parsed++;
		TAILQ_FOREACH(svc, &conf->services, entry) {
			ATF_CHECK(svc->conf.ifname[0] != '\0');
			ATF_CHECK(svc->conf.vhid != 0);
			ATF_CHECK(svc->conf.nvips > 0);
			ATF_CHECK(svc->conf.advbase != 0 ||
			    svc->conf.advskew != 0);
		}
		config_free(conf);
	}
	/* Else the invariants above were never looked at. */
	ATF_CHECK(parsed > 0);
}

/* Hooks, checks and tracks of a service: what is said, and defaults. */
ATF_TC_WITHOUT_HEAD(hooks_parsed);
ATF_TC_BODY(hooks_parsed, tc)
{
	struct config			*conf;
	const struct service		*svc;
	const struct check_conf		*chk;
	const struct track_conf		*trk;

	conf = parse_text(
	    "service web {\n"
	    "\tinterface eth0\n\tvhid 1\n\taddress 192.0.2.1/24\n"
	    "\ton demote \"/d\"\n"
	    "\ton promote \"/p 'x' \\\"y\\\" $HOME\"\n"
	    "\ton stop \"/s\"\n"
	    "\thook timeout 9\n\thook user \"_h\"\n"
	    "\tcheck \"c1\" fall 3 every 7 weight 9 rise 4 timeout 6\n"
	    "\tcheck \"c2\"\n"
	    "\ttrack interface eth1\n"
	    "\ttrack interface eth2 weight 254\n"
	    "}\n");
	ATF_REQUIRE(conf != NULL);
	svc = nth_svc(conf, 0);
	ATF_REQUIRE(svc->hooks.cmd[HOOK_PROMOTE] != NULL);
	ATF_CHECK_STREQ(svc->hooks.cmd[HOOK_PROMOTE], "/p 'x' \"y\" $HOME");
	ATF_REQUIRE(svc->hooks.cmd[HOOK_DEMOTE] != NULL);
	ATF_CHECK_STREQ(svc->hooks.cmd[HOOK_DEMOTE], "/d");
	ATF_CHECK(svc->hooks.cmd[HOOK_BACKUP] == NULL);
	ATF_CHECK(svc->hooks.cmd[HOOK_FAULT] == NULL);
	ATF_REQUIRE(svc->hooks.cmd[HOOK_STOP] != NULL);
	ATF_CHECK_STREQ(svc->hooks.cmd[HOOK_STOP], "/s");
	ATF_CHECK_EQ(svc->hooks.timeout, 9);
	ATF_CHECK_STREQ(svc->hooks.user, "_h");

	ATF_REQUIRE_EQ(ncheck(&svc->checks), 2);
	chk = TAILQ_FIRST(&svc->checks);
	ATF_CHECK_STREQ(chk->cmd, "c1");
	ATF_CHECK_EQ(chk->every, 7);
	ATF_CHECK_EQ(chk->timeout, 6);
	ATF_CHECK_EQ(chk->weight, 9);
	ATF_CHECK_EQ(chk->rise, 4);
	ATF_CHECK_EQ(chk->fall, 3);
	chk = TAILQ_NEXT(chk, entry);
	ATF_CHECK_STREQ(chk->cmd, "c2");
	ATF_CHECK_EQ(chk->every, CHECK_EVERY_DEFAULT);
	ATF_CHECK_EQ(chk->timeout, CHECK_TIMEOUT_DEFAULT);
	ATF_CHECK_EQ(chk->weight, WEIGHT_DEFAULT);
	ATF_CHECK_EQ(chk->rise, CHECK_RISE_DEFAULT);
	ATF_CHECK_EQ(chk->fall, CHECK_FALL_DEFAULT);

	ATF_REQUIRE_EQ(ntrack(&svc->tracks), 2);
	trk = TAILQ_FIRST(&svc->tracks);
	ATF_CHECK_STREQ(trk->ifname, "eth1");
	ATF_CHECK_EQ(trk->weight, WEIGHT_DEFAULT);
	trk = TAILQ_NEXT(trk, entry);
	ATF_CHECK_STREQ(trk->ifname, "eth2");
	ATF_CHECK_EQ(trk->weight, 254);

	/* Not in a group. */
	ATF_CHECK_STREQ(svc->conf.group, "");
	ATF_CHECK_EQ(svc->conf.group_leader, 0);
	ATF_CHECK(TAILQ_EMPTY(&conf->groups));
	config_free(conf);
}

/* Nothing said: no command, the default timeout, root. */
ATF_TC_WITHOUT_HEAD(hooks_default);
ATF_TC_BODY(hooks_default, tc)
{
	struct config		*conf;
	const struct service	*svc;
	int			 i;

	ATF_REQUIRE((conf = parse_text(MINIMAL)) != NULL);
	svc = nth_svc(conf, 0);
	for (i = 0; i < HOOK_MAX; i++)
		ATF_CHECK(svc->hooks.cmd[i] == NULL);
	ATF_CHECK_EQ(svc->hooks.timeout, HOOK_TIMEOUT_DEFAULT);
	ATF_CHECK_STREQ(svc->hooks.user, "");
	ATF_CHECK(TAILQ_EMPTY(&svc->checks));
	ATF_CHECK(TAILQ_EMPTY(&svc->tracks));
	config_free(conf);
}

/*
 * The global hook timeout and user reach services and groups that do not
 * set theirs, before or after them; hook user "" is root all the same.
 */
ATF_TC_WITHOUT_HEAD(hook_defaults_order);
ATF_TC_BODY(hook_defaults_order, tc)
{
	const char *blocks =
	    "service a { interface eth0\nvhid 1\naddress 192.0.2.1\n"
	    "hook timeout 10 }\n"
	    "service b { interface eth0\nvhid 2\naddress 192.0.2.2\n"
	    "hook user \"\" }\n"
	    "service c { interface eth0\nvhid 3\naddress 192.0.2.3 }\n"
	    "group g { service c\nhook user \"_own\" }\n"
	    "group h { service a }\n";
	const char *globals = "hook timeout 77\nhook user \"_g\"\n";
	struct config		*confs[2];
	const struct service	*a, *b, *c;
	const struct group_conf	*g, *h;
	char			 text[1024];
	int			 i;

	snprintf(text, sizeof(text), "%s%s", globals, blocks);
	ATF_REQUIRE((confs[0] = parse_text(text)) != NULL);
	snprintf(text, sizeof(text), "%s%s", blocks, globals);
	ATF_REQUIRE((confs[1] = parse_text(text)) != NULL);
	for (i = 0; i < 2; i++) {
		a = nth_svc(confs[i], 0);
		b = nth_svc(confs[i], 1);
		c = nth_svc(confs[i], 2);
		g = nth_grp(confs[i], 0);
		h = nth_grp(confs[i], 1);
		ATF_CHECK_EQ(a->hooks.timeout, 10);
		ATF_CHECK_STREQ(a->hooks.user, "_g");
		ATF_CHECK_EQ(b->hooks.timeout, 77);
		ATF_CHECK_STREQ(b->hooks.user, "");
		ATF_CHECK_EQ(c->hooks.timeout, 77);
		ATF_CHECK_STREQ(c->hooks.user, "_g");
		ATF_CHECK_EQ(g->hooks.timeout, 77);
		ATF_CHECK_STREQ(g->hooks.user, "_own");
		/* A group does not take its leader's settings. */
		ATF_CHECK_EQ(h->hooks.timeout, 77);
		ATF_CHECK_STREQ(h->hooks.user, "_g");
	}
	config_free(confs[0]);
	config_free(confs[1]);

	/* Without globals, the built-in defaults. */
	ATF_REQUIRE((confs[0] = parse_text(blocks)) != NULL);
	ATF_CHECK_EQ(nth_svc(confs[0], 0)->hooks.timeout, 10);
	ATF_CHECK_STREQ(nth_svc(confs[0], 0)->hooks.user, "");
	ATF_CHECK_EQ(nth_svc(confs[0], 2)->hooks.timeout,
	    HOOK_TIMEOUT_DEFAULT);
	ATF_CHECK_EQ(nth_grp(confs[0], 1)->hooks.timeout,
	    HOOK_TIMEOUT_DEFAULT);
	ATF_CHECK_STREQ(nth_grp(confs[0], 1)->hooks.user, "");
	config_free(confs[0]);
}

/*
 * Members are found wherever their services are defined; the first
 * listed leads, and each member knows its group.
 */
ATF_TC_WITHOUT_HEAD(group_resolution);
ATF_TC_BODY(group_resolution, tc)
{
	struct config			*conf;
	const struct group_conf		*g1, *g2;
	const struct service_conf	*sc;
	const char	*names[] = { "a", "b", "c", "d", "e" };
	const char	*group[] = { "g1", "", "g1", "g2", "g1" };
	int		 leader[] = { 0, 0, 1, 1, 0 };
	int		 i;

	conf = parse_text(
	    "service a { interface eth0\nvhid 1\naddress 192.0.2.1 }\n"
	    "group g1 {\n"
	    "\tservice c\n"
	    "\tservice a, e\n"
	    "\ton promote \"/g1 up\"\n"
	    "\tcheck \"/g1 ok\" every 9 timeout 8\n"
	    "\ttrack interface eth9 weight 3\n"
	    "}\n"
	    "service b { interface eth0\nvhid 2\naddress 192.0.2.2 }\n"
	    "service c { interface eth0\nvhid 3\naddress 192.0.2.3 }\n"
	    "service d { interface eth1\nvhid 1\naddress 192.0.2.4 }\n"
	    "group g2 { service d }\n"
	    "service e { interface eth1\nvhid 2\naddress 192.0.2.5 }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_REQUIRE_EQ(count(conf), 5);
	for (i = 0; i < 5; i++) {
		sc = nth(conf, i);
		ATF_CHECK_STREQ(sc->name, names[i]);
		ATF_CHECK_EQ(sc->id, (uint32_t)i + 1);
		ATF_CHECK_STREQ_MSG(sc->group, group[i], "service %s",
		    names[i]);
		ATF_CHECK_EQ_MSG(sc->group_leader, leader[i], "service %s",
		    names[i]);
	}
	g1 = nth_grp(conf, 0);
	g2 = nth_grp(conf, 1);
	ATF_CHECK(TAILQ_NEXT(g2, entry) == NULL);
	ATF_CHECK_STREQ(g1->name, "g1");
	ATF_REQUIRE_EQ(g1->nmembers, 3);
	ATF_CHECK_STREQ(g1->members[0], "c");
	ATF_CHECK_STREQ(g1->members[1], "a");
	ATF_CHECK_STREQ(g1->members[2], "e");
	ATF_REQUIRE(g1->hooks.cmd[HOOK_PROMOTE] != NULL);
	ATF_CHECK_STREQ(g1->hooks.cmd[HOOK_PROMOTE], "/g1 up");
	ATF_CHECK(g1->hooks.cmd[HOOK_DEMOTE] == NULL);
	ATF_REQUIRE_EQ(ncheck(&g1->checks), 1);
	ATF_CHECK_EQ(TAILQ_FIRST(&g1->checks)->every, 9);
	ATF_CHECK_EQ(TAILQ_FIRST(&g1->checks)->timeout, 8);
	ATF_REQUIRE_EQ(ntrack(&g1->tracks), 1);
	ATF_CHECK_STREQ(TAILQ_FIRST(&g1->tracks)->ifname, "eth9");
	ATF_CHECK_EQ(TAILQ_FIRST(&g1->tracks)->weight, 3);
	/* The group's hooks are its own, not its members'. */
	ATF_CHECK(nth_svc(conf, 2)->hooks.cmd[HOOK_PROMOTE] == NULL);
	ATF_CHECK(TAILQ_EMPTY(&nth_svc(conf, 2)->checks));
	ATF_CHECK_STREQ(g2->name, "g2");
	ATF_REQUIRE_EQ(g2->nmembers, 1);
	ATF_CHECK_STREQ(g2->members[0], "d");
	config_free(conf);
}

/* 16 members are allowed, 17 are not. */
ATF_TC_WITHOUT_HEAD(group_max);
ATF_TC_BODY(group_max, tc)
{
	struct config	*conf;
	char		 text[4096], line[128];
	int		 i, n;

	for (n = SERVICE_GROUP_MAX; n <= SERVICE_GROUP_MAX + 1; n++) {
		text[0] = '\0';
		for (i = 1; i <= n; i++) {
			snprintf(line, sizeof(line), "service s%d { interface "
			    "eth0\nvhid %d\naddress 192.0.2.%d }\n", i, i, i);
			ATF_REQUIRE(strlcat(text, line, sizeof(text)) <
			    sizeof(text));
		}
		ATF_REQUIRE(strlcat(text, "group big {\n", sizeof(text)) <
		    sizeof(text));
		for (i = 1; i <= n; i++) {
			snprintf(line, sizeof(line), "service s%d\n", i);
			ATF_REQUIRE(strlcat(text, line, sizeof(text)) <
			    sizeof(text));
		}
		ATF_REQUIRE(strlcat(text, "}\n", sizeof(text)) <
		    sizeof(text));
		conf = parse_text(text);
		if (n > SERVICE_GROUP_MAX) {
			ATF_CHECK(conf == NULL);
			continue;
		}
		ATF_REQUIRE(conf != NULL);
		ATF_CHECK_EQ(nth_grp(conf, 0)->nmembers, SERVICE_GROUP_MAX);
		ATF_CHECK_EQ(nth(conf, 0)->group_leader, 1);
		for (i = 1; i < n; i++) {
			ATF_CHECK_STREQ(nth(conf, i)->group, "big");
			ATF_CHECK_EQ(nth(conf, i)->group_leader, 0);
		}
		config_free(conf);
	}
}

ATF_TC_WITHOUT_HEAD(hooks_failure_returns_null);
ATF_TC_BODY(hooks_failure_returns_null, tc)
{
	const char	*bad[] = {
		/* member not defined, before or after */
		MINIMAL "group g { service db }\n",
		"group g { service web, db }\n" MINIMAL,
		/* in two groups */
		MINIMAL "group g { service web }\ngroup h { service web }\n",
		/* named as a service, twice, empty */
		MINIMAL "group web { service web }\n",
		MINIMAL "group g { service web }\ngroup g { service web }\n",
		MINIMAL "group g { }\n",
		MINIMAL "group g { service web, web }\n",
		/* groups have promote and demote only */
		MINIMAL "group g { service web\non backup \"x\" }\n",
		MINIMAL "group g { service web\non stop \"x\" }\n",
		/* hooks */
		"on promote \"x\"\n" MINIMAL,
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"on promote \"x\"\non promote \"y\" }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"on promoted \"x\" }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"on promote \"\" }\n",
		"hook timeout 3601\n" MINIMAL,
		"hook timeout 0\n" MINIMAL,
		/* checks and tracks */
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"check \"x\" every 3 timeout 4 }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"check \"x\" every 1 }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"check \"x\" weight 255 }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"check \"x\" rise 101 }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"track interface eth1\ntrack interface eth1 }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"track interface eth1 weight 0 }\n",
		"service web { interface eth0\nvhid 7\naddress 192.0.2.1\n"
		"track interface \"a:b\" }\n",
	};
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_MSG(parse_text(bad[i]) == NULL, "case %zu", i);
}

/* Hooks, checks, tracks and groups read back as what was printed. */
ATF_TC_WITHOUT_HEAD(print_roundtrip_hooks);
ATF_TC_BODY(print_roundtrip_hooks, tc)
{
	struct config		*conf, *again;
	const struct service	*s1, *s2;
	const struct group_conf	*g1, *g2;
	int			 i;

	conf = parse_text(
	    "hook timeout 12\nhook user \"_h\"\n"
	    "group \"check\" {\n"
	    "\tservice \"b\", a\n"
	    "\ton demote \"say \\\"down\\\" \\\\ now\"\n"
	    "\tcheck \"g\" every 20 timeout 19 rise 1 fall 100\n"
	    "\ttrack interface \"weight\" weight 254\n"
	    "}\n"
	    "service a { interface eth0\nvhid 1\naddress 192.0.2.1\n"
	    "on promote \"p\"\non backup \"b\"\non fault \"f\"\n"
	    "hook user \"\"\ncheck \"c\"\ntrack interface eth1 }\n"
	    "service b { interface eth0\nvhid 2\naddress 192.0.2.2\n"
	    "hook timeout 30 }\n"
	    "service c { interface eth0\nvhid 3\naddress 192.0.2.3 }\n");
	ATF_REQUIRE(conf != NULL);
	print_to(conf, "printed.conf");
	log_init(1, LOG_DAEMON);
	ATF_REQUIRE((again = parse_config("printed.conf", 0)) != NULL);
	ATF_REQUIRE_EQ(count(again), count(conf));
	s2 = TAILQ_FIRST(&again->services);
	TAILQ_FOREACH(s1, &conf->services, entry) {
		ATF_CHECK_MSG(memcmp(&s1->conf, &s2->conf,
		    sizeof(s1->conf)) == 0, "service %s", s1->conf.name);
		same_hooks(s1->conf.name, &s1->hooks, &s1->checks,
		    &s1->tracks, &s2->hooks, &s2->checks, &s2->tracks);
		s2 = TAILQ_NEXT(s2, entry);
	}
	g2 = TAILQ_FIRST(&again->groups);
	TAILQ_FOREACH(g1, &conf->groups, entry) {
		ATF_REQUIRE(g2 != NULL);
		ATF_CHECK_STREQ(g1->name, g2->name);
		ATF_REQUIRE_EQ(g1->nmembers, g2->nmembers);
		for (i = 0; i < g1->nmembers; i++)
			ATF_CHECK_STREQ(g1->members[i], g2->members[i]);
		same_hooks(g1->name, &g1->hooks, &g1->checks, &g1->tracks,
		    &g2->hooks, &g2->checks, &g2->tracks);
		g2 = TAILQ_NEXT(g2, entry);
	}
	ATF_CHECK(g2 == NULL);
	/* What the settings resolved to, in the reread copy. */
	ATF_CHECK_STREQ(nth_grp(again, 0)->hooks.cmd[HOOK_DEMOTE],
	    "say \"down\" \\ now");
	ATF_CHECK_EQ(nth_grp(again, 0)->hooks.timeout, 12);
	ATF_CHECK_STREQ(nth_svc(again, 0)->hooks.user, "");
	ATF_CHECK_STREQ(nth_svc(again, 2)->hooks.user, "_h");
	ATF_CHECK_EQ(nth_svc(again, 1)->hooks.timeout, 30);
	ATF_CHECK_EQ(nth(again, 1)->group_leader, 1);
	config_free(conf);
	config_free(again);
}

/*
 * config_free() gives back everything the parser allocated, from good
 * configurations and from ones that fail half way, even in the middle
 * of a check line.  The sanitizer build asks LeakSanitizer after each
 * case; malloc's own statistics cannot tell, since glibc counts the
 * chunks in its per-thread cache as in use.
 */
ATF_TC_WITHOUT_HEAD(config_free_all);
ATF_TC_BODY(config_free_all, tc)
{
	const char	*texts[] = {
		"hook user \"_h\"\n"
		"group g { service a, b\non promote \"gp\"\non demote \"gd\"\n"
		"check \"gc\"\ncheck \"gc2\" every 9\ntrack interface e1\n"
		"track interface e2 }\n"
		"service a { interface eth0\nvhid 1\naddress 192.0.2.1\n"
		"on promote \"p\"\non demote \"d\"\non backup \"b\"\n"
		"on fault \"f\"\non stop \"s\"\ncheck \"c1\"\ncheck \"c2\"\n"
		"track interface eth1\ntrack interface eth2 }\n"
		"service b { interface eth0\nvhid 2\naddress 192.0.2.2\n"
		"on promote \"p\" }\n",
		/* fails at the end, everything parsed */
		"group g { service a, nothere\non promote \"gp\"\n"
		"check \"gc\"\ntrack interface e1 }\n"
		"service a { interface eth0\nvhid 1\naddress 192.0.2.1\n"
		"on promote \"p\"\ncheck \"c1\"\ntrack interface eth1 }\n",
		/* syntax errors inside hook, check and track lines */
		"service a { interface eth0\nvhid 1\naddress 192.0.2.1\n"
		"on promote \"p\"\ncheck \"c1\" every\ncheck \"c2\" { x\n"
		"on \"x\"\ntrack interface\n"
		"track interface e1 weight }\n"
		"group g { service a\non promote \"a\" \"b\"\ncheck \"x\" "
		"every 9 timeout\n",
		/* an unterminated block with hooks in it */
		"service a { interface eth0\nvhid 1\naddress 192.0.2.1\n"
		"on promote \"p\"\ncheck \"c1\"\n",
	};
	struct config	*conf;
	size_t		 i;

	log_init(1, LOG_DAEMON);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		write_file("test.conf", texts[i]);
		conf = parse_config("test.conf", 0);
		ATF_CHECK_EQ_MSG(conf != NULL, i == 0, "case %zu", i);
		config_free(conf);
#ifdef __SANITIZE_ADDRESS__
		ATF_CHECK_EQ_MSG(__lsan_do_recoverable_leak_check(), 0,
		    "case %zu leaks: see LeakSanitizer's report", i);
#endif
	}
}

/*
 * Soup of the new grammar, of words or of whole statements: whatever
 * parses holds together.  Every check ends before it is due again,
 * every group has members that are services and that know it, and its
 * first member alone leads.
 */
ATF_TC_WITHOUT_HEAD(garbage_hooks);
ATF_TC_BODY(garbage_hooks, tc)
{
	const char	*words[] = {
		"service a { interface eth0\nvhid 1\naddress 10.0.0.1 }\n",
		"service b { interface eth0\nvhid 2\naddress 10.0.0.2 }\n",
		"service c { interface eth1\nvhid 1\naddress 10.0.0.3 }\n",
		"group", "g", "h", "{", "}", "\n", "service", "a", "b", "c",
		",", "a,b", "on", "promote", "demote", "backup", "fault",
		"stop", "\"cmd\"", "\"\"", "hook", "timeout", "user", "check",
		"every", "weight", "rise", "fall", "track", "interface",
		"eth1", "0", "1", "2", "5", "254", "255", "3600", "-1",
		"include", "\"g.conf\"", "vhid", "#", "\\\n",
		"group g { service a\n", "on promote \"x\"\n",
		"check \"y\" every 4 timeout 3\n",
	};
	const char	*stmts[] = {
		"service a { interface eth0\nvhid 1\naddress 10.0.0.1 }",
		"service b { interface eth0\nvhid 2\naddress 10.0.0.2 }",
		"service c { interface eth1\nvhid 1\naddress 10.0.0.3\n"
		"on promote \"p\"\ntrack interface eth0 }",
		"group g { service a }", "group h { service b, c\n}",
		"group k { service c b\non demote \"d\" }",
		"group m { service a\ncheck \"y\" every 4 timeout 3 }",
		"hook timeout 9", "hook user \"_x\"", "",
	};
	const size_t	 nwords = sizeof(words) / sizeof(words[0]);
	const size_t	 nstmts = sizeof(stmts) / sizeof(stmts[0]);
	struct config			*conf;
	const struct service		*svc;
	const struct group_conf		*grp;
	const struct check_conf		*chk;
	const struct track_conf		*trk;
	const struct service_conf	*sc;
	FILE				*fp;
	size_t				 j;
	int				 i, k, n, parsed = 0, grouped = 0;

	srandom(2);
	log_init(1, LOG_DAEMON);
	for (i = 0; i < 400; i++) {
		ATF_REQUIRE((fp = fopen("g.conf", "w")) != NULL);
		n = random() % 60;
		if (i % 2 == 0) {
			/* Each statement or not, groups before or after. */
			n = random() % nstmts;
			for (j = 0; j < nstmts; j++) {
				if (random() % 2)
					continue;
				fputs(stmts[(j + n) % nstmts], fp);
				fputc('\n', fp);
			}
		} else {
			for (j = 0; j < (size_t)n; j++) {
				fputs(words[random() % nwords], fp);
				fputc(random() % 4 ? ' ' : '\n', fp);
			}
		}
		ATF_REQUIRE(fclose(fp) == 0);
		if ((conf = parse_config("g.conf", 0)) == NULL)
			continue;
		parsed++;
		TAILQ_FOREACH(svc, &conf->services, entry) {
			ATF_CHECK(svc->hooks.timeout >= 1 &&
			    svc->hooks.timeout <= HOOK_TIMEOUT_MAX);
			for (k = 0; k < HOOK_MAX; k++)
				ATF_CHECK(svc->hooks.cmd[k] == NULL ||
				    svc->hooks.cmd[k][0] != '\0');
			TAILQ_FOREACH(chk, &svc->checks, entry) {
				ATF_CHECK(chk->timeout >= 1 &&
				    chk->timeout < chk->every);
				ATF_CHECK(chk->weight >= 1 &&
				    chk->weight <= 254);
				ATF_CHECK(chk->cmd[0] != '\0');
			}
			TAILQ_FOREACH(trk, &svc->tracks, entry)
				ATF_CHECK(trk->weight >= 1 &&
				    trk->ifname[0] != '\0');
			if (svc->conf.group[0] == '\0')
				ATF_CHECK_EQ(svc->conf.group_leader, 0);
		}
		TAILQ_FOREACH(grp, &conf->groups, entry) {
			grouped++;
			ATF_CHECK(grp->nmembers >= 1 &&
			    grp->nmembers <= SERVICE_GROUP_MAX);
			ATF_CHECK(grp->hooks.cmd[HOOK_BACKUP] == NULL &&
			    grp->hooks.cmd[HOOK_FAULT] == NULL &&
			    grp->hooks.cmd[HOOK_STOP] == NULL);
			for (k = 0; k < grp->nmembers; k++) {
				sc = NULL;
				TAILQ_FOREACH(svc, &conf->services, entry)
					if (strcmp(svc->conf.name,
					    grp->members[k]) == 0)
						sc = &svc->conf;
				ATF_REQUIRE_MSG(sc != NULL, "member %s",
				    grp->members[k]);
				ATF_CHECK_STREQ(sc->group, grp->name);
				ATF_CHECK_EQ(sc->group_leader, k == 0);
			}
		}
		config_free(conf);
	}
	/* Else the invariants above were never looked at. */
	ATF_CHECK(parsed > 0);
	ATF_CHECK(grouped > 0);
}

/* Two lines at the top (0), in a service (1) or in a group (2). */
static void
place(char *text, size_t size, size_t where, const char *a, const char *b)
{
	int	len;

	if (where == 0)
		len = snprintf(text, size, "%s\n%s\n" MINIMAL, a, b);
	else if (where == 1)
		len = snprintf(text, size, "service web {\n\tinterface eth1\n"
		    "\tvhid 7\n\taddress 192.0.2.1/24\n\t%s\n\t%s\n}\n", a, b);
	else
		len = snprintf(text, size, MINIMAL "group g {\n\tservice web\n"
		    "\t%s\n\t%s\n}\n", a, b);
	ATF_REQUIRE(len > 0 && (size_t)len < size);
}

/*
 * Every setting that takes one value: once is accepted, twice in the
 * same place is refused, wherever the setting may go.  A new single
 * setting belongs in this table.
 */
ATF_TC_WITHOUT_HEAD(twice_refused);
ATF_TC_BODY(twice_refused, tc)
{
	static const struct {
		const char	*line;
		int		 where;		/* bits: 1 top, 2 service, 4 group */
	} once[] = {
		{ "user \"_x\"", 1 },
		{ "chroot \"/var/empty\"", 1 },
		{ "socket \"/run/x.sock\"", 1 },
		{ "state \"/var/lib/x\"", 1 },
		{ "advbase 1", 3 },
		{ "advskew 1", 3 },
		{ "preempt yes", 3 },
		{ "password \"p\"", 3 },
		{ "announce count 2", 3 },
		{ "announce interval 20", 3 },
		{ "hook timeout 9", 7 },
		{ "hook user \"_h\"", 7 },
		{ "interface eth0", 2 },
		{ "vhid 7", 2 },
	};
	struct config	*conf;
	char		 text[512];
	size_t		 i, w;

	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		for (w = 0; w < 3; w++) {
			if (!(once[i].where & (1 << w)))
				continue;
			/* The service template has its own interface, vhid. */
			if (w == 1 && (strncmp(once[i].line, "interface", 9) ==
			    0 || strncmp(once[i].line, "vhid", 4) == 0)) {
				place(text, sizeof(text), w, once[i].line,
				    "advskew 1");
				ATF_CHECK_MSG(parse_text(text) == NULL,
				    "%s twice in a service", once[i].line);
				continue;
			}
			place(text, sizeof(text), w, once[i].line, "");
			conf = parse_text(text);
			ATF_CHECK_MSG(conf != NULL, "%s once (%zu)",
			    once[i].line, w);
			config_free(conf);
			place(text, sizeof(text), w, once[i].line,
			    once[i].line);
			ATF_CHECK_MSG(parse_text(text) == NULL, "%s twice (%zu)",
			    once[i].line, w);
		}
	}
	ATF_CHECK(parse_text("service web {\n\tinterface eth0\n\tvhid 7\n"
	    "\taddress 192.0.2.1/24\n\tcheck \"true\" every 3 every 3\n}\n") ==
	    NULL);
}

/*
 * Many services: the checks across blocks, done with trees, still find
 * a vhid or an address used twice on one interface, and only there, and
 * a group member defined far from its group.
 */
ATF_TC_WITHOUT_HEAD(many_services);
ATF_TC_BODY(many_services, tc)
{
	struct config	*conf;
	char		*text, *p;
	size_t		 size = 4096 * 256, left;
	int		 i, n = 3000, len;
	const char	*extra[] = {
		/* vhid 1 on v0 again */
		"service dupvhid {\n\tinterface v0\n\tvhid 1\n"
		    "\taddress 172.16.0.1\n}\n",
		/* the address of s0 again, on its interface */
		"service dupaddr {\n\tinterface v0\n\tvhid 250\n"
		    "\taddress 10.0.0.1/8\n}\n",
		/* a name again */
		"service s17 {\n\tinterface w0\n\tvhid 1\n"
		    "\taddress 172.16.0.2\n}\n",
		/* a member that is not there */
		"group g2 {\n\tservice nosuch\n}\n",
		/* a member already in g */
		"group g2 {\n\tservice s2999\n}\n",
	};
	size_t		 e;

	ATF_REQUIRE((text = malloc(size)) != NULL);
	for (e = 0; e <= sizeof(extra) / sizeof(extra[0]); e++) {
		p = text;
		left = size;
		for (i = 0; i < n; i++) {
			len = snprintf(p, left, "service s%d {\n\tinterface "
			    "v%d\n\tvhid %d\n\taddress 10.%d.%d.%d/8\n}\n", i,
			    i / 200, i % 200 + 1, (i + 1) >> 16,
			    ((i + 1) >> 8) & 255, (i + 1) & 255);
			ATF_REQUIRE(len > 0 && (size_t)len < left);
			p += len;
			left -= len;
		}
		/* The same vhid and address on another interface. */
		len = snprintf(p, left, "service other {\n\tinterface w0\n"
		    "\tvhid 1\n\taddress 10.0.0.1/8\n}\n"
		    "group g {\n\tservice s2999 s0\n}\n%s",
		    e < sizeof(extra) / sizeof(extra[0]) ? extra[e] : "");
		ATF_REQUIRE(len > 0 && (size_t)len < left);
		conf = parse_text(text);
		if (e < sizeof(extra) / sizeof(extra[0])) {
			ATF_CHECK_MSG(conf == NULL, "extra %zu", e);
			continue;
		}
		ATF_REQUIRE(conf != NULL);
		ATF_CHECK_EQ(count(conf), n + 1);
		ATF_CHECK_STREQ(nth(conf, 0)->group, "g");
		ATF_CHECK_STREQ(nth(conf, n - 1)->group, "g");
		ATF_CHECK(nth(conf, n - 1)->group_leader);
		ATF_CHECK(!nth(conf, 0)->group_leader);
		config_free(conf);
	}
	free(text);
}

/*
 * protocol bundle: the interval (its own, the global one, or advbase's),
 * the key from the key file or else from the password, which a key file
 * replaces; a CARP service keeps no interval and no key.
 */
ATF_TC_WITHOUT_HEAD(bundle_fields);
ATF_TC_BODY(bundle_fields, tc)
{
	static const char	 secret[] = "0123456789abcdef-key";
	struct config		*conf;
	const struct service_conf *sc;
	struct bundle_key	 want, zero;

	ATF_REQUIRE(mkdir("sub", 0755) == 0);
	write_file("sub/k", secret);
	write_file("sub/inc.conf",
	    "service kf {\n\tinterface eth0\n\tvhid 1\n"
	    "\taddress 192.0.2.1/24\n\tkey file \"k\"\n}\n");
	conf = parse_text(
	    "protocol bundle\n"
	    "password \"global\"\n"
	    "include \"sub/inc.conf\"\n"
	    "service pw {\n\tinterface eth0\n\tvhid 2\n"
	    "\taddress 192.0.2.2/24\n\tinterval 5ms\n}\n"
	    "service ab {\n\tinterface eth0\n\tvhid 3\n"
	    "\taddress 192.0.2.3/24\n\tadvbase 3\n\tpassword \"\"\n}\n"
	    "service cp {\n\tinterface eth0\n\tvhid 4\n"
	    "\taddress 192.0.2.4/24\n\tprotocol carp\n}\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(conf->bundle_port, BUNDLE_PORT_DEFAULT);
	ATF_REQUIRE_EQ(count(conf), 4);

	sc = nth(conf, 0);
	ATF_CHECK_EQ(sc->protocol, PROTO_BUNDLE);
	ATF_CHECK_EQ(sc->interval, 1000);
	bundle_key_derive((const uint8_t *)secret, strlen(secret), &want);
	ATF_CHECK(memcmp(&sc->bkey, &want, sizeof(want)) == 0);
	/* the key file, relative to the file naming it, is the key */
	ATF_CHECK_EQ(sc->passlen, 0);
	ATF_CHECK_STREQ(nth_svc(conf, 0)->keyfile, "k");

	sc = nth(conf, 1);
	ATF_CHECK_EQ(sc->protocol, PROTO_BUNDLE);
	ATF_CHECK_EQ(sc->interval, 5);
	bundle_key_derive((const uint8_t *)"global", 6, &want);
	ATF_CHECK(memcmp(&sc->bkey, &want, sizeof(want)) == 0);
	ATF_CHECK_STREQ(nth_svc(conf, 1)->keyfile, "");

	sc = nth(conf, 2);
	ATF_CHECK_EQ(sc->interval, 3000);
	bundle_key_derive((const uint8_t *)"", 0, &want);
	ATF_CHECK(memcmp(&sc->bkey, &want, sizeof(want)) == 0);

	sc = nth(conf, 3);
	memset(&zero, 0, sizeof(zero));
	ATF_CHECK_EQ(sc->protocol, PROTO_CARP);
	ATF_CHECK_EQ(sc->interval, 0);
	ATF_CHECK(memcmp(&sc->bkey, &zero, sizeof(zero)) == 0);
	ATF_CHECK_EQ(sc->passlen, 6);
	config_free(conf);

	conf = parse_text("bundle port 9\n" MINIMAL);
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_EQ(conf->bundle_port, 9);
	ATF_CHECK_EQ(nth(conf, 0)->protocol, PROTO_CARP);
	config_free(conf);
}

/* Printed and read back, a bundle service is the same, key included. */
ATF_TC_WITHOUT_HEAD(bundle_print_roundtrip);
ATF_TC_BODY(bundle_print_roundtrip, tc)
{
	struct config		*conf, *again;
	const struct service	*s1, *s2;

	write_file("the.key", "sixteen bytes ok");
	conf = parse_text(
	    "bundle port 8200\n"
	    "service a {\n\tinterface eth0\n\tvhid 1\n"
	    "\taddress 192.0.2.1/24\n\tprotocol bundle\n"
	    "\tkey file \"the.key\"\n\tinterval 250ms\n}\n"
	    "service b {\n\tinterface eth0\n\tvhid 2\n"
	    "\taddress 192.0.2.2/24\n\tprotocol bundle\n"
	    "\tpassword \"pw\"\n\tadvbase 7\n}\n");
	ATF_REQUIRE(conf != NULL);
	print_to(conf, "printed.conf");
	log_init(1, LOG_DAEMON);
	ATF_REQUIRE((again = parse_config("printed.conf", 0)) != NULL);
	ATF_CHECK_EQ(again->bundle_port, 8200);
	ATF_REQUIRE_EQ(count(again), count(conf));
	s2 = TAILQ_FIRST(&again->services);
	TAILQ_FOREACH(s1, &conf->services, entry) {
		ATF_CHECK_MSG(memcmp(&s1->conf, &s2->conf,
		    sizeof(s1->conf)) == 0, "service %s", s1->conf.name);
		ATF_CHECK_STREQ(s1->keyfile, s2->keyfile);
		s2 = TAILQ_NEXT(s2, entry);
	}
	config_free(conf);
	config_free(again);
}

/*
 * Word soup of the bundle settings: a config that parses has a bundle
 * interval in range, and nothing of the bundle in a CARP service.
 */
ATF_TC_WITHOUT_HEAD(garbage_bundle);
ATF_TC_BODY(garbage_bundle, tc)
{
	const char	*words[] = {
		"service a { interface eth0\nvhid 1\naddress 10.0.0.1 }\n",
		"service b { interface eth0\nvhid 2\naddress 10.0.0.2\n",
		"}\n", "\n", "{", "}", "protocol", "bundle", "carp", "interval",
		"5ms", "1s", "0ms", "61s", "7", "\"9ms\"", "key", "file",
		"\"k\"", "\"nokey\"", "port", "8112", "0", "advbase",
		"advskew", "password", "\"pw\"", "announce", "count",
		"protocol bundle\n", "interval 2ms\n", "key file \"k\"\n",
	};
	const size_t		 nwords = sizeof(words) / sizeof(words[0]);
	struct bundle_key	 zero;
	struct config		*conf;
	const struct service	*svc;
	FILE			*fp;
	size_t			 j;
	int			 i, n, parsed = 0;

	memset(&zero, 0, sizeof(zero));
	write_file("k", "a key of more than sixteen bytes");
	srandom(2);
	log_init(1, LOG_DAEMON);
	for (i = 0; i < 400; i++) {
		ATF_REQUIRE((fp = fopen("g.conf", "w")) != NULL);
		n = random() % 40;
		for (j = 0; j < (size_t)n; j++) {
			fputs(words[random() % nwords], fp);
			fputc(random() % 4 ? ' ' : '\n', fp);
		}
		ATF_REQUIRE(fclose(fp) == 0);
		if ((conf = parse_config("g.conf", 0)) == NULL)
			continue;
		parsed++;
		ATF_CHECK(conf->bundle_port != 0);
		TAILQ_FOREACH(svc, &conf->services, entry) {
			if (svc->conf.protocol == PROTO_CARP) {
				ATF_CHECK_EQ(svc->conf.interval, 0);
				ATF_CHECK(memcmp(&svc->conf.bkey, &zero,
				    sizeof(zero)) == 0);
				ATF_CHECK_STREQ(svc->keyfile, "");
				continue;
			}
			ATF_CHECK_EQ(svc->conf.protocol, PROTO_BUNDLE);
			ATF_CHECK(svc->conf.interval >= BUNDLE_INTERVAL_MIN &&
			    svc->conf.interval <= BUNDLE_INTERVAL_MAX);
			ATF_CHECK(svc->keyfile[0] == '\0' ||
			    svc->conf.passlen == 0);
		}
		config_free(conf);
	}
	ATF_CHECK(parsed > 0);
}

/*
 * Sites (hafod.8, SITES): this node's site, and a service or group
 * across sites with its prefer list in order, failback, and the hooks
 * of the role.  What is not across sites has a zeroed line.
 */
#define SITES_HEAD	"quorum corosync\nsite \"east\"\n"

ATF_TC_WITHOUT_HEAD(sites_parsed);
ATF_TC_BODY(sites_parsed, tc)
{
	struct config			*conf;
	const struct service		*svc;
	const struct group_conf		*grp;
	const struct site_conf		*site;
	struct site_conf		 zero;

	memset(&zero, 0, sizeof(zero));
	conf = parse_text(MINIMAL);
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_STREQ(conf->site, "");
	ATF_CHECK(memcmp(&nth(conf, 0)->site, &zero, sizeof(zero)) == 0);
	config_free(conf);

	conf = parse_text(
	    "service db {\n\tinterface eth0\n\tvhid 1\n"
	    "\taddress 192.0.2.1/24\n"
	    "\ton controller \"/db primary\"\n"
	    "\tacross sites prefer west east failback\n"
	    "\ton standby \"/db replica\"\n}\n"
	    "service a { interface eth0\nvhid 2\naddress 192.0.2.2 }\n"
	    "service b { interface eth0\nvhid 3\naddress 192.0.2.3 }\n"
	    "group g {\n\tservice a b\n\tacross sites\n"
	    "\ton standby \"/g off\"\n}\n"
	    "service c { interface eth0\nvhid 4\naddress 192.0.2.4 }\n"
	    SITES_HEAD);
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_STREQ(conf->site, "east");
	svc = nth_svc(conf, 0);
	site = &svc->conf.site;
	ATF_CHECK_EQ(site->across, 1);
	ATF_CHECK_EQ(site->failback, 1);
	ATF_REQUIRE_EQ(site->nprefer, 2);
	ATF_CHECK_STREQ(site->prefer[0], "west");
	ATF_CHECK_STREQ(site->prefer[1], "east");
	ATF_REQUIRE(svc->hooks.cmd[HOOK_CONTROLLER] != NULL);
	ATF_CHECK_STREQ(svc->hooks.cmd[HOOK_CONTROLLER], "/db primary");
	ATF_REQUIRE(svc->hooks.cmd[HOOK_STANDBY] != NULL);
	ATF_CHECK_STREQ(svc->hooks.cmd[HOOK_STANDBY], "/db replica");
	ATF_CHECK_EQ(svc->conf.hookset,
	    (1U << HOOK_CONTROLLER) | (1U << HOOK_STANDBY));
	/* The members are not the entity: their lines stay zero. */
	ATF_CHECK(memcmp(&nth(conf, 1)->site, &zero, sizeof(zero)) == 0);
	ATF_CHECK(memcmp(&nth(conf, 2)->site, &zero, sizeof(zero)) == 0);
	ATF_CHECK(memcmp(&nth(conf, 3)->site, &zero, sizeof(zero)) == 0);
	grp = nth_grp(conf, 0);
	ATF_CHECK_EQ(grp->site.across, 1);
	ATF_CHECK_EQ(grp->site.failback, 0);
	ATF_CHECK_EQ(grp->site.nprefer, 0);
	ATF_CHECK(grp->hooks.cmd[HOOK_CONTROLLER] == NULL);
	ATF_REQUIRE(grp->hooks.cmd[HOOK_STANDBY] != NULL);
	ATF_CHECK_STREQ(grp->hooks.cmd[HOOK_STANDBY], "/g off");
	config_free(conf);
}

/*
 * Only "site" and "across" are keywords: a service may still be called
 * sites, prefer or failback; and a site may be called as a keyword when
 * quoted, as printconf writes it.
 */
ATF_TC_WITHOUT_HEAD(sites_words);
ATF_TC_BODY(sites_words, tc)
{
	struct config	*conf;

	conf = parse_text("quorum corosync\nsite \"service\"\n"
	    "service sites {\n\tinterface prefer\n\tvhid 1\n"
	    "\taddress 192.0.2.1/24\n"
	    "\tacross sites prefer \"yes\" \"site\" 12 failback\n}\n"
	    "service failback { interface eth0\nvhid 2\n"
	    "address 192.0.2.2 }\n");
	ATF_REQUIRE(conf != NULL);
	ATF_CHECK_STREQ(conf->site, "service");
	ATF_CHECK_STREQ(nth(conf, 0)->name, "sites");
	ATF_CHECK_STREQ(nth(conf, 0)->ifname, "prefer");
	ATF_REQUIRE_EQ(nth(conf, 0)->site.nprefer, 3);
	ATF_CHECK_STREQ(nth(conf, 0)->site.prefer[0], "yes");
	ATF_CHECK_STREQ(nth(conf, 0)->site.prefer[1], "site");
	ATF_CHECK_STREQ(nth(conf, 0)->site.prefer[2], "12");
	ATF_CHECK_STREQ(nth(conf, 1)->name, "failback");
	config_free(conf);
}

/* Each rule of the configuration of sites, refused alone. */
ATF_TC_WITHOUT_HEAD(sites_refused);
ATF_TC_BODY(sites_refused, tc)
{
	static const struct {
		const char	*why;
		const char	*text;
	} bad[] = {
		{ "site without quorum", "site \"east\"\n" MINIMAL },
		{ "site in error", "quorum corosync\nsite \"a b\"\n" MINIMAL },
		{ "empty site", "quorum corosync\nsite \"\"\n" MINIMAL },
		{ "site of 32 bytes", "quorum corosync\n"
		    "site abcdefghijklmnopqrstuvwxyz012345\n" MINIMAL },
		{ "site called failback", "quorum corosync\n"
		    "site failback\n" MINIMAL },
		{ "site twice", SITES_HEAD "site \"east\"\n" MINIMAL },
		{ "site in a service", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tsite \"west\"\n}\n" },
		{ "across sites without site", "quorum corosync\n"
		    "service web {\n\tinterface eth0\n\tvhid 7\n"
		    "\taddress 192.0.2.1/24\n\tacross sites\n}\n" },
		{ "across sites at the top", SITES_HEAD "across sites\n"
		    MINIMAL },
		{ "across alone", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross\n}\n" },
		{ "across site", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross site\n}\n" },
		{ "prefer empty", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites prefer failback\n}\n" },
		{ "prefer twice", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites prefer a prefer b\n}\n" },
		{ "prefer duplicate", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites prefer a b a\n}\n" },
		{ "prefer of nine", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites prefer a b c d e f g h i\n}\n" },
		{ "prefer bad name", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites prefer \"a/b\"\n}\n" },
		{ "after failback", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites failback prefer a\n}\n" },
		{ "across twice", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites\n\tacross sites\n}\n" },
		{ "member across", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites\n}\ngroup g { service web }\n" },
		{ "member across, group too", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\tacross sites\n}\n"
		    "group g {\n\tservice web\n\tacross sites\n}\n" },
		{ "controller hook alone", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\ton controller \"x\"\n}\n" },
		{ "standby hook alone", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\ton standby \"x\"\n}\n" },
		{ "group hook alone", SITES_HEAD MINIMAL
		    "group g {\n\tservice web\n\ton controller \"x\"\n}\n" },
		{ "member hook, group across", SITES_HEAD "service web {\n"
		    "\tinterface eth0\n\tvhid 7\n\taddress 192.0.2.1/24\n"
		    "\ton standby \"x\"\n}\n"
		    "group g {\n\tservice web\n\tacross sites\n}\n" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ATF_CHECK_MSG(parse_text(bad[i].text) == NULL, "%s: parsed",
		    bad[i].why);
}

/* What print_config() writes of sites reads back as the same. */
ATF_TC_WITHOUT_HEAD(sites_print_roundtrip);
ATF_TC_BODY(sites_print_roundtrip, tc)
{
	struct config			*conf, *again;
	const struct service		*s1, *s2;
	const struct group_conf		*g1, *g2;

	conf = parse_text(SITES_HEAD
	    "service db {\n\tinterface eth0\n\tvhid 1\n"
	    "\taddress 192.0.2.1/24\n"
	    "\tacross sites prefer \"yes\" east s3 s4 s5 s6 s7 s8 "
	    "failback\n"
	    "\ton controller \"/db primary\"\n\ton standby \"/db replica\"\n"
	    "}\n"
	    "service a { interface eth0\nvhid 2\naddress 192.0.2.2 }\n"
	    "group g {\n\tservice a\n\tacross sites prefer east\n"
	    "\ton controller \"/g on\"\n\ton promote \"/g up\"\n}\n");
	ATF_REQUIRE(conf != NULL);
	print_to(conf, "printed.conf");
	log_init(1, LOG_DAEMON);
	ATF_REQUIRE((again = parse_config("printed.conf", 0)) != NULL);
	ATF_CHECK_STREQ(again->site, conf->site);
	ATF_REQUIRE_EQ(count(again), count(conf));
	s2 = TAILQ_FIRST(&again->services);
	TAILQ_FOREACH(s1, &conf->services, entry) {
		ATF_CHECK_MSG(memcmp(&s1->conf, &s2->conf,
		    sizeof(s1->conf)) == 0, "service %s", s1->conf.name);
		same_hooks(s1->conf.name, &s1->hooks, &s1->checks,
		    &s1->tracks, &s2->hooks, &s2->checks, &s2->tracks);
		s2 = TAILQ_NEXT(s2, entry);
	}
	ATF_CHECK_STREQ(nth(again, 0)->site.prefer[0], "yes");
	g1 = nth_grp(conf, 0);
	g2 = nth_grp(again, 0);
	ATF_CHECK(memcmp(&g1->site, &g2->site, sizeof(g1->site)) == 0);
	same_hooks(g1->name, &g1->hooks, &g1->checks, &g1->tracks,
	    &g2->hooks, &g2->checks, &g2->tracks);
	config_free(conf);
	config_free(again);
}

/*
 * Word soup of sites: a config that parses keeps every rule, whatever
 * was said in what order.
 */
ATF_TC_WITHOUT_HEAD(garbage_sites);
ATF_TC_BODY(garbage_sites, tc)
{
	const char	*words[] = {
		"service a { interface eth0\nvhid 1\naddress 10.0.0.1 }\n",
		"service b { interface eth0\nvhid 2\naddress 10.0.0.2\n",
		"group g { service a\n", "}\n", "\n", "{", "}",
		"quorum corosync\n", "site", "\"east\"", "west", "\"\"",
		"across", "sites", "site", "prefer", "failback", "east",
		"west", "s3", "\"a b\"", "on", "controller", "standby",
		"promote", "\"cmd\"", "across sites\n",
		"across sites prefer east west failback\n",
		"on controller \"c\"\n", "on standby \"s\"\n",
		"site east\n", "service", "a", "b",
		"quorum corosync\nsite east\n",
		"service c { interface eth1\nvhid 3\naddress 10.0.0.3\n",
		"group h { service b\n",
	};
	const char	*stmts[] = {
		"quorum corosync", "site east",
		"service a { interface eth0\nvhid 1\naddress 10.0.0.1\n"
		"across sites prefer east west failback\n"
		"on controller \"c\" }",
		"service b { interface eth0\nvhid 2\naddress 10.0.0.2\n"
		"across sites }",
		"service c { interface eth1\nvhid 1\naddress 10.0.0.3 }",
		"service d { interface eth1\nvhid 2\naddress 10.0.0.4\n"
		"on standby \"s\" }",
		"group g { service c\nacross sites\non standby \"s\" }",
		"group h { service b }", "",
	};
	const size_t		 nstmts = sizeof(stmts) / sizeof(stmts[0]);
	const size_t		 nwords = sizeof(words) / sizeof(words[0]);
	struct config		*conf;
	const struct service	*svc;
	const struct group_conf	*grp;
	const struct site_conf	*site;
	FILE			*fp;
	size_t			 j;
	int			 i, k, l, n, parsed = 0, across = 0;

	srandom(3);
	log_init(1, LOG_DAEMON);
	for (i = 0; i < 600; i++) {
		ATF_REQUIRE((fp = fopen("g.conf", "w")) != NULL);
		n = random() % 40;
		if (i % 2 == 0) {
			/* Each statement or not, the site before or after. */
			n = random() % nstmts;
			for (j = 0; j < nstmts; j++) {
				if (random() % 2)
					continue;
				fputs(stmts[(j + n) % nstmts], fp);
				fputc('\n', fp);
			}
		} else {
			for (j = 0; j < (size_t)n; j++) {
				fputs(words[random() % nwords], fp);
				fputc(random() % 4 ? ' ' : '\n', fp);
			}
		}
		ATF_REQUIRE(fclose(fp) == 0);
		if ((conf = parse_config("g.conf", 0)) == NULL)
			continue;
		parsed++;
		ATF_CHECK(conf->site[0] == '\0' || conf->quorum);
		TAILQ_FOREACH(svc, &conf->services, entry) {
			site = &svc->conf.site;
			if (!site->across) {
				ATF_CHECK(svc->hooks.cmd[HOOK_CONTROLLER] ==
				    NULL && svc->hooks.cmd[HOOK_STANDBY] ==
				    NULL);
				continue;
			}
			across++;
			ATF_CHECK(conf->site[0] != '\0');
			ATF_CHECK_STREQ(svc->conf.group, "");
			ATF_CHECK(site->nprefer <= SITES_MAX);
			for (k = 0; k < site->nprefer; k++)
				for (l = 0; l < k; l++)
					ATF_CHECK(strcmp(site->prefer[k],
					    site->prefer[l]) != 0);
		}
		TAILQ_FOREACH(grp, &conf->groups, entry) {
			if (!grp->site.across) {
				ATF_CHECK(grp->hooks.cmd[HOOK_CONTROLLER] ==
				    NULL && grp->hooks.cmd[HOOK_STANDBY] ==
				    NULL);
				continue;
			}
			across++;
			ATF_CHECK(conf->site[0] != '\0');
		}
		config_free(conf);
	}
	ATF_CHECK(parsed > 0);
	ATF_CHECK(across > 0);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, defaults_resolved);
	ATF_TP_ADD_TC(tp, globals_applied);
	ATF_TP_ADD_TC(tp, quorum_setting);
	ATF_TP_ADD_TC(tp, override_order);
	ATF_TP_ADD_TC(tp, ids_in_order);
	ATF_TP_ADD_TC(tp, addresses);
	ATF_TP_ADD_TC(tp, cmdline_symset_parsing);
	ATF_TP_ADD_TC(tp, cmdline_overrides_file);
	ATF_TP_ADD_TC(tp, macros_per_file);
	ATF_TP_ADD_TC(tp, failure_returns_null);
	ATF_TP_ADD_TC(tp, include_depth);
	ATF_TP_ADD_TC(tp, print_roundtrip);
	ATF_TP_ADD_TC(tp, garbage);
	ATF_TP_ADD_TC(tp, hooks_parsed);
	ATF_TP_ADD_TC(tp, hooks_default);
	ATF_TP_ADD_TC(tp, hook_defaults_order);
	ATF_TP_ADD_TC(tp, group_resolution);
	ATF_TP_ADD_TC(tp, group_max);
	ATF_TP_ADD_TC(tp, hooks_failure_returns_null);
	ATF_TP_ADD_TC(tp, print_roundtrip_hooks);
	ATF_TP_ADD_TC(tp, config_free_all);
	ATF_TP_ADD_TC(tp, garbage_hooks);
	ATF_TP_ADD_TC(tp, twice_refused);
	ATF_TP_ADD_TC(tp, many_services);
	ATF_TP_ADD_TC(tp, bundle_fields);
	ATF_TP_ADD_TC(tp, bundle_print_roundtrip);
	ATF_TP_ADD_TC(tp, garbage_bundle);
	ATF_TP_ADD_TC(tp, sites_parsed);
	ATF_TP_ADD_TC(tp, sites_words);
	ATF_TP_ADD_TC(tp, sites_refused);
	ATF_TP_ADD_TC(tp, sites_print_roundtrip);
	ATF_TP_ADD_TC(tp, garbage_sites);
	return (atf_no_error());
}
