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
 * Hooks and health checks, run by the parent: one hook at a time per
 * queue, in the order the transitions happened, each bounded by its
 * timeout; checks on their own timers.  Nothing here ever blocks the
 * parent, and the engine never waits for any of it.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"

#define HOOK_KILL_GRACE		2	/* seconds from SIGTERM to SIGKILL */
#define HOOK_QUEUE_MAX		64
#define HOOK_LOG_LINES		100
#define HOOK_LOG_LINE		256

/* A child: a hook or one run of a check. */
struct child {
	pid_t			 pid;
	int			 outfd;		/* -1: output discarded */
	struct event		*outev;
	struct event		*killev;
	int			 killed;	/* 1: TERM sent, 2: KILL sent */
	int			 lines;
	size_t			 linelen;
	char			 line[HOOK_LOG_LINE];
	char			 label[SERVICE_NAME_MAX + 96];
};

struct hook_job {
	TAILQ_ENTRY(hook_job)	 entry;
	enum hook_event		 event;
	char			*cmd;
	char			**env;
	char			 user[LOGIN_NAME_MAX];
	uint32_t		 timeout;
};

struct hook_queue {
	TAILQ_ENTRY(hook_queue)	 entry;
	TAILQ_HEAD(, hook_job)	 jobs;
	int			 njobs;
	struct hook_job		*running;
	struct child		 child;
	char			 label[SERVICE_NAME_MAX + 32];
	uint32_t		 id;		/* for the results */
	int			 dead;		/* freed once idle */
};

struct check {
	TAILQ_ENTRY(check)	 entry;
	struct check_conf	 conf;		/* cmd is our own copy */
	char			 target[SERVICE_NAME_MAX];
	char			 user[LOGIN_NAME_MAX];
	char			**env;
	uint32_t		 id;		/* service told of its weight */
	uint8_t			 index;
	struct child		 child;
	struct event		*tick;
	int			 passes;
	int			 fails;
	int			 failing;
	char			 label[SERVICE_NAME_MAX + 48];
};

static struct event_base	*base;
static void			(*report)(uint32_t, const char *);
static void			(*weigh)(uint32_t, uint8_t, int, uint8_t,
				    const char *);
static TAILQ_HEAD(, hook_queue)	 queues = TAILQ_HEAD_INITIALIZER(queues);
static TAILQ_HEAD(, check)	 checks = TAILQ_HEAD_INITIALIZER(checks);

static void	hook_next(struct hook_queue *);
static void	child_output(int, short, void *);

void
hook_init(struct event_base *b, void (*result)(uint32_t, const char *),
    void (*weight)(uint32_t, uint8_t, int, uint8_t, const char *))
{
	base = b;
	report = result;
	weigh = weight;
}

static void
env_free(char **env)
{
	char	**e;

	if (env == NULL)
		return;
	for (e = env; *e != NULL; e++)
		free(*e);
	free(env);
}

/*
 * Run cmd with /bin/sh in a process group of its own, stdin from
 * /dev/null, stdout and stderr to a pipe we log (or to /dev/null), no
 * descriptor of ours, only the environment given, as user if set.
 */
