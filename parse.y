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

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/tree.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"

#define MAXTOKEN	8192	/* bytes of one token, NUL included */
#define MAXINCLUDE	16	/* include nesting below the top file */
#define CHECK_SEC_MAX	3600	/* check every and timeout */
#define CHECK_COUNT_MAX	100	/* check rise and fall */

/*
 * Values in the unget buffer that no byte can take: the bounds of an
 * expanded macro, so that a value is never expanded again (a = "$a"
 * must not loop), and a NUL byte already reported.
 */
#define START_EXPAND	(UCHAR_MAX + 1)
#define DONE_EXPAND	(UCHAR_MAX + 2)
#define BADCHAR		(UCHAR_MAX + 3)

TAILQ_HEAD(files, file);
struct file {
	TAILQ_ENTRY(file)	 entry;
	FILE			*stream;
	char			*name;
	dev_t			 dev;
	ino_t			 ino;
	int			*ungetbuf;
	size_t			 ungetpos;
	size_t			 ungetsize;
	int			 lineno;
	int			 lastc;		/* last byte read */
	int			 nulline;	/* line of the last NUL */
	int			 eof_reached;
};

struct keywords {
	const char	*k_name;
	int		 k_val;
};

static struct files	 files = TAILQ_HEAD_INITIALIZER(files);
/*
 * Files read to their end: their names stay until the parse is over, for
 * the messages that name where a block or a setting was.
 */
static struct files	 closed = TAILQ_HEAD_INITIALIZER(closed);
static struct file	*file, *topfile;
static int		 depth;		/* includes open below topfile */
static int		 errors;
static int		 expanding;
static int		 lexerror;	/* yylex reported this token */
static char		 tokdesc[64];	/* the last token, for messages */

static struct file	*pushfile(const char *);
static int		 popfile(void);
static int		 yyerror(const char *, ...)
			    __attribute__((__format__ (printf, 1, 2)));
static void		 verrorat(const char *, int, const char *, va_list)
			    __attribute__((__format__ (printf, 3, 0)));
static void		 errorat(const char *, int, const char *, ...)
			    __attribute__((__format__ (printf, 3, 4)));
static void		 parser_error(const char *);
static int		 kw_cmp(const void *, const void *);
static const struct keywords *lookup(const char *);
static int		 iskeyword(const char *);
static int		 igetc(void);
static int		 lgetc(int);
static void		 lungetc(int);
static int		 findeol(void);
static void		 settok(const char *, size_t);
static void		 quote(char *, size_t, const char *, size_t);
static int		 isword(int);
static int		 isnumber(const char *, long long *);
static int		 isdigits(const char *);

/* byacc reports its own errors through this. */
#define YYERROR_CALL(msg)	parser_error(msg)

TAILQ_HEAD(symhead, sym);
struct sym {
	TAILQ_ENTRY(sym)	 entry;
	int			 persist;	/* -D: the file cannot undo */
	char			*name;
	char			*val;
};
static struct symhead	 symhead = TAILQ_HEAD_INITIALIZER(symhead);

static int		 symset(const char *, const char *, int);
static char		*symget(const char *);
static int		 macro_name_ok(const char *);

/*
 * The settings a service may take from the global defaults.  What a
 * service does not set itself is resolved at the end of the file, since
 * the defaults may come after it.
 */
#define SET_ADVBASE	0x01
#define SET_ADVSKEW	0x02
#define SET_PREEMPT	0x04
#define SET_PASS	0x08
#define SET_ACOUNT	0x10
#define SET_AINTERVAL	0x20
#define SET_HTIMEOUT	0x40
#define SET_HUSER	0x80
#define SET_HANDOVER	0x100
#define SET_PROTOCOL	0x200
#define SET_INTERVAL	0x400

struct settings {
	unsigned int		 set;
	uint8_t			 advbase;
	uint8_t			 advskew;
	uint8_t			 preempt;
	uint8_t			 passlen;
	char			 pass[CARP_KEY_LEN];
	uint16_t		 announce_count;
	uint32_t		 announce_interval;
	uint32_t		 hook_timeout;
	char			 hook_user[LOGIN_NAME_MAX];
	uint8_t			 handover;	/* HANDOVER_* */
	uint8_t			 protocol;	/* PROTO_* */
	uint32_t		 interval;	/* ms */
};

/*
 * The settings that take one value.  A second one in the same block, or
 * at the top of the configuration, is an error that names both lines:
 * the last one silently winning hides a typo or an edit gone wrong.
 */
enum once_key {
	ONCE_ADVBASE,
	ONCE_ADVSKEW,
	ONCE_PREEMPT,
	ONCE_PASSWORD,
	ONCE_ACOUNT,
	ONCE_AINTERVAL,
	ONCE_HTIMEOUT,
	ONCE_HUSER,
	ONCE_INTERFACE,
	ONCE_VHID,
	ONCE_USER,
	ONCE_CHROOT,
	ONCE_SOCKET,
	ONCE_STATE,
	ONCE_QUORUM,
	ONCE_VMAC,
	ONCE_HBSOCKET,
	ONCE_HANDOVER,
	ONCE_PROTOCOL,
	ONCE_INTERVAL,
	ONCE_KEYFILE,
	ONCE_BPORT,
	ONCE_SITE,
	ONCE_ACROSS,
	ONCE_MAX
};

static const char *const once_names[ONCE_MAX] = {
	"advbase", "advskew", "preempt", "password", "announce count",
	"announce interval", "hook timeout", "hook user", "interface",
	"vhid", "user", "chroot", "socket", "state", "quorum", "vmac",
	"heartbeat socket", "handover", "protocol", "interval", "key file",
	"bundle port", "site", "across sites"
};

/* Where each was first given; line 0: not yet. */
struct once {
	const char		*file[ONCE_MAX];
	int			 line[ONCE_MAX];
};

/* The options of one check line, each given once as well. */
enum chkopt_key {
	CHKOPT_EVERY,
	CHKOPT_TIMEOUT,
	CHKOPT_WEIGHT,
	CHKOPT_RISE,
	CHKOPT_FALL,
	CHKOPT_MAX
};

static const char *const chkopt_names[CHKOPT_MAX] = {
	"check every", "check timeout", "check weight", "check rise",
	"check fall"
};

/* The options of one heartbeat line, each given once as well. */
enum hbopt_key {
	HBOPT_TTL,
	HBOPT_WEIGHT,
	HBOPT_USER,
	HBOPT_MAX
};

static const char *const hbopt_names[HBOPT_MAX] = {
	"heartbeat ttl", "heartbeat weight", "heartbeat user"
};

/*
 * What a service block and a group block share: hooks, checks and
 * tracked interfaces, and the events given, so that a second "on" for
 * one event is refused even when the first was wrong.
 */
struct blkparse {
	const char		*kind;		/* service or group */
	const char		*name;
	const char		*file;		/* where the block is */
	int			 group;
	int			 acrossline;	/* across sites, even wrong */
	unsigned int		 events;	/* bit per hook_event */
	int			 evline[HOOK_MAX]; /* where each was given */
	int			 pfline;	/* on promote failure; 0: not */
	int			 ffline;	/* on fence failure; 0: not */
	struct hooks_conf	*hooks;
	struct check_head	*checks;
	struct track_head	*tracks;
	struct site_conf	*site;
};

/*
 * A service while it is parsed: where things were said, for messages,
 * and what was said at all, even if wrongly, so that a bad vhid is not
 * also reported missing.
 */
#define GIVEN_INTERFACE	0x01
#define GIVEN_VHID	0x02
#define GIVEN_ADDRESS	0x04
#define GIVEN_MEMBER	0x08

struct svcparse {
	TAILQ_ENTRY(svcparse)	 entry;
	RB_ENTRY(svcparse)	 byname;
	RB_ENTRY(svcparse)	 byvhid;
	struct service		*svc;
	const char		*name;		/* svc->conf.name */
	struct settings		 opts;
	struct once		 once;
	struct blkparse		 blk;
	unsigned int		 given;
	const char		*file;
	int			 lineno;
	int			 keyline;	/* key file read; 0: none */
	int			 vipline[SERVICE_VIPS_MAX];
	int			 peerline[SERVICE_PEERS_MAX];
	struct vipnode		*vipnodes;	/* one per address */
};
TAILQ_HEAD(svcparse_head, svcparse);

/* An address of a service, in the tree of every address on its link. */
struct vipnode {
	RB_ENTRY(vipnode)	 entry;
	struct svcparse		*sp;
	int			 idx;		/* in sp's vips */
};

/* A group while it is parsed; its members are resolved at the end. */
struct grpparse {
	TAILQ_ENTRY(grpparse)	 entry;
	RB_ENTRY(grpparse)	 byname;
	struct group_conf	*grp;
	const char		*name;		/* grp->name */
	struct settings		 opts;		/* hook settings only */
	struct once		 once;
	struct blkparse		 blk;
	unsigned int		 given;
	int			 badname;	/* invalid or repeated */
	const char		*file;
	int			 lineno;
	int			 memberline[SERVICE_GROUP_MAX];
};
TAILQ_HEAD(grpparse_head, grpparse);

/*
 * What a block is checked against, looked up in trees rather than by
 * walking every block before it, so that checking n services takes
 * n log n: the services and groups by name, the vhids and the addresses
 * by interface.  Only the first of a name, vhid or address is in a tree;
 * a repeated one is an error that names the first.
 */
RB_HEAD(svc_names, svcparse);
RB_HEAD(svc_vhids, svcparse);
RB_HEAD(vip_addrs, vipnode);
RB_HEAD(grp_names, grpparse);

static int	 svc_name_cmp(struct svcparse *, struct svcparse *);
static int	 svc_vhid_cmp(struct svcparse *, struct svcparse *);
static int	 vip_cmp(struct vipnode *, struct vipnode *);
static int	 grp_name_cmp(struct grpparse *, struct grpparse *);

/* libbsd leaves __unused undefined, since Linux headers use the name. */
#define __unused	__attribute__((__unused__))
RB_GENERATE_STATIC(svc_names, svcparse, byname, svc_name_cmp)
RB_GENERATE_STATIC(svc_vhids, svcparse, byvhid, svc_vhid_cmp)
RB_GENERATE_STATIC(vip_addrs, vipnode, entry, vip_cmp)
RB_GENERATE_STATIC(grp_names, grpparse, byname, grp_name_cmp)
#undef __unused

static struct svc_names		 svcnames = RB_INITIALIZER(&svcnames);
static struct svc_vhids		 svcvhids = RB_INITIALIZER(&svcvhids);
static struct vip_addrs		 vipaddrs = RB_INITIALIZER(&vipaddrs);
static struct grp_names		 grpnames = RB_INITIALIZER(&grpnames);

static struct config		*conf;
static struct settings		 defaults;
static struct once		 globonce;	/* the top of the file */
static struct svcparse_head	 svcs = TAILQ_HEAD_INITIALIZER(svcs);
static struct svcparse		*cursvc;
static struct grpparse_head	 grps = TAILQ_HEAD_INITIALIZER(grps);
static struct grpparse		*curgrp;
static uint32_t			 nservices;

/*
 * The check being parsed: its options come one by one after the
 * command.  No memory of its own, so a line abandoned on a syntax error
 * leaves nothing behind.
 */
static struct check_conf	 newcheck;
static int			 newcheck_bad;	/* option out of range */
static int			 newcheck_timeout; /* timeout given */
static int			 newcheck_line[CHKOPT_MAX];

/* The heartbeat being parsed, as the check is. */
static struct heartbeat_conf	 newhb;
static int			 newhb_bad;
static int			 newhb_line[HBOPT_MAX];

/*
 * A number with too many digits for a long long, as written, so that it
 * is reported out of range for its field rather than as no number.
 */
static char			 numtext[32];

static int			 nincargs;	/* words after include */

/* The options of "on promote failure demote", each given once. */
static uint32_t			 pfhold, pflimit;
static int			 pfbad, pfgiven;

/*
 * The words after "quorum", read one by one: only "quorum" is a keyword,
 * as the events of hooks are not, so that a service may still be called
 * "fast" or "strict".  The first mistake is kept to be reported once the
 * line is over, after "given twice"; nothing is allocated, so a line
 * abandoned on a syntax error leaves nothing behind.
 */
static int			 nquorum;	/* words after quorum */
static uint8_t			 quorum_policy;
static char			 quorum_error[128];
static int			 afterunknown;	/* the line before was */

/*
 * The words after "across", read as those after "quorum": "sites",
 * "prefer" and "failback" are no keywords, so that they still name
 * services.  The first mistake is kept for the end of the line.
 */
