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
 * Commands the parent runs for hooks and health checks: each in a process
 * group of its own with only the environment we give it, its output
 * logged a line at a time and bounded, its time bounded by SIGTERM and
 * then SIGKILL.  Nothing here blocks the parent.
 */

#include <sys/types.h>
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
#include "parent.h"

#define CHILD_KILL_GRACE	HOOK_KILL_GRACE /* the bounds count on it */
#define CHILD_LOG_LINES		100

static void	child_output(int, short, void *);

void
child_env_free(char **env)
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
int
child_spawn(struct child *c, const char *cmd, char **env, const char *user,
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
		if ((c->outev = event_new(parent_base(), c->outfd,
		    EV_READ | EV_PERSIST, child_output, c)) == NULL ||
		    event_add(c->outev, NULL) == -1)
			fatal("event_new");
	}
	return (0);
}

static void
child_line(struct child *c)
{
	c->line[c->linelen] = '\0';
	if (c->lines < CHILD_LOG_LINES)
		log_info("%s: %s", c->label, c->line);
	else if (c->lines == CHILD_LOG_LINES)
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

static void
child_close_output(struct child *c)
{
	if (c->outev != NULL)
		event_free(c->outev);
	c->outev = NULL;
	if (c->outfd != -1)
		close(c->outfd);
	c->outfd = -1;
}

/* A descendant may keep the pipe open: take what is there and close. */
void
child_done(struct child *c)
{
	if (c->outfd != -1) {
		child_output(c->outfd, EV_READ, c);
		child_close_output(c);
	}
	if (c->killev != NULL)
		evtimer_del(c->killev);
	/*
	 * A hook that exits at the SIGTERM may leave in its group a
	 * descendant that ignores it.  Its SIGKILL comes now, in the
	 * wake-up that reaped the hook, not at the end of the grace: the
	 * group's number is free for reuse once the group is empty, and a
	 * later kill might reach a stranger.
	 */
	if (c->killed == 1 && c->pid != 0)
		(void)kill(-c->pid, SIGKILL);
	c->pid = 0;
}

/* Past its time: SIGTERM to the whole group, then SIGKILL. */
static void
child_kill(int fd, short event, void *arg)
{
	struct child	*c = arg;
	struct timeval	 tv = { CHILD_KILL_GRACE, 0 };

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

void
child_arm(struct child *c, uint32_t timeout)
{
	struct timeval	tv = { timeout, 0 };

	if (c->killev == NULL &&
	    (c->killev = evtimer_new(parent_base(), child_kill, c)) == NULL)
		fatal("evtimer_new");
	evtimer_add(c->killev, &tv);
}

void
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

/* The environment of a hook or check: ours, nothing inherited. */
char **
child_env(const char *const pairs[][2], int n)
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

/* Exited 0 on its own, not killed at its timeout. */
int
child_ok(const struct child *c, int status)
{
	return (!c->killed && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Kill what still runs and free the child's events. */
void
child_free(struct child *c)
{
	if (c->pid != 0) {
		kill(-c->pid, SIGKILL);
		(void)waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	child_close_output(c);
	if (c->killev != NULL)
		event_free(c->killev);
	c->killev = NULL;
}