static int
spawn(struct child *c, const char *cmd, char **env, const char *user,
    int logged)
{
	struct passwd	*pw = NULL;
	int		 out[2] = { -1, -1 }, null;
	pid_t		 pid;

	if (user[0] != '\0' && (pw = getpwnam(user)) == NULL) {
		log_warnx("%s: unknown user %s", c->label, user);
		return (-1);
	}
	if (logged && pipe2(out, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", c->label);
		return (-1);
	}
	switch (pid = fork()) {
	case -1:
		log_warn("%s: fork", c->label);
		if (logged) {
			close(out[0]);
			close(out[1]);
		}
		return (-1);
	case 0:
		if (setsid() == -1 ||
		    (null = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(null, STDIN_FILENO) == -1 ||
		    dup2(logged ? out[1] : null, STDOUT_FILENO) == -1 ||
		    dup2(logged ? out[1] : null, STDERR_FILENO) == -1)
			_exit(126);
		closefrom(STDERR_FILENO + 1);
		if (pw != NULL && (setgroups(1, &pw->pw_gid) == -1 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1))
			_exit(126);
		/* Signals the parent ignores must not stay ignored. */
		signal(SIGPIPE, SIG_DFL);
		execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, env);
		_exit(127);
	}
	c->pid = pid;
	c->killed = 0;
	c->lines = 0;
	c->linelen = 0;
	c->outfd = -1;
	if (logged) {
		close(out[1]);
		c->outfd = out[0];
		if (fcntl(c->outfd, F_SETFL, O_NONBLOCK) == -1)
			log_warn("%s: fcntl", c->label);
		if ((c->outev = event_new(base, c->outfd, EV_READ | EV_PERSIST,
		    child_output, c)) == NULL || event_add(c->outev, NULL) == -1)
			fatal("event_new");
	}
	return (0);
}

static void
child_line(struct child *c)
{
	c->line[c->linelen] = '\0';
	if (c->lines < HOOK_LOG_LINES)
		log_info("%s: %s", c->label, c->line);
	else if (c->lines == HOOK_LOG_LINES)
		log_info("%s: more output not logged", c->label);
	c->lines++;
	c->linelen = 0;
}

/* Log what the child wrote, a line at a time, bounded. */
static void
child_output(int fd, short event, void *arg)
{
	struct child	*c = arg;
	char		 buf[1024];
	ssize_t		 n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				child_line(c);
				continue;
			}
			if (c->linelen < sizeof(c->line) - 1)
				c->line[c->linelen++] = buf[i];
		}
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (c->linelen > 0)
			child_line(c);
		event_free(c->outev);
		c->outev = NULL;
		close(c->outfd);
		c->outfd = -1;
	}
}

/* A descendant may keep the pipe open: take what is there and close. */
static void
child_done(struct child *c)
{
	if (c->outfd != -1) {
		child_output(c->outfd, EV_READ, c);
		if (c->outev != NULL)
			event_free(c->outev);
		c->outev = NULL;
		if (c->outfd != -1)
			close(c->outfd);
		c->outfd = -1;
	}
	if (c->killev != NULL)
		evtimer_del(c->killev);
	c->pid = 0;
}

/* Past its time: SIGTERM to the whole group, then SIGKILL. */
static void
child_kill(int fd, short event, void *arg)
{
	struct child	*c = arg;
	struct timeval	 tv = { HOOK_KILL_GRACE, 0 };

	if (c->pid == 0)
		return;
	if (c->killed == 0) {
		log_warnx("%s: timed out: terminating it", c->label);
		c->killed = 1;
		kill(-c->pid, SIGTERM);
		evtimer_add(c->killev, &tv);
	} else {
		log_warnx("%s: still running: killing it", c->label);
		c->killed = 2;
		kill(-c->pid, SIGKILL);
	}
}

static void
child_arm(struct child *c, uint32_t timeout)
{
	struct timeval	tv = { timeout, 0 };

	if (c->killev == NULL &&
	    (c->killev = evtimer_new(base, child_kill, c)) == NULL)
		fatal("evtimer_new");
	evtimer_add(c->killev, &tv);
}

static void
child_status(const struct child *c, int status, uint32_t timeout,
    char *buf, size_t len)
{
	if (c->killed)
		snprintf(buf, len, "timed out after %u s", timeout);
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status %d", status);
}

struct hook_queue *
hookq_new(const char *name, uint32_t id)
{
	struct hook_queue	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		fatal(NULL);
	TAILQ_INIT(&q->jobs);
	strlcpy(q->label, name, sizeof(q->label));
	q->id = id;
	q->child.outfd = -1;
	TAILQ_INSERT_TAIL(&queues, q, entry);
	return (q);
}

static void
hookq_destroy(struct hook_queue *q)
{
	struct hook_job	*job;

	while ((job = TAILQ_FIRST(&q->jobs)) != NULL) {
		TAILQ_REMOVE(&q->jobs, job, entry);
		env_free(job->env);
		free(job->cmd);
		free(job);
	}
	if (q->child.killev != NULL)
		event_free(q->child.killev);
	TAILQ_REMOVE(&queues, q, entry);
	free(q);
}

/* The queue's owner is gone: its hooks still run, in order, then it goes. */
void
hookq_free(struct hook_queue *q)
{
	if (q == NULL)
		return;
	q->dead = 1;
	if (q->running == NULL && TAILQ_EMPTY(&q->jobs))
		hookq_destroy(q);
}

void
hookq_setid(struct hook_queue *q, uint32_t id)
{
	q->id = id;
}

/*
 * Queue the hook of a transition.  It runs when those before it have
 * finished: a slow hook delays the next, never reorders it.
 */