enum across_at {
	ACROSS_SITES,		/* "sites" comes next */
	ACROSS_OPTS,		/* prefer or failback may come */
	ACROSS_PREFER,		/* in the names after prefer */
	ACROSS_FAILBACK,	/* failback ends the line */
};
static int			 nacross;	/* words after across */
static enum across_at		 across_at;
static struct site_conf		 newsite;
static char			 across_error[160];

static struct settings	*curset(void);
static int		 once(enum once_key);
static int		 once_at(const char *, const char **, int *);
static int		 chkopt_once(enum chkopt_key);
static struct blkparse	*curblk(void);
static int		 name_check(const char *, const char *);
static int		 ifname_check(const char *);
static int		 cmd_check(const char *, const char *);
static void		 blk_init(struct blkparse *, const char *,
			    const char *, struct hooks_conf *,
			    struct check_head *, struct track_head *,
			    struct site_conf *);
static void		 svc_begin(const char *);
static void		 svc_end(void);
static void		 svc_resolve(struct svcparse *);
static void		 svc_interface(const char *);
static void		 grp_begin(const char *);
static void		 grp_end(void);
static void		 grp_members(const char *);
static void		 grp_member(const char *);
static void		 grp_resolve(struct grpparse *);
static void		 hooks_resolve(struct hooks_conf *,
			    const struct settings *);
static void		 hooks_free(struct hooks_conf *, struct check_head *,
			    struct track_head *);
static void		 blk_hook(const char *, const char *);
static void		 blk_pfail(const char *, const char *, const char *);
static void		 pfail_opt(const char *, long long);
static void		 blk_ffail(const char *);
static void		 svc_handover(struct service *);
static void		 blk_check(const char *);
static void		 blk_track(const char *, long long);
static void		 svc_heartbeat(const char *);
static int		 hbopt_once(enum hbopt_key);
static long long	 ttl_value(const char *);
static void		 hb_user(const char *);
static void		 svc_address(const char *);
static void		 svc_peer(const char *);
static const char	*parse_addr(const char *, struct hafod_addr *, int);
static int		 advertise_af(const struct service_conf *);
static int		 check_range(const char *, long long, long long,
			    long long);
static void		 set_path(char *, size_t, const char *, const char *);
static void		 quorum_word(const char *);
static void		 quorum_end(void);
static int		 site_name_check(const char *, char *, size_t);
static void		 site_set(const char *);
static void		 across_word(const char *);
static void		 across_end(void);
static void		 blk_site_hooks(const struct blkparse *);
static void		 blk_sites(const struct blkparse *, const char *);
static long long	 interval_value(const char *);
static void		 svc_keyfile(const char *);
static int		 keyfile_read(const char *, uint8_t *, size_t,
			    size_t *);
static void		 svc_protocol(struct svcparse *);
static void		 globals_check(void);

/* yacc requires the typedef. */
typedef struct {
	union {
		long long	 number;
		char		*string;
		const char	*keyword;
	} v;
	int lineno;
} YYSTYPE;
#define YYSTYPE_IS_DECLARED 1

%}

%token	<v.keyword>	ADDRESS ADVBASE ADVSKEW ANNOUNCE CHECK CHROOT
%token	<v.keyword>	COUNT EVERY FALL GROUP HEARTBEAT HOOK INCLUDE
%token	<v.keyword>	INTERFACE INTERVAL NO ON PASSWORD PEER PREEMPT QUORUM
%token	<v.keyword>	RISE SERVICE SOCKET STATE TIMEOUT TRACK TTL USER VHID
%token	<v.keyword>	VMAC WEIGHT YES HANDOVER BUNDLE KEY PROTOCOL
%token	<v.keyword>	ACROSS SITE
%token	ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.string>	string include incargs anyword
%type	<v.number>	number yesno trackweight ttl
%type	<v.keyword>	anykw globalkw servicekw blockkw groupkw
%destructor		{ free($$); } <v.string>

%%

/*
 * A statement that goes wrong is skipped to the end of its line, or to
 * the brace that closes its block, so that what follows is still read
 * and its errors reported, each once.
 */
grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'		{
			struct file	*nfile;

			/* Read in place of the line, now that it is over. */
			if ($2 != NULL && (nfile = pushfile($2)) != NULL) {
				file = nfile;
				lungetc('\n');
			}
			free($2);
			afterunknown = 0;
		}
		| grammar varset '\n'		{ afterunknown = 0; }
		| grammar main '\n'		{ afterunknown = 0; }
		| grammar unknown '\n'		{ afterunknown = 1; }
		| grammar unknown '{' skip '}' '\n' { afterunknown = 0; }
		| grammar '{'			{
			/* "servics web" with the brace on the next line. */
			if (!afterunknown)
				yyerror("\"{\" without \"service\" or \"group\" "
				    "before it");
		} skip '}' '\n'			{ afterunknown = 0; }
		| grammar service '\n'		{ afterunknown = 0; }
		| grammar group '\n'		{ afterunknown = 0; }
		| grammar error '\n'		{
			cursvc = NULL;
			curgrp = NULL;
			afterunknown = 0;
			yyerrok;
		}
		| grammar error '{' skip '}' '\n' {
			cursvc = NULL;
			curgrp = NULL;
			afterunknown = 0;
			yyerrok;
		}
		;

/* The name alone; the file is read once the line is over. */
include		: INCLUDE incargs		{
			if (nincargs != 1) {
				yyerror("include takes one file name");
				free($2);
				$$ = NULL;
			} else
				$$ = $2;
		}
		;

incargs		: /* empty */			{
			nincargs = 0;
			$$ = NULL;
		}
		| incargs string		{
			if (nincargs++ == 0)
				$$ = $2;
			else {
				free($2);
				$$ = $1;
			}
		}
		;

sargs		: /* empty */			{
			nacross = 0;
			across_at = ACROSS_SITES;
			memset(&newsite, 0, sizeof(newsite));
			across_error[0] = '\0';
		}
		| sargs string			{
			across_word($2);
			free($2);
		}
		;

qargs		: /* empty */			{
			nquorum = 0;
			quorum_policy = QUORUM_POLICY_FAST;
			quorum_error[0] = '\0';
		}
		| qargs string			{
			quorum_word($2);
			free($2);
		}
		;

string		: STRING
		| NUMBER			{
			if (asprintf(&$$, "%lld", $1) == -1)
				fatal("%s", __func__);
		}
		;

number		: NUMBER			{
			numtext[0] = '\0';
			$$ = $1;
		}
		| STRING			{
			numtext[0] = '\0';
			/* Quoted digits, or digits with leading zeros. */
			if (isnumber($1, &$$))
				;
			else if (isdigits($1)) {
				/* Out of range of any field: let it say so. */
				snprintf(numtext, sizeof(numtext), "%.24s%s",
				    $1, strlen($1) > 24 ? "..." : "");
				$$ = $1[0] == '-' ? LLONG_MIN : LLONG_MAX;
			} else {
				yyerror("expected a number, not \"%s\"", $1);
				YYERROR;
			}
			free($1);
		}
		;

yesno		: YES				{ $$ = 1; }
		| NO				{ $$ = 0; }
		| STRING			{
			yyerror("expected yes or no, not \"%s\"", $1);
			YYERROR;
		}
		;

varset		: STRING '=' string		{
			if (!macro_name_ok($1))
				yyerror("invalid macro name \"%s\"", $1);
			else if (symset($1, $3, 0) == -1)
				fatal("%s", __func__);
			free($1);
			free($3);
		}
		;

main		: USER string			{
			if (once(ONCE_USER) == -1)
				;
			else if ($2[0] == '\0')
				yyerror("user name is empty");
			else if (strlcpy(conf->user, $2, sizeof(conf->user)) >=
			    sizeof(conf->user))
				yyerror("user name too long (at most %zu "
				    "bytes)", sizeof(conf->user) - 1);
			free($2);
		}
		| CHROOT string			{
			if (once(ONCE_CHROOT) == 0)
				set_path(conf->chroot, sizeof(conf->chroot),
				    $2, "chroot");
			free($2);
		}
		| SOCKET string			{
			/* The socket's path must fit its address. */
			if (once(ONCE_SOCKET) == 0)
				set_path(conf->socket,
				    sizeof(((struct sockaddr_un *)0)->sun_path),
				    $2, "socket");
			free($2);
		}
		| STATE string			{
			if (once(ONCE_STATE) == 0)
				set_path(conf->state, sizeof(conf->state), $2,
				    "state");
			free($2);
		}
		| QUORUM qargs			{ quorum_end(); }
		| SITE string			{
			if (once(ONCE_SITE) == 0)
				site_set($2);
			free($2);
		}
		| BUNDLE STRING number		{
			if (strcmp($2, "port") != 0)
				yyerror("expected \"bundle port NUMBER\", not "
				    "\"bundle %s\"", $2);
			else if (once(ONCE_BPORT) == 0 &&
			    check_range("bundle port", $3, 1, 65535) == 0)
				conf->bundle_port = $3;
			free($2);
		}
		| HEARTBEAT SOCKET string	{
			if (once(ONCE_HBSOCKET) == 0)
				set_path(conf->heartbeat,
				    sizeof(((struct sockaddr_un *)0)->sun_path),
				    $3, "heartbeat socket");
			free($3);
		}
		| HEARTBEAT string words	{
			yyerror("\"heartbeat %s\" is only valid inside a "
			    "service block", $2);
			free($2);
		}
		| setting
		| hooksetting
		| servicekw			{
			yyerror("\"%s\" is only valid inside a service block",
			    $1);
			YYERROR;
		}
		| blockkw			{
			yyerror("\"%s\" is only valid inside a service or "
			    "group block", $1);
			YYERROR;
		}
		;

/* At the top, where a block may follow: it is skipped, unread. */
unknown		: STRING words			{
			yyerror("unknown keyword \"%s\"", $1);
			free($1);
		}
		;

setting		: ADVBASE number		{
			if (once(ONCE_ADVBASE) == 0 &&
			    check_range("advbase", $2, 0, 255) == 0) {
				curset()->advbase = $2;
				curset()->set |= SET_ADVBASE;
			}
		}
		| ADVSKEW number		{
			if (once(ONCE_ADVSKEW) == 0 &&
			    check_range("advskew", $2, 0,
			    CARP_ADVSKEW_MAX) == 0) {
				curset()->advskew = $2;
				curset()->set |= SET_ADVSKEW;
			}
		}
		| PREEMPT yesno			{
			if (once(ONCE_PREEMPT) == 0) {
				curset()->preempt = $2;
				curset()->set |= SET_PREEMPT;
			}
		}
		| PASSWORD string		{
			struct settings	*s = curset();
			size_t		 len = strlen($2);

			if (once(ONCE_PASSWORD) == -1)
				;
			else if (len > CARP_PASS_MAX)
				yyerror("password too long (%zu bytes, at most "
				    "%d)", len, CARP_PASS_MAX);
			else {
				memset(s->pass, 0, sizeof(s->pass));
				memcpy(s->pass, $2, len);
				s->passlen = len;
				s->set |= SET_PASS;
			}
			explicit_bzero($2, len);
			free($2);
		}
		| ANNOUNCE annopts
		| PROTOCOL BUNDLE		{
			if (once(ONCE_PROTOCOL) == 0) {
				curset()->protocol = PROTO_BUNDLE;
				curset()->set |= SET_PROTOCOL;
			}
		}
		| PROTOCOL STRING		{
			if (once(ONCE_PROTOCOL) == -1)
				;
			else if (strcmp($2, "carp") == 0) {
				curset()->protocol = PROTO_CARP;
				curset()->set |= SET_PROTOCOL;
			} else
				yyerror("expected \"protocol carp\" or "
				    "\"protocol bundle\", not \"%s\"", $2);
			free($2);
		}
		| INTERVAL NUMBER		{
			if (once(ONCE_INTERVAL) == 0)
				yyerror("interval %lld: give a unit, %lldms or "
				    "%llds", $2, $2, $2);
		}
		| INTERVAL STRING		{
			long long	 ms;

			if (once(ONCE_INTERVAL) == 0 &&
			    (ms = interval_value($2)) != -1) {
				curset()->interval = ms;
				curset()->set |= SET_INTERVAL;
			}
			free($2);
		}
		;

