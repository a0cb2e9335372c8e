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
 * The maintenance file: services put under maintenance with
 * "hafoctl demote -p", one name a line, so that a restart cannot make
 * them master again.  Root owns the file and the parent writes it, on the
 * engine's word; so every name is checked against the configuration.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

struct pmaint {
	TAILQ_ENTRY(pmaint)	 entry;
	char			 name[SERVICE_NAME_MAX];
};

static TAILQ_HEAD(, pmaint)	 pmaints = TAILQ_HEAD_INITIALIZER(pmaints);
static char			 path[PATH_MAX];

/* A name as the grammar allows one: printable, no blank, not too long. */
static int
name_ok(const char *name)
{
	size_t	i, len = strnlen(name, SERVICE_NAME_MAX);

	if (len == 0 || len == SERVICE_NAME_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)name[i]))
			return (0);
	return (1);
}

void
maint_load(const char *file)
{
	struct pmaint	*pm;
	FILE		*f;
	char		 line[256];

	if (strlcpy(path, file, sizeof(path)) >= sizeof(path))
		fatalx("state file name too long: %s", file);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (!name_ok(line)) {
			log_warnx("%s: ignoring a line that names no service",
			    path);
			continue;
		}
		if ((pm = calloc(1, sizeof(*pm))) == NULL)
			fatal(NULL);
		strlcpy(pm->name, line, sizeof(pm->name));
		TAILQ_INSERT_TAIL(&pmaints, pm, entry);
	}
	fclose(f);
}

static void
maint_save(void)
{
	struct pmaint	*pm;
	char		 tmp[PATH_MAX], dir[PATH_MAX], *slash;
	FILE		*f;
	int		 fd;

	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("cannot keep maintenance state: mkdir %s",
			    dir);
			return;
		}
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp) || (fd = mkstemp(tmp)) == -1) {
		log_warn("cannot keep maintenance state in %s", path);
		return;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		close(fd);
		unlink(tmp);
		return;
	}
	fprintf(f, "# services under maintenance (hafoctl demote -p)\n");
	TAILQ_FOREACH(pm, &pmaints, entry)
		fprintf(f, "%s\n", pm->name);
	if (fflush(f) == EOF || fsync(fd) == -1 || fclose(f) == EOF ||
	    rename(tmp, path) == -1) {
		log_warn("cannot keep maintenance state in %s", path);
		unlink(tmp);
	}
}

void
maint_update(const struct msg_persist *mp)
{
	struct pmaint	*pm;

	/* The engine is the less trusted process: names only we know. */
	if (!name_ok(mp->name) || pservice_named(mp->name) == NULL) {
		log_warnx("engine asked to keep maintenance of an unknown "
		    "service: ignored");
		return;
	}
	TAILQ_FOREACH(pm, &pmaints, entry)
		if (strcmp(pm->name, mp->name) == 0)
			break;
	if (mp->demoted && pm == NULL) {
		if ((pm = calloc(1, sizeof(*pm))) == NULL)
			fatal(NULL);
		strlcpy(pm->name, mp->name, sizeof(pm->name));
		TAILQ_INSERT_TAIL(&pmaints, pm, entry);
	} else if (!mp->demoted && pm != NULL) {
		TAILQ_REMOVE(&pmaints, pm, entry);
		free(pm);
	} else
		return;
	log_info("%s: maintenance %s", mp->name,
	    mp->demoted ? "kept across restarts" : "lifted");
	maint_save();
}

/* Tell the engine what is kept, before it starts the services. */
void
maint_send(void)
{
	struct pmaint		*pm;
	struct msg_persist	 mp;

	TAILQ_FOREACH(pm, &pmaints, entry) {
		memset(&mp, 0, sizeof(mp));
		strlcpy(mp.name, pm->name, sizeof(mp.name));
		mp.demoted = 1;
		parent_send(MSG_PERSIST, 0, -1, &mp, sizeof(mp));
	}
}
