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
 * The names of states and drop reasons, as the logs, hafoctl and its
 * JSON spell them.  Apart from the code that makes them, so that hafoctl
 * links no libcrypto to name a drop reason.
 */

#include <sys/types.h>

#include "hafod.h"

static const char *carp_drop_names[DROP_MAX] = {
	[DROP_NONE] =		"none",
	[DROP_LENGTH] =		"bad-length",
	[DROP_VERSION] =	"bad-version",
	[DROP_AUTHLEN] =	"bad-authlen",
	[DROP_TTL] =		"bad-ttl",
	[DROP_CHECKSUM] =	"bad-checksum",
	[DROP_VHID] =		"unknown-vhid",
	[DROP_HMAC] =		"bad-hmac",
	[DROP_OWN] =		"own-address",
	[DROP_SOURCE] =		"unexpected-source",
	[DROP_REPLAY] =		"replay",
	[DROP_FORMAT] =		"other-format",
	[DROP_PEERS] =		"too-many-senders",
	[DROP_MALFORMED] =	"malformed",
};

static const char *const hook_names[HOOK_MAX] = {
	"promote", "demote", "backup", "fault", "stop", "fence",
	"controller", "standby"
};

static const char *const drift_names[DRIFT_MAX] = {
	[DRIFT_NONE] =		"none",
	[DRIFT_ADDRESSES] =	"addresses",
	[DRIFT_INTERVAL] =	"interval",
	[DRIFT_PASSWORD] =	"password",
	[DRIFT_PROTOCOL] =	"protocol",
};

const char *
drift_name(enum drift_kind kind)
{
	if ((unsigned int)kind >= DRIFT_MAX)
		return ("unknown");
	return (drift_names[kind]);
}

/* States in the CARP spelling, as logs, hooks and hafoctl show them. */
const char *
state_name(enum carp_state state)
{
	switch (state) {
	case CARP_INIT:
		return ("INIT");
	case CARP_BACKUP:
		return ("BACKUP");
	case CARP_MASTER:
		return ("MASTER");
	case CARP_LINKDOWN:
		return ("LINKDOWN");
	}
	return ("UNKNOWN");
}

const char *
carp_drop_name(enum carp_drop reason)
{
	if ((unsigned int)reason >= DROP_MAX)
		return ("unknown");
	return (carp_drop_names[reason]);
}

/*
 * The word of an event, as the grammar, the logs, the hooks and the
 * metrics spell it.
 */
const char *
hook_name(enum hook_event ev)
{
	return ((unsigned int)ev < HOOK_MAX ? hook_names[ev] : "unknown");
}

/* Quorum, as the configuration, hafoctl and its JSON spell it. */
const char *
quorum_link_word(uint8_t link)
{
	switch (link) {
	case QUORUM_OFF:
		return ("off");
	case QUORUM_DOWN:
		return ("down");
	case QUORUM_UP:
		return ("up");
	case QUORUM_REFUSED:
		return ("refused");
	}
	return ("unknown");
}

const char *
quorum_policy_word(uint8_t policy)
{
	switch (policy) {
	case QUORUM_POLICY_FAST:
		return ("fast");
	case QUORUM_POLICY_STRICT:
		return ("strict");
	}
	return ("unknown");
}

/* What a master's promote hook waits for (XWAIT_*), for hafoctl. */
const char *
xwait_name(unsigned int w)
{
	static const char *const words[] = {
		"nothing", "the old master to release",
		"the old master's bound", "the fence hook",
		"the next fence try"
	};

	return (w < sizeof(words) / sizeof(words[0]) ? words[w] : "unknown");
}