/* Global defaults, or the settings of one service or group. */
hooksetting	: HOOK TIMEOUT number		{
			if (once(ONCE_HTIMEOUT) == 0 &&
			    check_range("hook timeout", $3, 1,
			    HOOK_TIMEOUT_MAX) == 0) {
				curset()->hook_timeout = $3;
				curset()->set |= SET_HTIMEOUT;
			}
		}
		| HOOK USER string		{
			struct settings	*s = curset();
			size_t		 len = strlen($3);

			if (once(ONCE_HUSER) == -1)
				;
			else if (len >= sizeof(s->hook_user))
				yyerror("hook user name too long (%zu bytes, "
				    "at most %zu)", len,
				    sizeof(s->hook_user) - 1);
			else {
				strlcpy(s->hook_user, $3,
				    sizeof(s->hook_user));
				s->set |= SET_HUSER;
			}
			free($3);
		}
		| HANDOVER STRING		{
			struct settings	*s = curset();

			if (once(ONCE_HANDOVER) == -1)
				;
			else if (strcmp($2, "exclusive") == 0 ||
			    strcmp($2, "overlap") == 0) {
				s->handover = strcmp($2, "exclusive") == 0 ?
				    HANDOVER_EXCLUSIVE : HANDOVER_OVERLAP;
				s->set |= SET_HANDOVER;
			} else
				yyerror("expected \"handover exclusive\" or "
				    "\"handover overlap\", not \"%s\"", $2);
			free($2);
		}
		;

/* What a service block and a group block both take. */
blockopt	: ON string string		{
			blk_hook($2, $3);
			free($2);
			free($3);
		}
		| ON string string string pfopts {
			blk_pfail($2, $3, $4);
			free($2);
			free($3);
			free($4);
		}
		| CHECK string checkopts	{
			blk_check($2);
			free($2);
		}
		| TRACK INTERFACE string trackweight {
			blk_track($3, $4);
			free($3);
		}
		| TRACK STRING words		{
			yyerror("expected \"track interface NAME\", not "
			    "\"track %s\"", $2);
			free($2);
		}
		| ACROSS sargs			{ across_end(); }
		| ACROSS SITE words		{
			/* "site" is a keyword: not a word of sargs. */
			nacross = 1;
			strlcpy(across_error, "expected \"across sites\", not "
			    "\"across site\"", sizeof(across_error));
			across_end();
		}
		;

pfopts		: /* empty */			{
			pfhold = HOLDDOWN_DEFAULT;
			pflimit = HOLDDOWN_LIMIT_DEFAULT;
			pfbad = pfgiven = 0;
		}
		| pfopts STRING number		{
			pfail_opt($2, $3);
			free($2);
		}
		;

checkopts	: /* empty */			{
			memset(&newcheck, 0, sizeof(newcheck));
			newcheck.every = CHECK_EVERY_DEFAULT;
			newcheck.timeout = CHECK_TIMEOUT_DEFAULT;
			newcheck.weight = WEIGHT_DEFAULT;
			newcheck.rise = CHECK_RISE_DEFAULT;
			newcheck.fall = CHECK_FALL_DEFAULT;
			newcheck_bad = 0;
			newcheck_timeout = 0;
			memset(newcheck_line, 0, sizeof(newcheck_line));
		}
		| checkopts checkopt
		;

checkopt	: EVERY number			{
			if (chkopt_once(CHKOPT_EVERY) == -1 ||
			    check_range("check every", $2, 1,
			    CHECK_SEC_MAX) == -1)
				newcheck_bad = 1;
			else
				newcheck.every = $2;
		}
		| TIMEOUT number		{
			newcheck_timeout = 1;
			if (chkopt_once(CHKOPT_TIMEOUT) == -1 ||
			    check_range("check timeout", $2, 1,
			    CHECK_SEC_MAX) == -1)
				newcheck_bad = 1;
			else
				newcheck.timeout = $2;
		}
		| WEIGHT number			{
			if (chkopt_once(CHKOPT_WEIGHT) == -1 ||
			    check_range("check weight", $2, 1,
			    CARP_ADVSKEW_MAX) == -1)
				newcheck_bad = 1;
			else
				newcheck.weight = $2;
		}
		| RISE number			{
			if (chkopt_once(CHKOPT_RISE) == -1 ||
			    check_range("check rise", $2, 1,
			    CHECK_COUNT_MAX) == -1)
				newcheck_bad = 1;
			else
				newcheck.rise = $2;
		}
		| FALL number			{
			if (chkopt_once(CHKOPT_FALL) == -1 ||
			    check_range("check fall", $2, 1,
			    CHECK_COUNT_MAX) == -1)
				newcheck_bad = 1;
			else
				newcheck.fall = $2;
		}
		;

hbopts		: /* empty */			{
			memset(&newhb, 0, sizeof(newhb));
			newhb.ttl = HEARTBEAT_TTL_DEFAULT;
			newhb.weight = WEIGHT_DEFAULT;
			newhb.uid = 0;
			newhb_bad = 0;
			memset(newhb_line, 0, sizeof(newhb_line));
		}
		| hbopts hbopt
		;

hbopt		: TTL ttl			{
			if (hbopt_once(HBOPT_TTL) == -1 || $2 == -1 ||
			    check_range("heartbeat ttl", $2,
			    HEARTBEAT_TTL_MIN, HEARTBEAT_TTL_MAX) == -1)
				newhb_bad = 1;
			else
				newhb.ttl = $2;
		}
		| WEIGHT number			{
			if (hbopt_once(HBOPT_WEIGHT) == -1 ||
			    check_range("heartbeat weight", $2, 1,
			    CARP_ADVSKEW_MAX) == -1)
				newhb_bad = 1;
			else
				newhb.weight = $2;
		}
		| USER string			{
			if (hbopt_once(HBOPT_USER) == -1)
				newhb_bad = 1;
			else
				hb_user($2);
			free($2);
		}
		;

/* Milliseconds, or a number with "ms" or "s" after it. */
ttl		: NUMBER			{
			numtext[0] = '\0';
			$$ = $1;
		}
		| STRING			{
			numtext[0] = '\0';
			$$ = ttl_value($1);
			free($1);
		}
		;

trackweight	: /* empty */			{ $$ = WEIGHT_DEFAULT; }
		| WEIGHT number			{
			if (check_range("track weight", $2, 1,
			    CARP_ADVSKEW_MAX) == 0)
				$$ = $2;
			else
				$$ = -1;
		}
		;

annopts		: annopt
		| annopts annopt
		;

annopt		: COUNT number			{
			if (once(ONCE_ACOUNT) == 0 &&
			    check_range("announce count", $2, 1,
			    ANNOUNCE_COUNT_MAX) == 0) {
				curset()->announce_count = $2;
				curset()->set |= SET_ACOUNT;
			}
		}
		| INTERVAL number		{
			if (once(ONCE_AINTERVAL) == 0 &&
			    check_range("announce interval", $2, 1,
			    ANNOUNCE_INTERVAL_MAX) == 0) {
				curset()->announce_interval = $2;
				curset()->set |= SET_AINTERVAL;
			}
		}
		;

service		: svchead optnl svcbody		{ svc_end(); }
		| svchead headjunk optnl svcbody { svc_end(); }
		;

svchead		: SERVICE string		{
			svc_begin($2);
			free($2);
		}
		;

/*
 * Words between the name of a block and its brace: the first is named,
 * and the block is read as if they were not there.
 */
headjunk	: anyword			{
			struct blkparse	*b = curblk();

			yyerror("%s %s: unexpected \"%s\" after the name",
			    b->kind, b->name, $1);
			free($1);
		}
		| headjunk anyword		{ free($2); }
		;

anyword		: STRING
		| NUMBER			{
			if (asprintf(&$$, "%lld", $1) == -1)
				fatal("%s", __func__);
		}
		| anykw				{
			if (($$ = strdup($1)) == NULL)
				fatal("%s", __func__);
		}
		;

/* Newlines between options; the last may share its line with '}'. */
svcbody		: '{' optnl svclist '}'
		| '{' optnl svclist svcopt '}'
		| '{' optnl svclist error '}'	{ yyerrok; }
		;

svclist		: /* empty */
		| svclist svcopt nl
		| svclist error nl		{ yyerrok; }
		;

svcopt		: INTERFACE string		{
			svc_interface($2);
			free($2);
		}
		| VHID				{
			/* Given, even if the number turns out wrong. */
			cursvc->given |= GIVEN_VHID;
		} number			{
			if (once(ONCE_VHID) == 0 &&
			    check_range("vhid", $3, 1, 255) == 0)
				cursvc->svc->conf.vhid = $3;
		}
		| ADDRESS string		{
			svc_address($2);
			free($2);
		}
		| PEER string			{
			svc_peer($2);
			free($2);
		}
		| VMAC yesno			{
			if (once(ONCE_VMAC) == 0)
				cursvc->svc->conf.vmac = $2;
		}
		| KEY STRING string		{
			if (strcmp($2, "file") != 0)
				yyerror("expected \"key file PATH\", not "
				    "\"key %s\"", $2);
			else if (once(ONCE_KEYFILE) == 0)
				svc_keyfile($3);
			free($2);
			free($3);
		}
		| HEARTBEAT string hbopts	{
			svc_heartbeat($2);
			free($2);
		}
		| HEARTBEAT SOCKET words	{
			yyerror("\"heartbeat socket\" is not valid inside a "
			    "service block");
		}
		| setting
		| hooksetting
		| blockopt
		| globalkw			{
			yyerror("\"%s\" is not valid inside a service block",
			    $1);
			YYERROR;
		}
		| STRING words			{
			yyerror("unknown keyword \"%s\"", $1);
			free($1);
		}
		;

group		: grphead optnl grpbody		{ grp_end(); }
		| grphead headjunk optnl grpbody { grp_end(); }
		;

grphead		: GROUP string			{
			grp_begin($2);
			free($2);
		}
		;

/* Laid out as a service block is. */
grpbody		: '{' optnl grplist '}'
		| '{' optnl grplist grpopt '}'
		| '{' optnl grplist error '}'	{ yyerrok; }
		;

grplist		: /* empty */
		| grplist grpopt nl
		| grplist error nl		{ yyerrok; }
		;

grpopt		: SERVICE members
		| hooksetting
		| HEARTBEAT words		{
			yyerror("\"heartbeat\" is only valid inside a service "
			    "block: give it to a member, whose demotion is the "
			    "group's");
		}
		| blockopt
		| groupkw			{
			yyerror("\"%s\" is not valid inside a group block",
			    $1);
			YYERROR;
		}
		| STRING words			{
			yyerror("unknown keyword \"%s\"", $1);
			free($1);
		}
		;

members		: member
		| members member
		;

member		: string			{
			grp_members($1);
			free($1);
		}
		;

/* Whatever follows an unknown keyword, so that only it is reported. */
words		: /* empty */
		| words word
		;

word		: STRING			{ free($1); }
		| NUMBER
		| anykw
		;

/* The inside of a block skipped after an error, to its closing brace. */
skip		: /* empty */
		| skip skipitem
		;

skipitem	: word
		| '\n'
		| '='
		| ERROR
		| '{' skip '}'
		;

anykw		: ADDRESS | ADVBASE | ADVSKEW | ANNOUNCE | CHECK | CHROOT
		| COUNT | EVERY | FALL | GROUP | HEARTBEAT | HOOK | INCLUDE
		| INTERFACE | INTERVAL | NO | ON | PASSWORD | PEER | PREEMPT
		| QUORUM | RISE | SERVICE | SOCKET | STATE | TIMEOUT | TRACK
		| TTL | USER | VHID | VMAC | WEIGHT | YES | HANDOVER
		| BUNDLE | KEY | PROTOCOL | ACROSS | SITE
		;

globalkw	: BUNDLE | CHROOT | GROUP | INCLUDE | QUORUM | SERVICE | SITE
		| SOCKET | STATE | USER
		;

servicekw	: ADDRESS | INTERFACE | KEY | PEER | VHID | VMAC
		;

blockkw		: ACROSS | CHECK | ON | TRACK
		;

/* A group has members and hooks, not the settings of an election. */
groupkw		: ADDRESS | ADVBASE | ADVSKEW | ANNOUNCE | BUNDLE | CHROOT
		| GROUP | INCLUDE | INTERFACE | INTERVAL | KEY | PASSWORD
		| PEER | PREEMPT | PROTOCOL | QUORUM | SITE | SOCKET | STATE
		| USER | VHID | VMAC
		;

nl		: '\n' optnl
		;

optnl		: /* empty */
		| optnl '\n'
		;

%%

static void
verrorat(const char *name, int lineno, const char *fmt, va_list ap)
{
	char	*msg;

	errors++;
	if (vasprintf(&msg, fmt, ap) == -1)
		fatal("%s", __func__);
	log_warnx("%s:%d: %s", name, lineno, msg);
	free(msg);
}

static void
errorat(const char *name, int lineno, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verrorat(name, lineno, fmt, ap);
	va_end(ap);
}

/* At the line of the token just read. */
static int
yyerror(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	verrorat(file->name, yylval.lineno, fmt, ap);
	va_end(ap);
	return (0);
}

/*
 * A token the lexer rejected was reported there, and the syntax error
 * that follows says nothing more.
 */
static void
parser_error(const char *msg)
{
	if (strcmp(msg, "syntax error") != 0)
		yyerror("%s", msg);
	else if (lexerror)
		errors++;
	else
		yyerror("syntax error at %s", tokdesc);
}

