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

static void			 write_file(const char *, const char *);
static struct config		*parse_text(const char *);
static const struct service_conf *nth(const struct config *, int);
static int			 count(const struct config *);
static struct hafod_addr	 addr(const char *, int);
static void			 print_to(const struct config *, const char *);

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

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, defaults_resolved);
	ATF_TP_ADD_TC(tp, globals_applied);
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
	return (atf_no_error());
}