void
hook_queue(struct hook_queue *q, enum hook_event ev,
    const struct hooks_conf *hc, char **env)
{
	struct hook_job	*job;

	if (hc->cmd[ev] == NULL) {
		env_free(env);
		return;
	}
	if (q->njobs >= HOOK_QUEUE_MAX) {
		log_warnx("%s: %d hooks waiting: not running the %s hook",
		    q->label, q->njobs, hook_name(ev));
		env_free(env);
		return;
	}
	if ((job = calloc(1, sizeof(*job))) == NULL ||
	    (job->cmd = strdup(hc->cmd[ev])) == NULL)
		fatal(NULL);
	job->event = ev;
	job->env = env;
	job->timeout = hc->timeout;
	strlcpy(job->user, hc->user, sizeof(job->user));
	TAILQ_INSERT_TAIL(&q->jobs, job, entry);
	q->njobs++;
	hook_next(q);
}

static void
hook_next(struct hook_queue *q)
{
	struct hook_job	*job;
	char		 text[96];

	while (q->running == NULL && (job = TAILQ_FIRST(&q->jobs)) != NULL) {
		TAILQ_REMOVE(&q->jobs, job, entry);
		q->njobs--;
		snprintf(q->child.label, sizeof(q->child.label),
		    "%s: %s hook", q->label, hook_name(job->event));
		if (spawn(&q->child, job->cmd, job->env, job->user, 1) == -1) {
			if (report != NULL && q->id != 0) {
				snprintf(text, sizeof(text),
				    "%s: could not start", hook_name(job->event));
				report(q->id, text);
			}
			env_free(job->env);
			free(job->cmd);
			free(job);
			continue;
		}
		log_debug("%s: started, pid %ld", q->child.label,
		    (long)q->child.pid);
		child_arm(&q->child, job->timeout);
		q->running = job;
	}
	if (q->dead && q->running == NULL)
		hookq_destroy(q);
}