static int
kw_cmp(const void *k, const void *e)
{
	return (strcmp(k, ((const struct keywords *)e)->k_name));
}

static const struct keywords *
lookup(const char *s)
{
	/* Sorted: bsearch. */
	static const struct keywords keywords[] = {
		{ "across",	ACROSS },
		{ "address",	ADDRESS },
		{ "advbase",	ADVBASE },
		{ "advskew",	ADVSKEW },
		{ "announce",	ANNOUNCE },
		{ "bundle",	BUNDLE },
		{ "check",	CHECK },
		{ "chroot",	CHROOT },
		{ "count",	COUNT },
		{ "every",	EVERY },
		{ "fall",	FALL },
		{ "group",	GROUP },
		{ "handover",	HANDOVER },
		{ "heartbeat",	HEARTBEAT },
		{ "hook",	HOOK },
		{ "include",	INCLUDE },
		{ "interface",	INTERFACE },
		{ "interval",	INTERVAL },
		{ "key",	KEY },
		{ "no",		NO },
		{ "on",		ON },
		{ "password",	PASSWORD },
		{ "peer",	PEER },
		{ "preempt",	PREEMPT },
		{ "protocol",	PROTOCOL },
		{ "quorum",	QUORUM },
		{ "rise",	RISE },
		{ "service",	SERVICE },
		{ "site",	SITE },
		{ "socket",	SOCKET },
		{ "state",	STATE },
		{ "timeout",	TIMEOUT },
		{ "track",	TRACK },
		{ "ttl",	TTL },
		{ "user",	USER },
		{ "vhid",	VHID },
		{ "vmac",	VMAC },
		{ "weight",	WEIGHT },
		{ "yes",	YES },
	};

	return (bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp));
}

static int
iskeyword(const char *s)
{
	return (lookup(s) != NULL);
}

/* One character of the file, or of what was pushed back or expanded. */
static int
igetc(void)
{
	int	c;

	for (;;) {
		if (file->ungetpos > 0)
			c = file->ungetbuf[--file->ungetpos];
		else {
			c = getc(file->stream);
			if (c == EOF) {
				if (ferror(file->stream)) {
					errorat(file->name, file->lineno,
					    "read error: %s", strerror(errno));
					clearerr(file->stream);
					file->eof_reached = 1;
				}
				return (EOF);
			}
			file->lastc = c;
			if (c == '\0') {
				/* Once a line is enough to say so. */
				if (file->nulline != file->lineno) {
					file->nulline = file->lineno;
					errorat(file->name, file->lineno,
					    "NUL byte in input");
				}
				return (BADCHAR);
			}
		}
		if (c == START_EXPAND)
			expanding = 1;
		else if (c == DONE_EXPAND)
			expanding = 0;
		else
			return (c);
	}
}

/*
 * The next character for the lexer: line continuations removed, a last
 * line without a newline given one, and a finished include left for the
 * file that included it.  Inside quotes (quotec set) the caller sees
 * every byte and the end of the file.
 */
static int
lgetc(int quotec)
{
	int	c, next;

	if (quotec)
		return (igetc());

	while ((c = igetc()) == '\\') {
		next = igetc();
		if (next != '\n') {
			lungetc(next);
			break;
		}
		file->lineno++;
	}

	if (c == EOF) {
		if (!file->eof_reached) {
			file->eof_reached = 1;
			if (file->lastc != '\n' && file->lastc != EOF)
				return ('\n');
		}
		while (c == EOF) {
			if (file == topfile || popfile() == EOF)
				return (EOF);
			c = igetc();
		}
	}
	return (c);
}

static void
lungetc(int c)
{
	int	*p;
	size_t	 n;

	if (c == EOF)
		return;
	if (file->ungetpos >= file->ungetsize) {
		n = file->ungetsize ? file->ungetsize * 2 : 64;
		if ((p = reallocarray(file->ungetbuf, n, sizeof(*p))) == NULL)
			fatal("%s", __func__);
		file->ungetbuf = p;
		file->ungetsize = n;
	}
	file->ungetbuf[file->ungetpos++] = c;
}

/*
 * After an error in a token: skip the rest of the line but leave its
 * newline, on which the grammar's error rules resynchronise.
 */
static int
findeol(void)
{
	int	c;

	while ((c = lgetc(0)) != '\n' && c != EOF)
		;
	lungetc(c);
	lexerror = 1;
	return (ERROR);
}

/* Remember the token for "syntax error at ...", quoted and bounded. */
static void
settok(const char *s, size_t len)
{
	quote(tokdesc, sizeof(tokdesc), s, len);
}

/*
 * Quoted for a message, bytes that do not print as \xNN, cut to fit
 * dst (at least 9 bytes) with "...".
 */
static void
quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t	i, n = 0;
	int	c;

	dst[n++] = '"';
	for (i = 0; i < len && n < size - 8; i++) {
		c = (unsigned char)s[i];
		if (isprint(c))
			dst[n++] = c;
		else
			n += snprintf(dst + n, size - n, "\\x%02x", c);
	}
	if (i < len)
		n += strlcpy(dst + n, "...", size - n);
	dst[n++] = '"';
	dst[n] = '\0';
}

/* A byte of an unquoted word. */
static int
isword(int c)
{
	if (c < 0 || c > UCHAR_MAX || !isgraph(c))
		return (0);
	return (strchr("{}=#\"'", c) == NULL);
}

/* Decimal digits, perhaps negative, that fit a long long. */
static int
isnumber(const char *s, long long *n)
{
	const char	*p = s, *errstr;

	if (*p == '-')
		p++;
	if (*p == '\0')
		return (0);
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return (0);
	*n = strtonum(s, LLONG_MIN, LLONG_MAX, &errstr);
	return (errstr == NULL);
}

/* Decimal digits, perhaps negative, however many. */
static int
isdigits(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '\0')
		return (0);
	while (isdigit((unsigned char)*s))
		s++;
	return (*s == '\0');
}

/*
 * The lexer is one loop over characters in the pf and bgpd shape:
 * macros, quotes, comments, numbers and words, each a few lines of the
 * same switch.  Longer than our other functions on purpose: split, the
 * state it shares (the buffer, the quote, the macro expansion) would
 * have to cross function boundaries for no gain in reading.
 */
int
yylex(void)
{
	const struct keywords	*kw;
	char			 buf[MAXTOKEN];
	char			*p, *val;
	long long		 n;
	size_t			 i;
	int			 quotec, next, c;

	lexerror = 0;
top:
	p = buf;
	while ((c = lgetc(0)) == ' ' || c == '\t' || c == '\r')
		;

	yylval.lineno = file->lineno;
	if (c == '#')
		while ((c = lgetc(0)) != '\n' && c != EOF)
			;
	if (c == '$' && !expanding) {
		while ((c = lgetc(0)) != EOF && c >= 0 && c <= UCHAR_MAX &&
		    (isalnum(c) || c == '_')) {
			if (p + 1 >= buf + sizeof(buf)) {
				yyerror("macro name too long");
				return (findeol());
			}
			*p++ = c;
		}
		lungetc(c);
		*p = '\0';
		if (p == buf) {
			yyerror("macro name expected after \"$\"");
			return (findeol());
		}
		if ((val = symget(buf)) == NULL) {
			yyerror("macro \"%s\" is not defined", buf);
			return (findeol());
		}
		lungetc(DONE_EXPAND);
		for (i = strlen(val); i > 0; i--)
			lungetc((unsigned char)val[i - 1]);
		lungetc(START_EXPAND);
		goto top;
	}

	switch (c) {
	case '\'':
	case '"':
		quotec = c;
		for (;;) {
			c = lgetc(quotec);
			if (c == EOF || c == '\n') {
				yyerror("unterminated quoted string");
				lungetc(c);
				return (findeol());
			}
			if (c == BADCHAR)
				return (findeol());
			if (c == '\\') {
				next = lgetc(quotec);
				if (next == '\n') {
					file->lineno++;
					continue;
				}
				if (next == quotec || next == '\\')
					c = next;
				else
					lungetc(next);
			} else if (c == quotec)
				break;
			if (p + 1 >= buf + sizeof(buf)) {
				yyerror("string too long (at most %d bytes)",
				    MAXTOKEN - 1);
				return (findeol());
			}
			*p++ = c;
		}
		*p = '\0';
		settok(buf, p - buf);
		if ((yylval.v.string = strdup(buf)) == NULL)
			fatal("%s", __func__);
		return (STRING);
	}

	if (isword(c)) {
		do {
			if (p + 1 >= buf + sizeof(buf)) {
				yyerror("token too long (at most %d bytes)",
				    MAXTOKEN - 1);
				return (findeol());
			}
			*p++ = c;
		} while ((c = lgetc(0)) != EOF && isword(c));
		lungetc(c);
		*p = '\0';
		settok(buf, p - buf);
		if ((kw = lookup(buf)) != NULL) {
			/* "user = ..." can only be meant as a macro. */
			while ((c = lgetc(0)) == ' ' || c == '\t')
				;
			lungetc(c);
			if (c == '=') {
				yyerror("macro name \"%s\" is a keyword", buf);
				return (findeol());
			}
			yylval.v.keyword = kw->k_name;
			return (kw->k_val);
		}
		if (isnumber(buf, &n) && (buf[0] != '0' || buf[1] == '\0') &&
		    strncmp(buf, "-0", 2) != 0) {
			/* Only where the digits print back the same. */
			yylval.v.number = n;
			return (NUMBER);
		}
		if ((yylval.v.string = strdup(buf)) == NULL)
			fatal("%s", __func__);
		return (STRING);
	}

	switch (c) {
	case '\n':
		strlcpy(tokdesc, "end of line", sizeof(tokdesc));
		file->lineno++;
		break;
	case EOF:
		strlcpy(tokdesc, "end of file", sizeof(tokdesc));
		/* The last line, not the one after it. */
		yylval.lineno = file->lineno > 1 ? file->lineno - 1 : 1;
		return (0);
	case BADCHAR:
		return (findeol());
	default:
		buf[0] = c;
		settok(buf, 1);
		break;
	}
	return (c);
}

