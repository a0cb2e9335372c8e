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
 * The command line as token tables: each word is matched against the
 * table of what may come next, and a mistake lists that table.
 */

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafoctl.h"

enum token_type {
	NOTOKEN,	/* the command may end here */
	ENDTOKEN,	/* ends a table */
	KEYWORD,	/* the word or a unique prefix of it; value: action */
	ALL,		/* exactly "all": every service */
	GROUP,		/* exactly "group", before a group's name */
	FLAG,		/* exactly the word; value: CTL_F_* */
	SERVICENAME,
	GROUPNAME,
	SECONDS,	/* value of -w */
	HEARTBEATNAME
};

struct token {
	enum token_type		 type;
	const char		*keyword;
	int			 value;
	const struct token	*next;
};

static const struct token t_main[];
static const struct token t_show[];
static const struct token t_service[];
static const struct token t_group[];
static const struct token t_demote[];
static const struct token t_demote_group[];
static const struct token t_demote_opts[];
static const struct token t_wait[];
static const struct token t_undemote[];
static const struct token t_log[];
static const struct token t_heartbeat[];

static const struct token t_main[] = {
	{ KEYWORD,	"show",		SHOW,		t_show },
	{ KEYWORD,	"demote",	DEMOTE,		t_demote },
	{ KEYWORD,	"undemote",	UNDEMOTE,	t_undemote },
	{ KEYWORD,	"promote",	PROMOTE,	t_service },
	{ KEYWORD,	"reload",	RELOAD,		NULL },
	{ KEYWORD,	"log",		NONE,		t_log },
	{ KEYWORD,	"heartbeat",	HEARTBEAT,	t_heartbeat },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_show[] = {
	{ NOTOKEN,	"",		NONE,		NULL },
	{ KEYWORD,	"service",	SHOW_SERVICE,	t_service },
	{ KEYWORD,	"group",	NONE,		t_group },
	{ KEYWORD,	"quorum",	SHOW_QUORUM,	NULL },
	{ KEYWORD,	"sites",	SHOW_SITES,	NULL },
	{ KEYWORD,	"metrics",	SHOW_METRICS,	NULL },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_service[] = {
	{ SERVICENAME,	"",		NONE,		NULL },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_group[] = {
	{ GROUPNAME,	"",		NONE,		NULL },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_demote[] = {
	{ ALL,		"all",		NONE,		t_demote_opts },
	{ GROUP,	"group",	NONE,		t_demote_group },
	{ SERVICENAME,	"",		NONE,		t_demote_opts },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_demote_group[] = {
	{ GROUPNAME,	"",		NONE,		t_demote_opts },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_demote_opts[] = {
	{ NOTOKEN,	"",		NONE,		NULL },
	{ FLAG,		"-p",		CTL_F_PERSIST,	t_demote_opts },
	{ FLAG,		"--persist",	CTL_F_PERSIST,	t_demote_opts },
	{ FLAG,		"-w",		0,		t_wait },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_wait[] = {
	{ SECONDS,	"",		NONE,		t_demote_opts },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_undemote[] = {
	{ ALL,		"all",		NONE,		NULL },
	{ GROUP,	"group",	NONE,		t_group },
	{ SERVICENAME,	"",		NONE,		NULL },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_heartbeat[] = {
	{ HEARTBEATNAME, "",		NONE,		NULL },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static const struct token t_log[] = {
	{ KEYWORD,	"verbose",	LOG_VERBOSE,	NULL },
	{ KEYWORD,	"brief",	LOG_BRIEF,	NULL },
	{ ENDTOKEN,	"",		NONE,		NULL }
};

static struct parse_result	res;

static const struct token *match_token(const char *, const struct token *);
static int	value_matches(const char *, const struct token *);
static void	take_token(const char *, const struct token *);
static __dead void bad_word(const char *, const char *, const char *,
		    const struct token *);

struct parse_result *
parse(int argc, char *argv[])
{
	const struct token	*table = t_main, *t;
	const char		*prev = NULL;

	memset(&res, 0, sizeof(res));
	res.action = SHOW;
	res.kind = CTL_ALL;
	res.wait = DEMOTE_WAIT_DEFAULT;
	if (argc == 0)
		return (&res);

	while (table != NULL) {
		if ((t = match_token(argc > 0 ? argv[0] : NULL,
		    table)) == NULL) {
			if (argc == 0)
				bad_word("missing argument", prev, NULL,
				    table);
			bad_word("unknown argument", NULL, argv[0], table);
		}
		if (t->type == NOTOKEN)
			break;
		take_token(argv[0], t);
		prev = t->type == KEYWORD ? t->keyword : argv[0];
		argc--;
		argv++;
		table = t->next;
	}
	if (argc > 0)
		errx(1, "superfluous argument '%s'", argv[0]);
	return (&res);
}

/*
 * Exact words first, then a unique prefix of a keyword, then a value
 * such as a service name: so a service may be called "sh" or "al" (but
 * not "all" or "group").
 */
static const struct token *
match_token(const char *word, const struct token *table)
{
	const struct token	*t, *prefix = NULL, *value = NULL;
	int			 nprefix = 0;

	for (t = table; t->type != ENDTOKEN; t++) {
		if (word == NULL) {
			if (t->type == NOTOKEN)
				return (t);
			continue;
		}
		switch (t->type) {
		case KEYWORD:
			if (strcmp(word, t->keyword) == 0)
				return (t);
			if (word[0] != '\0' &&
			    strncmp(word, t->keyword, strlen(word)) == 0) {
				prefix = t;
				nprefix++;
			}
			break;
		case ALL:
		case GROUP:
		case FLAG:
			if (strcmp(word, t->keyword) == 0)
				return (t);
			break;
		case SERVICENAME:
		case GROUPNAME:
		case SECONDS:
		case HEARTBEATNAME:
			if (value == NULL && value_matches(word, t))
				value = t;
			break;
		case NOTOKEN:
		case ENDTOKEN:
			break;
		}
	}
	if (nprefix > 1)
		bad_word("ambiguous argument", NULL, word, table);
	if (nprefix == 1)
		return (prefix);
	return (value);
}

static int
value_matches(const char *word, const struct token *t)
{
	const char	*errstr;

	if (t->type == SERVICENAME || t->type == GROUPNAME)
		return (word[0] != '\0' && word[0] != '-' &&
		    strlen(word) < SERVICE_NAME_MAX);
	if (t->type == HEARTBEATNAME)
		return (word[0] != '\0' && word[0] != '-' &&
		    strlen(word) < HEARTBEAT_NAME_MAX);
	(void)strtonum(word, 0, DEMOTE_WAIT_MAX, &errstr);
	return (errstr == NULL);
}

static void
take_token(const char *word, const struct token *t)
{
	switch (t->type) {
	case KEYWORD:
		if (t->value != NONE)
			res.action = t->value;
		break;
	case ALL:
		res.kind = CTL_ALL;
		break;
	case FLAG:
		res.flags |= t->value;
		break;
	case SERVICENAME:
	case GROUPNAME:
		res.kind = t->type == SERVICENAME ? CTL_SERVICE : CTL_GROUP;
		strlcpy(res.name, word, sizeof(res.name));
		break;
	case SECONDS:
		res.wait = strtonum(word, 0, DEMOTE_WAIT_MAX, NULL);
		break;
	case HEARTBEATNAME:
		strlcpy(res.name, word, sizeof(res.name));
		break;
	case GROUP:
	case NOTOKEN:
	case ENDTOKEN:
		break;
	}
}

/* "hafoctl: unknown argument 'frob'; valid: show demote ..." */
static __dead void
bad_word(const char *what, const char *after, const char *word,
    const struct token *table)
{
	const struct token	*t;

	fprintf(stderr, "%s: %s", getprogname(), what);
	if (word != NULL)
		fprintf(stderr, " '%s'", word);
	if (after != NULL)
		fprintf(stderr, " after '%s'", after);
	fprintf(stderr, "; valid:");
	for (t = table; t->type != ENDTOKEN; t++) {
		switch (t->type) {
		case KEYWORD:
		case ALL:
		case GROUP:
		case FLAG:
			fprintf(stderr, " %s", t->keyword);
			break;
		case SERVICENAME:
			fprintf(stderr, " <service>");
			break;
		case GROUPNAME:
			fprintf(stderr, " <group>");
			break;
		case SECONDS:
			fprintf(stderr, " <seconds 0-%d>", DEMOTE_WAIT_MAX);
			break;
		case HEARTBEATNAME:
			fprintf(stderr, " <heartbeat>");
			break;
		case NOTOKEN:
		case ENDTOKEN:
			break;
		}
	}
	fprintf(stderr, "\n");
	exit(1);
}