static void
hook_finished(struct hook_queue *q, int status)
{
	struct hook_job	*job = q->running;
	char		 result[64], text[96];

	child_status(&q->child, status, job->timeout, result, sizeof(result));
	child_done(&q->child);
	if (!q->child.killed && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		log_info("%s: %s hook: %s", q->label, hook_name(job->event),
		    result);
	else
		log_warnx("%s: %s hook failed: %s", q->label,
		    hook_name(job->event), result);
	snprintf(text, sizeof(text), "%s: %s", hook_name(job->event), result);
	if (report != NULL && q->id != 0)
		report(q->id, text);
	q->running = NULL;
	env_free(job->env);
	free(job->cmd);
	free(job);
	hook_next(q);
}

/* Checks: each on its own timer, never two runs of one at a time. */
static void
check_tick(int fd, short event, void *arg)
{
	struct check	*ck = arg;
	struct timeval	 tv = { ck->conf.every, 0 };

	evtimer_add(ck->tick, &tv);
	if (ck->child.pid != 0) {
		log_debug("%s: still running, not started again", ck->label);
		return;
	}
	if (spawn(&ck->child, ck->conf.cmd, ck->env, ck->user, 0) == -1)
		return;
	child_arm(&ck->child, ck->conf.timeout);
}

static void
check_finished(struct check *ck, int status)
{
	char	result[64];
	int	ok;

	ok = !ck->child.killed && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
	child_status(&ck->child, status, ck->conf.timeout, result,
	    sizeof(result));
	child_done(&ck->child);
	if (ok) {
		ck->fails = 0;
		ck->passes++;
	} else {
		ck->passes = 0;
		ck->fails++;
		log_debug("%s: failed (%s), %d in a row", ck->label, result,
		    ck->fails);
	}
	if (!ck->failing && ck->fails >= ck->conf.fall) {
		ck->failing = 1;
		log_warnx("%s: failing (%s): demoting %s by %u", ck->label,
		    result, ck->target, ck->conf.weight);
		weigh(ck->id, ck->index, 1, ck->conf.weight, ck->label);
	} else if (ck->failing && ck->passes >= ck->conf.rise) {
		ck->failing = 0;
		log_info("%s: passing again: lifting the demotion of %s",
		    ck->label, ck->target);
		weigh(ck->id, ck->index, 0, ck->conf.weight, ck->label);
	}
}

/*
 * Start a check for the service with id.  A check with the same target
 * and command from before a reload keeps its counts, so a reload neither
 * lifts nor repeats a demotion.
 */
void
check_add(const struct check_conf *cc, const char *target, const char *user,
    char **env, uint32_t id, uint8_t index)
{
	struct check	*ck, *old;
	struct timeval	 tv = { 0, 0 };

	if ((ck = calloc(1, sizeof(*ck))) == NULL ||
	    (ck->conf.cmd = strdup(cc->cmd)) == NULL)
		fatal(NULL);
	ck->conf.every = cc->every;
	ck->conf.timeout = cc->timeout;
	ck->conf.weight = cc->weight;
	ck->conf.rise = cc->rise;
	ck->conf.fall = cc->fall;
	strlcpy(ck->target, target, sizeof(ck->target));
	strlcpy(ck->user, user, sizeof(ck->user));
	ck->env = env;
	ck->id = id;
	ck->index = index;
	ck->child.outfd = -1;
	snprintf(ck->label, sizeof(ck->label), "%s: check %u", target,
	    index + 1);
	strlcpy(ck->child.label, ck->label, sizeof(ck->child.label));
	TAILQ_FOREACH(old, &checks, entry)
		if (old->id == 0 && strcmp(old->target, target) == 0 &&
		    strcmp(old->conf.cmd, cc->cmd) == 0) {
			ck->failing = old->failing;
			ck->passes = old->passes;
			ck->fails = old->fails;
			old->failing = 0;
			break;
		}
	if ((ck->tick = evtimer_new(base, check_tick, ck)) == NULL)
		fatal("evtimer_new");
	TAILQ_INSERT_TAIL(&checks, ck, entry);
	if (ck->failing)
		weigh(ck->id, ck->index, 1, ck->conf.weight, ck->label);
	evtimer_add(ck->tick, &tv);
}

static void
check_free(struct check *ck)
{
	if (ck->child.pid != 0) {
		kill(-ck->child.pid, SIGKILL);
		(void)waitpid(ck->child.pid, NULL, 0);
	}
	TAILQ_REMOVE(&checks, ck, entry);
	event_free(ck->tick);
	if (ck->child.killev != NULL)
		event_free(ck->child.killev);
	if (ck->child.outev != NULL)
		event_free(ck->child.outev);
	env_free(ck->env);
	free(ck->conf.cmd);
	free(ck);
}

/*
 * Before a reload: mark every check old (id 0) so check_add can take
 * over their counts; check_flush then drops what was not taken over.
 */
void
check_mark(void)
{
	struct check	*ck;

	TAILQ_FOREACH(ck, &checks, entry) {
		ck->id = 0;
		evtimer_del(ck->tick);
	}
}

void
check_flush(void)
{
	struct check	*ck, *next;

	TAILQ_FOREACH_SAFE(ck, &checks, entry, next)
		if (ck->id == 0)
			check_free(ck);
}

/* Nothing running or waiting: the parent may exit. */
int
hook_idle(void)
{
	struct hook_queue	*q;

	TAILQ_FOREACH(q, &queues, entry)
		if (q->running != NULL || !TAILQ_EMPTY(&q->jobs))
			return (0);
	return (1);
}

/* Stop every check, e.g. when exiting: their runs are killed. */
void
check_stop(void)
{
	check_mark();
	check_flush();
}

/* SIGCHLD: collect every hook and check that has finished. */
void
hook_reap(void)
{
	struct hook_queue	*q, *qnext;
	struct check		*ck, *cnext;
	int			 status;

	TAILQ_FOREACH_SAFE(q, &queues, entry, qnext)
		if (q->running != NULL &&
		    waitpid(q->child.pid, &status, WNOHANG) == q->child.pid)
			hook_finished(q, status);
	TAILQ_FOREACH_SAFE(ck, &checks, entry, cnext)
		if (ck->child.pid != 0 &&
		    waitpid(ck->child.pid, &status, WNOHANG) == ck->child.pid) {
			if (ck->id == 0)
				check_free(ck);
			else
				check_finished(ck, status);
		}
}

/* The environment of a hook or check: ours, nothing inherited. */
char **
hook_env(const char *const pairs[][2], int n)
{
	char	**env;
	int	  i, k = 0;

	if ((env = calloc(n + 2, sizeof(*env))) == NULL)
		fatal(NULL);
	if ((env[k++] = strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin")) == NULL)
		fatal(NULL);
	for (i = 0; i < n; i++)
		if (asprintf(&env[k++], "%s=%s", pairs[i][0],
		    pairs[i][1] != NULL ? pairs[i][1] : "") == -1)
			fatal(NULL);
	return (env);
}