static struct file *
pushfile(const char *path)
{
	struct file	*nfile, *f;
	struct stat	 st;
	const char	*slash, *why;
	char		*name;
	int		 fd;

	if (topfile != NULL && depth >= MAXINCLUDE) {
		yyerror("include nesting deeper than %d", MAXINCLUDE);
		return (NULL);
	}
	/* Relative includes are relative to the including file. */
	if (topfile == NULL || path[0] == '/' ||
	    (slash = strrchr(file->name, '/')) == NULL)
		name = strdup(path);
	else if (asprintf(&name, "%.*s/%s", (int)(slash - file->name),
	    file->name, path) == -1)
		name = NULL;
	if (name == NULL)
		fatal("%s", __func__);

	/*
	 * Only a regular file: a device such as /dev/zero never ends and a
	 * FIFO may never open, and either would hang a reload in the parent.
	 */
	why = NULL;
	if ((fd = open(name, O_RDONLY | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	if (why != NULL) {
		if (topfile == NULL)
			log_warnx("%s: %s", name, why);
		else
			yyerror("cannot open %s: %s", name, why);
		if (fd != -1)
			close(fd);
		free(name);
		return (NULL);
	}
	TAILQ_FOREACH(f, &files, entry) {
		if (f->dev == st.st_dev && f->ino == st.st_ino) {
			yyerror("include loop: %s is already being read",
			    name);
			close(fd);
			free(name);
			return (NULL);
		}
	}
	if ((nfile = calloc(1, sizeof(*nfile))) == NULL ||
	    (nfile->stream = fdopen(fd, "r")) == NULL)
		fatal("%s", __func__);
	nfile->name = name;
	nfile->dev = st.st_dev;
	nfile->ino = st.st_ino;
	/* An include starts with the newline that ends its include line. */
	nfile->lineno = topfile == NULL ? 1 : 0;
	nfile->lastc = EOF;
	if (topfile != NULL)
		depth++;
	TAILQ_INSERT_TAIL(&files, nfile, entry);
	return (nfile);
}

static int
popfile(void)
{
	struct file	*prev;

	prev = TAILQ_PREV(file, files, entry);
	TAILQ_REMOVE(&files, file, entry);
	fclose(file->stream);
	free(file->ungetbuf);
	file->ungetbuf = NULL;
	TAILQ_INSERT_TAIL(&closed, file, entry);
	file = prev;
	if (file != NULL && depth > 0)
		depth--;
	return (file != NULL ? 0 : EOF);
}

/* Every file-static of a parse, fresh for the next one. */
static int
parse_begin(int opts)
{
	if ((conf = calloc(1, sizeof(*conf))) == NULL) {
		log_warn("%s", __func__);
		return (-1);
	}
	strlcpy(conf->user, HAFOD_USER, sizeof(conf->user));
	strlcpy(conf->chroot, HAFOD_CHROOT, sizeof(conf->chroot));
	strlcpy(conf->socket, HAFOD_SOCKET, sizeof(conf->socket));
	strlcpy(conf->state, HAFOD_STATE, sizeof(conf->state));
	strlcpy(conf->heartbeat, HAFOD_HEARTBEAT, sizeof(conf->heartbeat));
	conf->opts = opts;
	conf->bundle_port = BUNDLE_PORT_DEFAULT;
	TAILQ_INIT(&conf->services);
	TAILQ_INIT(&conf->groups);

	memset(&defaults, 0, sizeof(defaults));
	defaults.advbase = CARP_ADVBASE_DEFAULT;
	defaults.advskew = CARP_ADVSKEW_DEFAULT;
	defaults.announce_count = ANNOUNCE_COUNT_DEFAULT;
	defaults.announce_interval = ANNOUNCE_INTERVAL_DEFAULT;
	defaults.hook_timeout = HOOK_TIMEOUT_DEFAULT;
	memset(&globonce, 0, sizeof(globonce));
	errors = 0;
	expanding = 0;
	depth = 0;
	nservices = 0;
	afterunknown = 0;
	cursvc = NULL;
	curgrp = NULL;
	topfile = NULL;
	RB_INIT(&svcnames);
	RB_INIT(&svcvhids);
	RB_INIT(&vipaddrs);
	RB_INIT(&grpnames);
	return (0);
}

/* What only the parse needed goes, secrets wiped; -D macros stay. */
static void
parse_end(void)
{
	struct svcparse	*sp;
	struct grpparse	*gp;
	struct sym	*sym, *next;
	struct file	*f;

	RB_INIT(&svcnames);
	RB_INIT(&svcvhids);
	RB_INIT(&vipaddrs);
	RB_INIT(&grpnames);
	while ((sp = TAILQ_FIRST(&svcs)) != NULL) {
		TAILQ_REMOVE(&svcs, sp, entry);
		explicit_bzero(&sp->opts, sizeof(sp->opts));
		free(sp->vipnodes);
		free(sp);
	}
	while ((gp = TAILQ_FIRST(&grps)) != NULL) {
		TAILQ_REMOVE(&grps, gp, entry);
		free(gp);
	}
	while ((f = TAILQ_FIRST(&closed)) != NULL) {
		TAILQ_REMOVE(&closed, f, entry);
		free(f->name);
		free(f);
	}
	memset(&globonce, 0, sizeof(globonce));
	cursvc = NULL;
	curgrp = NULL;
	explicit_bzero(&defaults, sizeof(defaults));
	TAILQ_FOREACH_SAFE(sym, &symhead, entry, next) {
		if (sym->persist)
			continue;
		TAILQ_REMOVE(&symhead, sym, entry);
		free(sym->name);
		free(sym->val);
		free(sym);
	}
}

struct config *
parse_config(const char *filename, int opts)
{
	struct svcparse	*sp;
	struct grpparse	*gp;

	if (parse_begin(opts) == -1)
		return (NULL);
	if ((file = pushfile(filename)) == NULL) {
		config_free(conf);
		return (NULL);
	}
	topfile = file;

	if (yyparse() != 0)
		errors++;

	/* An aborted parse may leave includes open. */
	while (file != NULL)
		popfile();
	topfile = NULL;

	/*
	 * Now the defaults are known, whatever their place in the file,
	 * and every service, whether before or after its group.
	 */
	globals_check();
	TAILQ_FOREACH(sp, &svcs, entry)
		svc_resolve(sp);
	TAILQ_FOREACH(gp, &grps, entry)
		grp_resolve(gp);
	TAILQ_FOREACH(sp, &svcs, entry)
		blk_sites(&sp->blk, sp->svc->conf.group);
	TAILQ_FOREACH(gp, &grps, entry)
		blk_sites(&gp->blk, NULL);
	parse_end();

	if (errors) {
		config_free(conf);
		conf = NULL;
		return (NULL);
	}
	return (conf);
}

void
config_free(struct config *c)
{
	struct service		*svc;
	struct group_conf	*grp;

	if (c == NULL)
		return;
	while ((svc = TAILQ_FIRST(&c->services)) != NULL) {
		TAILQ_REMOVE(&c->services, svc, entry);
		hooks_free(&svc->hooks, &svc->checks, &svc->tracks);
		explicit_bzero(svc, sizeof(*svc));
		free(svc);
	}
	while ((grp = TAILQ_FIRST(&c->groups)) != NULL) {
		TAILQ_REMOVE(&c->groups, grp, entry);
		hooks_free(&grp->hooks, &grp->checks, &grp->tracks);
		free(grp);
	}
	free(c);
}

static void
hooks_free(struct hooks_conf *hooks, struct check_head *checks,
    struct track_head *tracks)
{
	struct check_conf	*chk;
	struct track_conf	*trk;
	int			 i;

	for (i = 0; i < HOOK_MAX; i++) {
		free(hooks->cmd[i]);
		hooks->cmd[i] = NULL;
	}
	while ((chk = TAILQ_FIRST(checks)) != NULL) {
		TAILQ_REMOVE(checks, chk, entry);
		free(chk->cmd);
		free(chk);
	}
	while ((trk = TAILQ_FIRST(tracks)) != NULL) {
		TAILQ_REMOVE(tracks, trk, entry);
		free(trk);
	}
}

static int
macro_name_ok(const char *s)
{
	const char	*p;

	if (*s == '\0' || iskeyword(s))
		return (0);
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return (0);
	return (1);
}

static int
symset(const char *name, const char *val, int persist)
{
	struct sym	*sym;
	char		*v;

	TAILQ_FOREACH(sym, &symhead, entry)
		if (strcmp(name, sym->name) == 0)
			break;
	if (sym != NULL) {
		if (sym->persist && !persist)
			return (0);
		if ((v = strdup(val)) == NULL)
			return (-1);
		free(sym->val);
		sym->val = v;
		sym->persist = persist;
		return (0);
	}
	if ((sym = calloc(1, sizeof(*sym))) == NULL)
		return (-1);
	if ((sym->name = strdup(name)) == NULL ||
	    (sym->val = strdup(val)) == NULL) {
		free(sym->name);
		free(sym);
		return (-1);
	}
	sym->persist = persist;
	TAILQ_INSERT_TAIL(&symhead, sym, entry);
	return (0);
}

int
cmdline_symset(char *s)
{
	char	*eq, *name;
	int	 ret;

	if ((eq = strchr(s, '=')) == NULL)
		return (-1);
	if ((name = strndup(s, eq - s)) == NULL)
		return (-1);
	if (macro_name_ok(name))
		ret = symset(name, eq + 1, 1);
	else
		ret = -1;
	free(name);
	return (ret);
}

static char *
symget(const char *name)
{
	struct sym	*sym;

	TAILQ_FOREACH(sym, &symhead, entry)
		if (strcmp(name, sym->name) == 0)
			return (sym->val);
	return (NULL);
}

static struct settings *
curset(void)
{
	if (cursvc != NULL)
		return (&cursvc->opts);
	if (curgrp != NULL)
		return (&curgrp->opts);
	return (&defaults);
}

/*
 * A setting given for the first time in its block, or at the top of the
 * configuration, is remembered; a second one is an error.
 */
static int
once(enum once_key k)
{
	struct once	*o = &globonce;

	if (cursvc != NULL)
		o = &cursvc->once;
	else if (curgrp != NULL)
		o = &curgrp->once;
	return (once_at(once_names[k], &o->file[k], &o->line[k]));
}

static int
chkopt_once(enum chkopt_key k)
{
	static const char	*chkfile;	/* a check is on one line */

	return (once_at(chkopt_names[k], &chkfile, &newcheck_line[k]));
}

static int
hbopt_once(enum hbopt_key k)
{
	static const char	*hbfile;	/* one line, as a check */

	return (once_at(hbopt_names[k], &hbfile, &newhb_line[k]));
}

static int
once_at(const char *what, const char **firstfile, int *firstline)
{
	if (*firstline == 0) {
		*firstfile = file->name;
		*firstline = yylval.lineno;
		return (0);
	}
	if (strcmp(*firstfile, file->name) == 0)
		yyerror("%s given twice (first at line %d)", what,
		    *firstline);
	else
		yyerror("%s given twice (first at %s:%d)", what, *firstfile,
		    *firstline);
	return (-1);
}

/* "quorum corosync [policy fast|strict]", one word at a time. */
static void
quorum_word(const char *w)
{
	static const struct {
		const char	*name;
		uint8_t		 policy;
	} policies[] = {
		{ "fast",	QUORUM_POLICY_FAST },
		{ "strict",	QUORUM_POLICY_STRICT },
	};
	size_t	 i;

	if (quorum_error[0] != '\0')
		return;
	switch (nquorum++) {
	case 0:
		if (strcmp(w, "policy") == 0)
			strlcpy(quorum_error, "quorum needs a provider: "
			    "\"quorum corosync\"", sizeof(quorum_error));
		else if (strcmp(w, "corosync") != 0)
			snprintf(quorum_error, sizeof(quorum_error),
			    "unknown quorum provider \"%.40s\" (expected "
			    "corosync)", w);
		return;
	case 1:
		if (strcmp(w, "policy") != 0)
			snprintf(quorum_error, sizeof(quorum_error),
			    "unexpected \"%.40s\" after \"quorum corosync\"",
			    w);
		return;
	case 2:
		for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
			if (strcmp(w, policies[i].name) == 0) {
				quorum_policy = policies[i].policy;
				return;
			}
		snprintf(quorum_error, sizeof(quorum_error),
		    "unknown quorum policy \"%.40s\" (expected fast or "
		    "strict)", w);
		return;
	}
	snprintf(quorum_error, sizeof(quorum_error),
	    "unexpected \"%.40s\" after the quorum policy", w);
}

static void
quorum_end(void)
{
	if (once(ONCE_QUORUM) == -1)
		return;
	if (quorum_error[0] != '\0')
		yyerror("%s", quorum_error);
	else if (nquorum == 0)
		yyerror("quorum needs a provider: \"quorum corosync\"");
	else if (nquorum == 2)
		yyerror("quorum policy needs a value: fast or strict");
	else {
		conf->quorum = 1;
		conf->quorum_policy = quorum_policy;
	}
}

/*
 * A site's name goes into CPG messages, logs, hafoctl and the
 * environment of hooks, as a service's does.  "prefer" and "failback"
 * would read back as the words of across sites, not as a site.
 */
static int
site_name_check(const char *name, char *err, size_t errlen)
{
	const char	*p;
	char		 desc[64];
	size_t		 len = strlen(name);

	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("-_.", *p) == NULL)
			break;
	if (len == 0 || *p != '\0') {
		quote(desc, sizeof(desc), name, len);
		snprintf(err, errlen, "invalid site name %s: use letters, "
		    "digits, '-', '_' and '.'", desc);
	} else if (len >= SITE_NAME_MAX)
		snprintf(err, errlen, "site name too long (%zu bytes, at most "
		    "%d)", len, SITE_NAME_MAX - 1);
	else if (strcmp(name, "prefer") == 0 || strcmp(name, "failback") == 0)
		snprintf(err, errlen, "\"%s\" cannot name a site: it is a word "
		    "of \"across sites\"", name);
	else
		return (0);
	return (-1);
}

static void
site_set(const char *name)
{
	char	err[sizeof(across_error)];

	if (site_name_check(name, err, sizeof(err)) == -1)
		yyerror("%s", err);
	else
		strlcpy(conf->site, name, sizeof(conf->site));
}

/* "across sites [prefer SITE ...] [failback]", one word at a time. */
static void
across_word(const char *w)
{
	int	i;

	if (across_error[0] != '\0')
		return;
	nacross++;
	switch (across_at) {
	case ACROSS_SITES:
		if (strcmp(w, "sites") != 0)
			snprintf(across_error, sizeof(across_error), "expected "
			    "\"across sites\", not \"across %.40s\"", w);
		across_at = ACROSS_OPTS;
		return;
	case ACROSS_OPTS:
		if (strcmp(w, "prefer") == 0)
			across_at = ACROSS_PREFER;
		else if (strcmp(w, "failback") == 0) {
			newsite.failback = 1;
			across_at = ACROSS_FAILBACK;
		} else
			snprintf(across_error, sizeof(across_error),
			    "unexpected \"%.40s\" after \"across sites\": use "
			    "prefer or failback", w);
		return;
	case ACROSS_PREFER:
		break;
	case ACROSS_FAILBACK:
		snprintf(across_error, sizeof(across_error), "unexpected "
		    "\"%.40s\" after failback", w);
		return;
	}

	if (strcmp(w, "failback") == 0 && newsite.nprefer > 0) {
		newsite.failback = 1;
		across_at = ACROSS_FAILBACK;
		return;
	}
	if (strcmp(w, "failback") == 0)
		strlcpy(across_error, "\"prefer\" needs at least one site name",
		    sizeof(across_error));
	else if (strcmp(w, "prefer") == 0)
		strlcpy(across_error, "\"prefer\" given twice",
		    sizeof(across_error));
	if (across_error[0] != '\0' ||
	    site_name_check(w, across_error, sizeof(across_error)) == -1)
		return;
	for (i = 0; i < newsite.nprefer; i++)
		if (strcmp(newsite.prefer[i], w) == 0) {
			snprintf(across_error, sizeof(across_error), "site %s "
			    "listed twice in prefer", w);
			return;
		}
	if (newsite.nprefer >= SITES_MAX) {
		snprintf(across_error, sizeof(across_error), "too many sites "
		    "in prefer (at most %d)", SITES_MAX);
		return;
	}
	strlcpy(newsite.prefer[newsite.nprefer++], w, SITE_NAME_MAX);
}

static void
across_end(void)
{
	struct blkparse	*b = curblk();

	if (once(ONCE_ACROSS) == -1)
		return;
	/* Given, even if wrong, so that its hooks are not refused too. */
	b->acrossline = yylval.lineno;
	if (across_error[0] != '\0')
		yyerror("%s", across_error);
	else if (nacross == 0)
		yyerror("expected \"across sites [prefer SITE ...] "
		    "[failback]\"");
	else if (across_at == ACROSS_PREFER && newsite.nprefer == 0)
		yyerror("\"prefer\" needs at least one site name");
	else {
		newsite.across = 1;
		*b->site = newsite;
	}
}

/* The hooks of the role need the role, in the same block. */
static void
blk_site_hooks(const struct blkparse *b)
{
	int	ev;

	if (b->acrossline != 0)
		return;
	for (ev = HOOK_CONTROLLER; ev <= HOOK_STANDBY; ev++)
		if (b->events & (1U << ev))
			errorat(b->file, b->evline[ev], "\"on %s\" needs "
			    "\"across sites\" in %s %s", hook_name(ev), b->kind,
			    b->name);
}

/*
 * What across sites needs of the whole file: this node's site, which
 * may come after the block, and for a service no group, since the
 * group is then the one entity.
 */
static void
blk_sites(const struct blkparse *b, const char *group)
{
	if (b->acrossline == 0)
		return;
	if (globonce.line[ONCE_SITE] == 0)
		errorat(b->file, b->acrossline, "%s %s: across sites needs "
		    "this node's \"site\"", b->kind, b->name);
	if (group != NULL && group[0] != '\0')
		errorat(b->file, b->acrossline, "service %s is in group %s: "
		    "across sites goes in the group, the one entity", b->name,
		    group);
}

/* Only called from inside a service or group block. */
static struct blkparse *
curblk(void)
{
	if (cursvc != NULL)
		return (&cursvc->blk);
	if (curgrp == NULL)
		fatalx("%s: outside of a block", __func__);
	return (&curgrp->blk);
}

static int
check_range(const char *what, long long n, long long min, long long max)
{
	if (n >= min && n <= max)
		return (0);
	if (numtext[0] != '\0')
		yyerror("%s %s out of range (%lld-%lld)", what, numtext, min,
		    max);
	else
		yyerror("%s %lld out of range (%lld-%lld)", what, n, min,
		    max);
	return (-1);
}

static void
set_path(char *dst, size_t size, const char *path, const char *what)
{
	if (path[0] != '/')
		yyerror("%s path must be absolute", what);
	else if (strlen(path) >= size)
		yyerror("%s path too long (at most %zu bytes)", what,
		    size - 1);
	else
		strlcpy(dst, path, size);
}

/*
 * The name of a service or a group goes to logs, hafoctl's command line
 * and the environment of hooks.
 */
static int
name_check(const char *kind, const char *name)
{
	const char	*p;
	size_t		 len = strlen(name);

	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("-_.", *p) == NULL)
			break;
	if (len == 0 || *p != '\0') {
		yyerror("invalid %s name \"%s\": use letters, digits, "
		    "'-', '_' and '.'", kind, name);
		return (-1);
	}
	if (len >= SERVICE_NAME_MAX) {
		yyerror("%s name too long (%zu bytes, at most %d)", kind, len,
		    SERVICE_NAME_MAX - 1);
		return (-1);
	}
	return (0);
}

/*
 * What the kernel's dev_valid_name() accepts: not empty, shorter than
 * IFNAMSIZ, not "." or "..", and no '/', ':' or byte that the kernel's
 * isspace() takes for white space, which counts 0xa0 besides those of
 * the C locale.
 */
static int
ifname_check(const char *name)
{
	const char	*p;
	char		 desc[IFNAMSIZ * 4 + 8];
	size_t		 len = strlen(name);
	int		 c;

	if (len >= IFNAMSIZ) {
		yyerror("interface name too long (%zu bytes, at most %d)",
		    len, IFNAMSIZ - 1);
		return (-1);
	}
	for (p = name; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (c == '/' || c == ':' || c == ' ' || c == 0xa0 ||
		    (c >= '\t' && c <= '\r'))
			break;
	}
	if (len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    *p != '\0') {
		/* White space other than blanks would not show. */
		quote(desc, sizeof(desc), name, len);
		yyerror("invalid interface name %s", desc);
		return (-1);
	}
	return (0);
}

/* A command of a hook or a check; what says which, for messages. */
static int
cmd_check(const char *what, const char *cmd)
{
	size_t	len = strlen(cmd);

	if (len == 0) {
		yyerror("%s command is empty", what);
		return (-1);
	}
	if (len >= HOOK_CMD_MAX) {
		yyerror("%s command too long (%zu bytes, at most %d)", what,
		    len, HOOK_CMD_MAX - 1);
		return (-1);
	}
	return (0);
}

static void
blk_init(struct blkparse *b, const char *kind, const char *name,
    struct hooks_conf *hooks, struct check_head *checks,
    struct track_head *tracks, struct site_conf *site)
{
	b->kind = kind;
	b->name = name;
	b->file = file->name;
	b->site = site;
	b->group = strcmp(kind, "group") == 0;
	b->hooks = hooks;
	b->checks = checks;
	b->tracks = tracks;
	TAILQ_INIT(checks);
	TAILQ_INIT(tracks);
}

static void
svc_begin(const char *name)
{
	struct svcparse	*sp, *other;

	if ((sp = calloc(1, sizeof(*sp))) == NULL ||
	    (sp->svc = calloc(1, sizeof(*sp->svc))) == NULL)
		fatal("%s", __func__);
	sp->file = file->name;
	sp->lineno = yylval.lineno;
	sp->svc->conf.id = ++nservices;
	strlcpy(sp->svc->conf.name, name, sizeof(sp->svc->conf.name));
	sp->name = sp->svc->conf.name;
	blk_init(&sp->blk, "service", sp->svc->conf.name, &sp->svc->hooks,
	    &sp->svc->checks, &sp->svc->tracks, &sp->svc->conf.site);
	TAILQ_INSERT_TAIL(&svcs, sp, entry);
	TAILQ_INSERT_TAIL(&conf->services, sp->svc, entry);
	cursvc = sp;

	if (name_check("service", name) == -1)
		return;
	if ((other = RB_INSERT(svc_names, &svcnames, sp)) != NULL)
		yyerror("service %s already defined at %s:%d", name,
		    other->file, other->lineno);
}

/* The checks that need the whole block, and the blocks before it. */
static void
svc_end(void)
{
	struct svcparse		*sp = cursvc, *other;
	struct service_conf	*sc = &sp->svc->conf, *oc;
	struct vipnode		*vn, *ovn;
	int			 i, af;

	cursvc = NULL;
	blk_site_hooks(&sp->blk);
	if (!(sp->given & GIVEN_INTERFACE))
		errorat(sp->file, sp->lineno, "service %s: interface missing",
		    sc->name);
	if (!(sp->given & GIVEN_VHID))
		errorat(sp->file, sp->lineno, "service %s: vhid missing",
		    sc->name);
	if (!(sp->given & GIVEN_ADDRESS))
		errorat(sp->file, sp->lineno, "service %s: no address",
		    sc->name);
	if (sc->ifname[0] == '\0')
		return;

	if (sc->vhid != 0 &&
	    (other = RB_INSERT(svc_vhids, &svcvhids, sp)) != NULL)
		errorat(sp->file, sp->lineno, "service %s: vhid %u on %s "
		    "already used by service %s", sc->name, sc->vhid,
		    sc->ifname, other->svc->conf.name);
	if (sc->nvips > 0 && (sp->vipnodes = calloc(sc->nvips,
	    sizeof(*sp->vipnodes))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < sc->nvips; i++) {
		vn = &sp->vipnodes[i];
		vn->sp = sp;
		vn->idx = i;
		if ((ovn = RB_INSERT(vip_addrs, &vipaddrs, vn)) == NULL)
			continue;
		oc = &ovn->sp->svc->conf;
		errorat(sp->file, sp->vipline[i], "address %s already used "
		    "by service %s on %s", addr_ntop(&sc->vips[i]), oc->name,
		    oc->ifname);
	}

	if (sc->nvips == 0)
		return;
	af = advertise_af(sc);
	for (i = 0; i < sc->npeers; i++)
		if (sc->peers[i].af != af)
			errorat(sp->file, sp->peerline[i], "peer %s is %s but "
			    "service %s advertises over %s",
			    addr_ntop(&sc->peers[i]),
			    af == AF_INET ? "IPv6" : "IPv4", sc->name,
			    af == AF_INET ? "IPv4" : "IPv6");
}

static void
svc_resolve(struct svcparse *sp)
{
	struct service_conf	*sc = &sp->svc->conf;
	const struct settings	*s = &sp->opts, *d = &defaults, *p;

	sc->advbase = (s->set & SET_ADVBASE) ? s->advbase : d->advbase;
	sc->advskew = (s->set & SET_ADVSKEW) ? s->advskew : d->advskew;
	sc->preempt = (s->set & SET_PREEMPT) ? s->preempt : d->preempt;
	sc->announce_count = (s->set & SET_ACOUNT) ?
	    s->announce_count : d->announce_count;
	sc->announce_interval = (s->set & SET_AINTERVAL) ?
	    s->announce_interval : d->announce_interval;
	p = (s->set & SET_PASS) ? s : d;
	memcpy(sc->pass, p->pass, sizeof(sc->pass));
	sc->passlen = p->passlen;
	hooks_resolve(&sp->svc->hooks, s);
	svc_handover(sp->svc);
	svc_protocol(sp);

	/* advbase 0 and advskew 0 would advertise without pause. */
	if (sc->protocol == PROTO_CARP && sc->advbase == 0 &&
	    sc->advskew == 0)
		errorat(sp->file, sp->lineno, "service %s: advbase 0 needs "
		    "advskew 1 or more", sc->name);
}

/*
 * The bundle's settings, once the service's and the global ones are
 * known.  A bundle service without an interval of its own or a global
 * one runs at its advbase, so that switching protocol keeps the timing.
 * Its key comes from the key file, else from the password, as CARP's
 * does (the empty one too).
 */
static void
svc_protocol(struct svcparse *sp)
{
	struct service_conf	*sc = &sp->svc->conf;
	const struct settings	*s = &sp->opts, *d = &defaults, *p;

	p = (s->set & SET_PROTOCOL) ? s : d;
	sc->protocol = p->protocol;
	if (sc->protocol == PROTO_CARP) {
		if (s->set & SET_INTERVAL)
			errorat(sp->once.file[ONCE_INTERVAL],
			    sp->once.line[ONCE_INTERVAL], "interval needs "
			    "protocol bundle; CARP counts in advbase");
		if (sp->keyline != 0)
			errorat(sp->once.file[ONCE_KEYFILE], sp->keyline,
			    "key file needs protocol bundle; CARP has only "
			    "the password");
		sc->interval = 0;
		explicit_bzero(&sc->bkey, sizeof(sc->bkey));
		return;
	}
	p = (s->set & SET_INTERVAL) ? s : d;
	if (p->set & SET_INTERVAL)
		sc->interval = p->interval;
	else if (sc->advbase == 0)
		errorat(sp->file, sp->lineno, "service %s: protocol bundle "
		    "with advbase 0 needs an interval", sc->name);
	else
		sc->interval = sc->advbase * 1000U;
	if (sp->keyline == 0) {
		bundle_key_derive((const uint8_t *)sc->pass, sc->passlen,
		    &sc->bkey);
		return;
	}
	/* The key file is the key: a global password does not apply. */
	if (s->set & SET_PASS)
		errorat(sp->once.file[ONCE_KEYFILE], sp->keyline,
		    "service %s: key file and password given together",
		    sc->name);
	explicit_bzero(sc->pass, sizeof(sc->pass));
	sc->passlen = 0;
}

/* What the global settings say together, whatever their order. */
static void
globals_check(void)
{
	if ((defaults.set & SET_INTERVAL) &&
	    defaults.protocol == PROTO_CARP)
		errorat(globonce.file[ONCE_INTERVAL],
		    globonce.line[ONCE_INTERVAL], "interval needs protocol "
		    "bundle; CARP counts in advbase");
	/* A quorum line in error was said already. */
	if (globonce.line[ONCE_SITE] != 0 && globonce.line[ONCE_QUORUM] == 0)
		errorat(globonce.file[ONCE_SITE], globonce.line[ONCE_SITE],
		    "site needs \"quorum corosync\": the sites agree over "
		    "corosync");
}

/*
 * "5ms", "250ms", "1s": a unit always, since CARP's advbase counts in
 * seconds and a bare 5 would be read one way or the other.
 */
static long long
interval_value(const char *s)
{
	long long	 n = 0;
	const char	*p;

	/* Past the maximum it only has to stay past it. */
	for (p = s; isdigit((unsigned char)*p); p++)
		if (n <= BUNDLE_INTERVAL_MAX)
			n = n * 10 + (*p - '0');
	if (p != s && *p == '\0') {
		yyerror("interval %s: give a unit, %sms or %ss", s, s, s);
		return (-1);
	}
	if (p == s || (strcmp(p, "ms") != 0 && strcmp(p, "s") != 0)) {
		yyerror("expected an interval such as 5ms or 1s, not \"%s\"",
		    s);
		return (-1);
	}
	if (strcmp(p, "s") == 0 && n <= BUNDLE_INTERVAL_MAX)
		n *= 1000;
	if (n < BUNDLE_INTERVAL_MIN || n > BUNDLE_INTERVAL_MAX) {
		yyerror("interval %s out of range (1ms-60s)", s);
		return (-1);
	}
	return (n);
}

/*
 * The key file is read now, by the parent as root, and only the key
 * derived from it is kept; its path stays for printconf.  Relative to
 * the file that names it, as an include is.
 */
static void
svc_keyfile(const char *path)
{
	struct service	*svc = cursvc->svc;
	uint8_t		 buf[BUNDLE_KEYFILE_MAX + 1];
	const char	*slash;
	char		*name;
	size_t		 len;

	if (strlcpy(svc->keyfile, path, sizeof(svc->keyfile)) >=
	    sizeof(svc->keyfile)) {
		yyerror("key file name too long (at most %zu bytes)",
		    sizeof(svc->keyfile) - 1);
		svc->keyfile[0] = '\0';
		return;
	}
	if (path[0] == '/' || (slash = strrchr(file->name, '/')) == NULL)
		name = strdup(path);
	else if (asprintf(&name, "%.*s/%s", (int)(slash - file->name),
	    file->name, path) == -1)
		name = NULL;
	if (name == NULL)
		fatal("%s", __func__);
	if (keyfile_read(name, buf, sizeof(buf), &len) == 0) {
		bundle_key_derive(buf, len, &svc->conf.bkey);
		cursvc->keyline = cursvc->once.line[ONCE_KEYFILE];
	} else
		svc->keyfile[0] = '\0';
	explicit_bzero(buf, sizeof(buf));
	free(name);
}

/*
 * A regular file only, as for an include; one byte past the maximum is
 * read to tell a file too long.
 */
static int
keyfile_read(const char *name, uint8_t *buf, size_t size, size_t *lenp)
{
	struct stat	 st;
	const char	*why = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(name, O_RDONLY | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	while (why == NULL && len < size) {
		if ((n = read(fd, buf + len, size - len)) == -1) {
			if (errno == EINTR)
				continue;
			why = strerror(errno);
		} else if (n == 0)
			break;
		else
			len += n;
	}
	if (fd != -1)
		close(fd);
	if (why != NULL) {
		yyerror("key file %s: %s", name, why);
		return (-1);
	}
	if (len < BUNDLE_KEYFILE_MIN || len > BUNDLE_KEYFILE_MAX) {
		yyerror("key file %s: %s%zu bytes, the key takes %d to %d",
		    name, len > BUNDLE_KEYFILE_MAX ? "over " : "",
		    len > BUNDLE_KEYFILE_MAX ? (size_t)BUNDLE_KEYFILE_MAX : len,
		    BUNDLE_KEYFILE_MIN, BUNDLE_KEYFILE_MAX);
		return (-1);
	}
	*lenp = len;
	return (0);
}

static void
svc_interface(const char *name)
{
	struct service_conf	*sc = &cursvc->svc->conf;

	cursvc->given |= GIVEN_INTERFACE;
	if (once(ONCE_INTERFACE) == 0 && ifname_check(name) == 0)
		strlcpy(sc->ifname, name, sizeof(sc->ifname));
}

/* A service or a group without its own takes the global setting. */
static void
hooks_resolve(struct hooks_conf *hooks, const struct settings *s)
{
	const struct settings	*p;

	p = (s->set & SET_HTIMEOUT) ? s : &defaults;
	hooks->timeout = p->hook_timeout;
	p = (s->set & SET_HUSER) ? s : &defaults;
	strlcpy(hooks->user, p->hook_user, sizeof(hooks->user));
	p = (s->set & SET_HANDOVER) ? s : &defaults;
	hooks->handover = p->handover;
}

/* What the engine needs of the hooks for an exclusive handover. */
static void
svc_handover(struct service *svc)
{
	struct service_conf	*sc = &svc->conf;
	const struct hooks_conf	*h = &svc->hooks;
	int			 i;

	sc->handover = h->handover;
	sc->hookset = 0;
	for (i = 0; i < HOOK_MAX; i++)
		if (h->cmd[i] != NULL)
			sc->hookset |= 1U << i;
	sc->hook_timeout = h->timeout;
	sc->fence_policy = h->fence_policy;
	sc->fence_hold = h->fence_hold;
	sc->fence_limit = h->fence_limit;
}

static void
grp_begin(const char *name)
{
	struct grpparse	*gp, *other;

	if ((gp = calloc(1, sizeof(*gp))) == NULL ||
	    (gp->grp = calloc(1, sizeof(*gp->grp))) == NULL)
		fatal("%s", __func__);
	gp->file = file->name;
	gp->lineno = yylval.lineno;
	strlcpy(gp->grp->name, name, sizeof(gp->grp->name));
	gp->name = gp->grp->name;
	blk_init(&gp->blk, "group", gp->grp->name, &gp->grp->hooks,
	    &gp->grp->checks, &gp->grp->tracks, &gp->grp->site);
	TAILQ_INSERT_TAIL(&grps, gp, entry);
	TAILQ_INSERT_TAIL(&conf->groups, gp->grp, entry);
	curgrp = gp;

	if (name_check("group", name) == -1) {
		/* A cut name would only add confusing messages. */
		gp->badname = 1;
		return;
	}
	if ((other = RB_INSERT(grp_names, &grpnames, gp)) != NULL) {
		yyerror("group %s already defined at %s:%d", name,
		    other->file, other->lineno);
		gp->badname = 1;
	}
}

static void
grp_end(void)
{
	struct grpparse	*gp = curgrp;

	curgrp = NULL;
	blk_site_hooks(&gp->blk);
	if (!(gp->given & GIVEN_MEMBER))
		errorat(gp->file, gp->lineno, "group %s has no member",
		    gp->grp->name);
}

/*
 * The names of a "service" line in a group: blanks or commas between
 * them.  A service name has no comma, so a comma always separates.
 */
static void
grp_members(const char *word)
{
	char	*copy, *p, *name;

	if (word[0] == '\0') {
		grp_member(word);
		return;
	}
	if ((copy = strdup(word)) == NULL)
		fatal("%s", __func__);
	p = copy;
	while ((name = strsep(&p, ",")) != NULL)
		if (name[0] != '\0')
			grp_member(name);
	free(copy);
}

static void
grp_member(const char *name)
{
	struct group_conf	*g = curgrp->grp;
	int			 i;

	curgrp->given |= GIVEN_MEMBER;
	if (name_check("service", name) == -1)
		return;
	for (i = 0; i < g->nmembers; i++) {
		if (strcmp(g->members[i], name) == 0) {
			yyerror("service %s listed twice in group %s", name,
			    g->name);
			return;
		}
	}
	if (g->nmembers >= SERVICE_GROUP_MAX) {
		yyerror("too many members in group %s (at most %d)", g->name,
		    SERVICE_GROUP_MAX);
		return;
	}
	curgrp->memberline[g->nmembers] = yylval.lineno;
	strlcpy(g->members[g->nmembers++], name, sizeof(g->members[0]));
}

/* Once every service is known: the members, and who leads. */
static void
grp_resolve(struct grpparse *gp)
{
	struct group_conf	*g = gp->grp;
	struct service_conf	*sc;
	struct svcparse		*sp, skey;
	struct grpparse		*og, gkey;
	int			 i, j;

	hooks_resolve(&g->hooks, &gp->opts);
	skey.name = g->name;
	if (!gp->badname &&
	    (sp = RB_FIND(svc_names, &svcnames, &skey)) != NULL)
		errorat(gp->file, gp->lineno, "group %s: a service of that "
		    "name is defined at %s:%d", g->name, sp->file, sp->lineno);
	for (i = 0; i < g->nmembers; i++) {
		skey.name = g->members[i];
		if ((sp = RB_FIND(svc_names, &svcnames, &skey)) == NULL) {
			errorat(gp->file, gp->memberline[i], "group %s: "
			    "service %s is not defined", g->name,
			    g->members[i]);
			continue;
		}
		sc = &sp->svc->conf;
		/* A group in error claims nobody, to say nothing more. */
		if (gp->badname)
			continue;
		if (sc->group[0] != '\0') {
			/* Resolved in order: an earlier group has it. */
			gkey.name = sc->group;
			og = RB_FIND(grp_names, &grpnames, &gkey);
			for (j = 0; og != NULL && j < og->grp->nmembers; j++)
				if (strcmp(og->grp->members[j], sc->name) == 0)
					break;
			if (og != NULL && j < og->grp->nmembers)
				errorat(gp->file, gp->memberline[i], "service "
				    "%s is already in group %s at %s:%d",
				    sc->name, sc->group, og->file,
				    og->memberline[j]);
			else
				errorat(gp->file, gp->memberline[i], "service "
				    "%s is already in group %s", sc->name,
				    sc->group);
			continue;
		}
		strlcpy(sc->group, g->name, sizeof(sc->group));
		sc->group_leader = i == 0;
		/* A member takes its group's handover unless it has one. */
		if ((gp->opts.set & SET_HANDOVER) &&
		    !(sp->opts.set & SET_HANDOVER)) {
			sp->svc->hooks.handover = gp->opts.handover;
			sc->handover = gp->opts.handover;
		}
		/*
		 * The group's results go to its leader (hafod/group.c): an
		 * exclusive leader waits for the group's hooks as for its own.
		 */
		if (sc->group_leader && sc->handover == HANDOVER_EXCLUSIVE) {
			for (j = HOOK_PROMOTE; j <= HOOK_DEMOTE; j++)
				if (g->hooks.cmd[j] != NULL)
					sc->hookset |= 1U << j;
			if (sc->hook_timeout < g->hooks.timeout)
				sc->hook_timeout = g->hooks.timeout;
		}
	}
}

static void
blk_hook(const char *event, const char *cmd)
{
	struct blkparse	*b = curblk();
	int		 ev;

	for (ev = 0; ev < HOOK_MAX; ev++)
		if (strcmp(event, hook_name(ev)) == 0)
			break;
	if (ev == HOOK_MAX) {
		if (b->group)
			yyerror("unknown event \"%s\": use promote, demote, "
			    "controller or standby", event);
		else
			yyerror("unknown event \"%s\": use promote, demote, "
			    "backup, fault, stop, fence, controller or standby",
			    event);
		return;
	}
	if (b->group && ev != HOOK_PROMOTE && ev != HOOK_DEMOTE &&
	    ev != HOOK_CONTROLLER && ev != HOOK_STANDBY) {
		yyerror("\"on %s\" is not valid in a group: a group has "
		    "only promote, demote, controller and standby hooks",
		    event);
		return;
	}
	if (b->events & (1U << ev)) {
		yyerror("\"on %s\" given twice in %s %s (first at line %d)",
		    event, b->kind, b->name, b->evline[ev]);
		return;
	}
	b->events |= 1U << ev;
	b->evline[ev] = yylval.lineno;
	if (cmd_check(event, cmd) == -1)
		return;
	if ((b->hooks->cmd[ev] = strdup(cmd)) == NULL)
		fatal("%s", __func__);
}

/*
 * on promote failure demote [hold seconds] [limit count]: the words are
 * not keywords, as the events are not, so that no name is taken away.
 */
static void
blk_pfail(const char *event, const char *what, const char *action)
{
	struct blkparse	*b = curblk();

	if (strcmp(event, hook_name(HOOK_FENCE)) == 0 &&
	    strcmp(what, "failure") == 0) {
		blk_ffail(action);
		return;
	}
	if (strcmp(event, hook_name(HOOK_PROMOTE)) != 0 ||
	    strcmp(what, "failure") != 0 || strcmp(action, "demote") != 0) {
		yyerror("expected \"on EVENT COMMAND\" or \"on promote failure "
		    "demote [hold SECONDS] [limit COUNT]\"");
		return;
	}
	if (b->pfline != 0) {
		yyerror("\"on promote failure\" given twice in %s %s (first "
		    "at line %d)", b->kind, b->name, b->pfline);
		return;
	}
	b->pfline = yylval.lineno;
	if (pfbad)
		return;
	b->hooks->pfail_hold = pfhold;
	b->hooks->pfail_limit = pflimit;
}

/*
 * on fence failure retry|promote [hold seconds] [limit count]: retry the
 * fence hook every hold seconds, for ever, or promote anyway after limit
 * failures in a row.  The options are read as the promote failure's.
 */
static void
blk_ffail(const char *action)
{
	struct blkparse	*b = curblk();

	if (strcmp(action, "retry") != 0 && strcmp(action, "promote") != 0) {
		yyerror("expected \"on fence failure retry|promote [hold "
		    "SECONDS] [limit COUNT]\"");
		return;
	}
	if (b->group) {
		yyerror("\"on fence failure\" is not valid in a group");
		return;
	}
	if (b->ffline != 0) {
		yyerror("\"on fence failure\" given twice in %s %s (first "
		    "at line %d)", b->kind, b->name, b->ffline);
		return;
	}
	b->ffline = yylval.lineno;
	if (pfbad)
		return;
	if (strcmp(action, "retry") == 0 && (pfgiven & 0x02)) {
		yyerror("\"limit\" is for \"on fence failure promote\"");
		return;
	}
	if (pflimit > 255) {
		yyerror("limit %u too large for fencing (at most 255)",
		    pflimit);
		return;
	}
	b->hooks->fence_policy = strcmp(action, "promote") == 0 ?
	    FENCE_PROMOTE : FENCE_RETRY;
	b->hooks->fence_hold = (pfgiven & 0x01) ? pfhold : FENCE_HOLD_DEFAULT;
	b->hooks->fence_limit = (pfgiven & 0x02) ? pflimit :
	    FENCE_LIMIT_DEFAULT;
}

static void
pfail_opt(const char *word, long long n)
{
	int	bit;

	if (strcmp(word, "hold") == 0)
		bit = 0x01;
	else if (strcmp(word, "limit") == 0)
		bit = 0x02;
	else {
		yyerror("unknown option \"%s\" of on promote failure: use "
		    "hold or limit", word);
		pfbad = 1;
		return;
	}
	if (pfgiven & bit) {
		yyerror("\"%s\" given twice", word);
		pfbad = 1;
		return;
	}
	pfgiven |= bit;
	if (bit == 0x01) {
		if (check_range("hold", n, 1, HOLDDOWN_MAX) == -1)
			pfbad = 1;
		else
			pfhold = n;
	} else {
		if (check_range("limit", n, 1, HOLDDOWN_LIMIT_MAX) == -1)
			pfbad = 1;
		else
			pflimit = n;
	}
}

/* The command of a check; its options are in newcheck. */
static void
blk_check(const char *cmd)
{
	struct blkparse		*b = curblk();
	struct check_conf	*chk;

	if (cmd_check("check", cmd) == -1 || newcheck_bad)
		return;
	if (newcheck.timeout > newcheck.every) {
		yyerror("check timeout %u%s must not exceed every %u",
		    newcheck.timeout, newcheck_timeout ? "" : " (the default)",
		    newcheck.every);
		return;
	}
	if ((chk = malloc(sizeof(*chk))) == NULL)
		fatal("%s", __func__);
	*chk = newcheck;
	if ((chk->cmd = strdup(cmd)) == NULL)
		fatal("%s", __func__);
	TAILQ_INSERT_TAIL(b->checks, chk, entry);
}

static void
blk_track(const char *ifname, long long weight)
{
	struct blkparse		*b = curblk();
	struct track_conf	*trk;

	if (ifname_check(ifname) == -1)
		return;
	TAILQ_FOREACH(trk, b->tracks, entry) {
		if (strcmp(trk->ifname, ifname) == 0) {
			yyerror("interface %s tracked twice in %s %s", ifname,
			    b->kind, b->name);
			return;
		}
	}
	if (weight == -1)
		return;
	if ((trk = calloc(1, sizeof(*trk))) == NULL)
		fatal("%s", __func__);
	strlcpy(trk->ifname, ifname, sizeof(trk->ifname));
	trk->weight = weight;
	TAILQ_INSERT_TAIL(b->tracks, trk, entry);
}

/*
 * "100ms", "2s" or digits: milliseconds, or -1 when said wrong.  A range
 * error quotes it as written.
 */
static long long
ttl_value(const char *s)
{
	long long	 n = 0;
	const char	*p;

	/* Past the maximum it only has to stay past it. */
	for (p = s; isdigit((unsigned char)*p); p++)
		if (n <= HEARTBEAT_TTL_MAX)
			n = n * 10 + (*p - '0');
	if (p == s || (*p != '\0' && strcmp(p, "ms") != 0 &&
	    strcmp(p, "s") != 0)) {
		yyerror("expected a time such as 100ms or 2s, not \"%s\"", s);
		return (-1);
	}
	if (strcmp(p, "s") == 0 && n <= HEARTBEAT_TTL_MAX)
		n *= 1000;
	snprintf(numtext, sizeof(numtext), "%.24s%s", s,
	    strlen(s) > 24 ? "..." : "");
	return (n);
}

/* Whose datagrams count: a user name, or a uid as a number. */
static void
hb_user(const char *name)
{
	struct passwd	*pw;
	long long	 uid;

	if (isnumber(name, &uid) && uid >= 0 && uid < UINT32_MAX) {
		newhb.uid = uid;
		return;
	}
	if (name[0] == '\0' || (pw = getpwnam(name)) == NULL) {
		yyerror("heartbeat user: unknown user \"%s\"", name);
		newhb_bad = 1;
		return;
	}
	newhb.uid = pw->pw_uid;
}

/* A heartbeat of the service being parsed; its options are in newhb. */
static void
svc_heartbeat(const char *name)
{
	struct service_conf	*sc = &cursvc->svc->conf;
	int			 i;

	if (name_check("heartbeat", name) == -1 || newhb_bad)
		return;
	for (i = 0; i < sc->nheartbeats; i++)
		if (strcmp(sc->heartbeats[i].name, name) == 0) {
			yyerror("heartbeat %s given twice in service %s",
			    name, sc->name);
			return;
		}
	if (sc->nheartbeats == SERVICE_HEARTBEATS_MAX) {
		yyerror("too many heartbeats in service %s (at most %d)",
		    sc->name, SERVICE_HEARTBEATS_MAX);
		return;
	}
	newhb.pad[0] = newhb.pad[1] = newhb.pad[2] = 0;
	strlcpy(newhb.name, name, sizeof(newhb.name));
	sc->heartbeats[sc->nheartbeats++] = newhb;
}

static void
svc_address(const char *s)
{
	struct service_conf	*sc = &cursvc->svc->conf;
	struct hafod_addr	 a;
	const char		*err;
	int			 i;

	cursvc->given |= GIVEN_ADDRESS;
	if ((err = parse_addr(s, &a, 1)) != NULL) {
		yyerror("%s", err);
		return;
	}
	for (i = 0; i < sc->nvips; i++) {
		if (addr_eq(&sc->vips[i], &a)) {
			yyerror("address %s given twice in service %s",
			    addr_ntop(&a), sc->name);
			return;
		}
	}
	if (sc->nvips >= SERVICE_VIPS_MAX) {
		yyerror("too many addresses in service %s (at most %d)",
		    sc->name, SERVICE_VIPS_MAX);
		return;
	}
	cursvc->vipline[sc->nvips] = yylval.lineno;
	sc->vips[sc->nvips++] = a;
}

static void
svc_peer(const char *s)
{
	struct service_conf	*sc = &cursvc->svc->conf;
	struct hafod_addr	 a;
	const char		*err;
	int			 i;

	if ((err = parse_addr(s, &a, 0)) != NULL) {
		yyerror("%s", err);
		return;
	}
	for (i = 0; i < sc->npeers; i++) {
		if (addr_eq(&sc->peers[i], &a)) {
			yyerror("peer %s given twice in service %s",
			    addr_ntop(&a), sc->name);
			return;
		}
	}
	if (sc->npeers >= SERVICE_PEERS_MAX) {
		yyerror("too many peers in service %s (at most %d)",
		    sc->name, SERVICE_PEERS_MAX);
		return;
	}
	cursvc->peerline[sc->npeers] = yylval.lineno;
	sc->peers[sc->npeers++] = a;
}

/*
 * "address[/prefixlen]" for a VIP, a bare address for a peer.  Returns
 * NULL, or what is wrong in a static buffer.
 */
static const char *
parse_addr(const char *s, struct hafod_addr *a, int vip)
{
	static char	 err[128];
	char		 buf[INET6_ADDRSTRLEN];
	const char	*slash, *p, *errstr;
	const char	*what = vip ? "address" : "peer";
	size_t		 len;
	int		 maxlen;

	memset(a, 0, sizeof(*a));
	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a->u.v4) == 1) {
		a->af = AF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, buf, &a->u.v6) == 1) {
		a->af = AF_INET6;
		maxlen = 128;
	} else
		goto bad;

	if (slash != NULL && !vip) {
		snprintf(err, sizeof(err), "invalid peer \"%.64s\": a peer "
		    "has no prefix length", s);
		return (err);
	}
	if (slash == NULL)
		a->prefixlen = vip ? maxlen : 0;
	else {
		for (p = slash + 1; *p != '\0'; p++)
			if (!isdigit((unsigned char)*p))
				break;
		a->prefixlen = strtonum(slash + 1, 1, maxlen, &errstr);
		if (slash[1] == '\0' || *p != '\0' || errstr != NULL) {
			snprintf(err, sizeof(err), "invalid prefix length in "
			    "\"%.64s\" (1-%d)", s, maxlen);
			return (err);
		}
	}

	if ((a->af == AF_INET && (a->u.v4.s_addr == INADDR_ANY ||
	    a->u.v4.s_addr == INADDR_BROADCAST ||
	    IN_MULTICAST(ntohl(a->u.v4.s_addr)))) ||
	    (a->af == AF_INET6 && (IN6_IS_ADDR_UNSPECIFIED(&a->u.v6) ||
	    IN6_IS_ADDR_MULTICAST(&a->u.v6)))) {
		snprintf(err, sizeof(err), "%s %s is not a unicast address",
		    what, addr_ntop(a));
		return (err);
	}
	return (NULL);

bad:
	snprintf(err, sizeof(err), "invalid %s \"%.64s\"", what, s);
	return (err);
}

