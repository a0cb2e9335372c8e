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

#ifndef HAFOCTL_H
#define HAFOCTL_H

#include "hafod.h"

#define DEMOTE_WAIT_DEFAULT	10	/* seconds */
#define DEMOTE_WAIT_MAX		3600

/* parser.c: the command line */
enum actions {
	NONE,
	SHOW,
	SHOW_SERVICE,
	SHOW_QUORUM,
	SHOW_SITES,
	DEMOTE,
	UNDEMOTE,
	PROMOTE,
	RELOAD,
	LOG_VERBOSE,
	LOG_BRIEF,
	SHOW_METRICS,
	HEARTBEAT
};

struct parse_result {
	enum actions	action;
	uint8_t		kind;		/* CTL_ALL, CTL_SERVICE, CTL_GROUP */
	uint8_t		flags;		/* CTL_F_* */
	int		wait;		/* demote: seconds, 0: do not wait */
	char		name[SERVICE_NAME_MAX];
};

struct parse_result	*parse(int, char *[]);

/* A service as shown, with the peers it has heard and its heartbeats. */
struct show_service {
	struct ctl_service	svc;
	struct ctl_peer		peers[CTL_PEERS_MAX];
	size_t			npeers;
	struct ctl_heartbeat	hbs[SERVICE_HEARTBEATS_MAX];
	size_t			nhbs;
};

/* show sites: the node's view and an entity each. */
struct show_sites {
	struct ctl_sites	 sites;
	struct ctl_site_role	*roles;
	size_t			 nroles;
};

/*
 * Output: human text (output.c) or JSON (output_json.c), the same calls
 * in the same order for every command.  show: head, service for each,
 * iface for each interface (show of all only), tail.  show quorum:
 * head, quorum, tail.  show sites: head, sites, tail.  Other commands:
 * head, result for each line (and whether it reports a failure), tail
 * with the exit status.
 */
struct output {
	void	(*head)(const struct parse_result *);
	void	(*service)(const struct parse_result *,
		    const struct show_service *);
	void	(*quorum)(const struct parse_result *,
		    const struct ctl_quorum *);
	void	(*result)(const char *, int);
	void	(*tail)(const struct parse_result *, int);
	void	(*iface)(const struct parse_result *,
		    const struct ctl_iface *);
	void	(*sites)(const struct parse_result *,
		    const struct show_sites *);
};

extern const struct output	show_output;
extern const struct output	json_output;

/* output.c: the words for DEMOTE_* bits, for both outputs */
struct demote_reason {
	uint32_t	 bit;
	const char	*name;
};
extern const struct demote_reason	demote_reasons[];	/* NULL ends */

/* output.c: a peer's drift in a sentence, for both outputs */
const char	*drift_line(const struct ctl_service *,
		    const struct ctl_drift *);

/* output.c: the words of show sites, for both outputs */
const char	*sites_cpg_word(uint8_t);
const char	*site_role_word(uint8_t);
const char	*site_word(const struct msg_sites *, uint8_t);
const char	*site_node(const struct msg_sites *, uint32_t);

/* output_metrics.c: show metrics, Prometheus text format 0.0.4 */
void	output_metrics(const struct show_service *, size_t,
	    const struct ctl_iface *, size_t, const struct ctl_quorum *,
	    const struct show_sites *);

/* utf8.c: what JSON and the metrics may print of a name as it is */
size_t	utf8_seqlen(const unsigned char *);

#endif /* HAFOCTL_H */