/* Over IPv4 if the service has any IPv4 address, else over IPv6. */
static int
advertise_af(const struct service_conf *sc)
{
	int	i;

	for (i = 0; i < sc->nvips; i++)
		if (sc->vips[i].af == AF_INET)
			return (AF_INET);
	return (AF_INET6);
}

static int
svc_name_cmp(struct svcparse *a, struct svcparse *b)
{
	return (strcmp(a->name, b->name));
}

/* Services without a valid interface or vhid are not in the tree. */
static int
svc_vhid_cmp(struct svcparse *a, struct svcparse *b)
{
	const struct service_conf	*ac = &a->svc->conf, *bc = &b->svc->conf;
	int				 r;

	if ((r = strcmp(ac->ifname, bc->ifname)) != 0)
		return (r);
	return (ac->vhid < bc->vhid ? -1 : ac->vhid > bc->vhid);
}

/* The order of addr_cmp(), which ignores the prefix length. */
static int
vip_cmp(struct vipnode *a, struct vipnode *b)
{
	const struct service_conf	*ac = &a->sp->svc->conf;
	const struct service_conf	*bc = &b->sp->svc->conf;
	int				 r;

	if ((r = strcmp(ac->ifname, bc->ifname)) != 0)
		return (r);
	return (addr_cmp(&ac->vips[a->idx], &bc->vips[b->idx]));
}

static int
grp_name_cmp(struct grpparse *a, struct grpparse *b)
{
	return (strcmp(a->name, b->name));
}
