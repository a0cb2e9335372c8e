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
 * The parent: root, it reads the configuration, opens the sockets, forks
 * the unprivileged engine and then only acts on the host on the engine's
 * word: it adds and removes addresses and announces them.  It never reads
 * a byte from the network.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hafod.h"
#include "log.h"
#include "parent.h"

#define SHUTDOWN_TIMEOUT	10	/* seconds the engine gets to bow out */

static struct event_base	*base;
static struct msgchan		 chan;
static struct event		*chanev;
static struct event		*chanwev;	/* armed while one waits */
static pid_t			 engine_pid;
static int			 shutting_down;
static struct event		*shutdown_ev;
static const char		*conffile = HAFOD_CONF;
static char			 sockpath[PATH_MAX];
static char			 hbpath[PATH_MAX];	/* "": none yet */
static pid_t			 parent_pid;
static int			 debug;

extern char			**environ;

static void	parent_write(int, short, void *);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-dnv] [-D macro=value] [-f file]\n",
	    getprogname());
	exit(1);
}

struct event_base *
parent_base(void)
{
	return (base);
}

/*
 * Queue for the engine and write what the socket takes now; the rest
 * goes when it is writable.  An engine that reads nothing of so many
 * messages is stuck: stop it, and so take down what we put up.
 */
void
parent_send(uint32_t type, uint32_t peerid, int fd, const void *data,
    size_t len)
{
	if (msgchan_compose(&chan, type, peerid, getpid(), fd, data,
	    len) == -1) {
		if (errno == ENOBUFS) {
			kill(engine_pid, SIGKILL);
			fatalx("engine has not read %zu messages: it is stuck",
			    chan.wqlen);
		}
		fatal("msgchan_compose %s", msg_type_name(type));
	}
	parent_write(chan.fd, EV_WRITE, NULL);
}

/* An engine that exited is seen, and answered, by engine_gone(). */
static void
parent_write(int fd, short event, void *arg)
{
	if (msgev_write(&chan, chanwev) == -1 && errno != EPIPE &&
	    errno != ECONNRESET)
		fatal("write to engine");
}

static void
parent_state(const struct msg_state *st)
{
	struct pservice	*ps;

	if ((ps = pservice_find(st->service)) == NULL) {
		log_warnx("state change for unknown service %u", st->service);
		return;
	}
	ps->state = st->state;
	/* A deferred promote is no master yet for its group (group.c). */
	if (st->state != CARP_MASTER)
		ps->promote_held = 0;
	else if (st->state != st->prev)
		ps->promote_held = st->defer != 0;
	if (st->hold)
		vip_take(ps);
	else
		vip_release(ps);
	/* After the addresses: promote finds them up, demote gone. */
	hook_transition(ps, st);
	if (ps->retired && st->state != CARP_MASTER) {
		/* Across sites, its role ends with the hook just queued. */
		psites_changed();
		pservice_free(ps);
		return;
	}
	vip_report(ps);
	if (ps->conf.group[0] != '\0')
		group_state(ps->conf.group, st->reason);
	/* After the promote or demote hooks: controller follows them. */
	psites_changed();
	notify_status();
}

/*
 * Ask the engine for MSG_ALIVE, at once and then as often as the
 * watchdog needs: its first answer says it has read the configuration
 * sent before, and so that the daemon is ready.
 */
static void
engine_ping(void)
{
	uint32_t	ms = notify_alive_ms();

	parent_send(MSG_WATCHDOG, 0, -1, &ms, sizeof(ms));
}

/* SIGHUP or hafoctl reload: the service manager hears of it too. */
static void
parent_reload(uint32_t client)
{
	notify_reloading();
	services_reload(conffile, client);
	engine_ping();
}

/*
 * Every way out of the parent, fatal() included, removes our VIPs.  A
 * quorum process, forked after this was registered, must not run it.
 */
static void
parent_atexit(void)
{
	if (getpid() != parent_pid)
		return;
	quorum_stop();
	vip_release_all();
	if (sockpath[0] != '\0')
		unlink(sockpath);
	if (hbpath[0] != '\0')
		unlink(hbpath);
}

static __dead void
parent_exit(int status)
{
	log_info("exiting");
	exit(status);
}

static void
hooks_drain(int fd, short event, void *arg)
{
	static struct event	*ev;
	struct timeval		 tv = { 0, 100000 };

	if (hook_idle())
		parent_exit(0);
	if (ev == NULL && (ev = evtimer_new(base, hooks_drain, NULL)) == NULL)
		fatal("evtimer_new");
	evtimer_add(ev, &tv);
}

/* The engine is gone: say how, take down what we put up, and go. */
static void
engine_gone(void)
{
	static int	gone;
	int		status;

	if (gone)
		return;
	gone = 1;
	event_del(chanev);
	if (waitpid(engine_pid, &status, 0) == -1)
		fatal("waitpid");
	/*
	 * The engine exits 0 only once every service has let go; the demote
	 * and stop hooks of that still run, each within its timeout.
	 */
	if (shutting_down && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (shutdown_ev != NULL)
			evtimer_del(shutdown_ev);
		checks_stop();
		hooks_drain(-1, 0, NULL);
		return;
	}
	if (WIFSIGNALED(status))
		log_warnx("engine died: killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		log_warnx("engine died: exited with status %d",
		    WEXITSTATUS(status));
	parent_exit(1);
}

static void
parent_dispatch(int fd, short event, void *arg)
{
	struct msg		m;
	struct msg_state	st;
	struct msg_persist	mp;
	struct msg_log		ml;
	struct msg_hook_run	hr;
	struct pservice		*ps;
	uint32_t		id;
	int32_t			verbose;
	ssize_t			n;

	if ((n = msgchan_read(&chan)) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* A reset is the engine exiting; engine_gone() says how. */
		if (errno != ECONNRESET)
			log_warn("read from engine");
		engine_gone();
		return;
	}
	if (n == 0) {
		engine_gone();
		return;
	}
	for (;;) {
		if ((n = msgchan_get(&chan, &m)) == -1) {
			log_warn("message from engine");
			kill(engine_pid, SIGKILL);
			engine_gone();
			return;
		}
		if (n == 0)
			break;
		if (msg_check_size(&m) == -1 || m.fd != -1) {
			log_warnx("bad %s message from engine",
			    msg_type_name(m.hdr.type));
			kill(engine_pid, SIGKILL);
			engine_gone();
			return;
		}
		switch (m.hdr.type) {
		case MSG_STATE:
			memcpy(&st, m.data, sizeof(st));
			st.reason[sizeof(st.reason) - 1] = '\0';
			parent_state(&st);
			break;
		case MSG_ANNOUNCE:
			memcpy(&id, m.data, sizeof(id));
			if ((ps = pservice_find(id)) != NULL &&
			    ps->state == CARP_MASTER)
				vip_announce(ps);
			break;
		case MSG_QUIET:
			memcpy(&id, m.data, sizeof(id));
			if ((ps = pservice_find(id)) != NULL)
				vip_quiet(ps);
			break;
		case MSG_HOOK_RUN:
			memcpy(&hr, m.data, sizeof(hr));
			hr.reason[sizeof(hr.reason) - 1] = '\0';
			if ((ps = pservice_find(hr.service)) != NULL) {
				hook_run(ps, &hr);
				/* A role waits for the promote hook. */
				psites_changed();
			}
			break;
		case MSG_SHUTDOWN_DONE:
			log_debug("engine: every service has let go");
			break;
		case MSG_RELOAD:
			parent_reload(m.hdr.peerid);
			break;
		case MSG_ALIVE:
			notify_alive();
			break;
		case MSG_VERBOSE:
			memcpy(&verbose, m.data, sizeof(verbose));
			log_setverbose(verbose);
			log_info("logging %s", verbose ? "verbose" : "brief");
			break;
		case MSG_PERSIST:
			memcpy(&mp, m.data, sizeof(mp));
			mp.name[sizeof(mp.name) - 1] = '\0';
			maint_update(&mp);
			break;
		case MSG_LOG:
			memcpy(&ml, m.data, sizeof(ml));
			ml.line[sizeof(ml.line) - 1] = '\0';
			log_relay(ml.pri, "engine", ml.line);
			break;
		default:
			log_warnx("unexpected %s message from engine",
			    msg_type_name(m.hdr.type));
			kill(engine_pid, SIGKILL);
			engine_gone();
			return;
		}
	}
}

void
link_changed(const struct msg_link *ml, void *arg)
{
	struct pservice	*ps;
	int		 ours = 0;

	tracks_eval(0);
	TAILQ_FOREACH(ps, &pservices, entry) {
		if (strcmp(ps->conf.ifname, ml->ifname) != 0)
			continue;
		ps->ifindex = ml->ifindex;
		ours = 1;
	}
	if (ours)
		parent_send(MSG_LINK, 0, -1, ml, sizeof(*ml));
}

static void
link_event(int fd, short event, void *arg)
{
	link_monitor_dispatch(link_changed, NULL);
}

/*
 * A master with handover exclusive bows out until its demote hook has
 * ended (ehandover.c): the engine gets that long more.
 */
static time_t
shutdown_secs(void)
{
	struct pservice	*ps;
	time_t		 secs = 0, s;

	TAILQ_FOREACH(ps, &pservices, entry) {
		if (ps->conf.handover != HANDOVER_EXCLUSIVE)
			continue;
		s = ps->hooks.timeout + HOOK_KILL_GRACE + 1;
		if (s > secs)
			secs = s;
	}
	return (SHUTDOWN_TIMEOUT + secs);
}

static void
shutdown_timeout(int fd, short event, void *arg)
{
	log_warnx("engine did not finish bowing out in %lld seconds",
	    (long long)shutdown_secs());
	kill(engine_pid, SIGKILL);
	parent_exit(1);
}

static void
parent_signal(int sig, short event, void *arg)
{
	struct timeval		 tv = { SHUTDOWN_TIMEOUT, 0 };
	siginfo_t		 si;

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (shutting_down) {
			log_warnx("%s again: stopping at once",
			    strsignal(sig));
			kill(engine_pid, SIGKILL);
			parent_exit(1);
		}
		log_info("%s: shutting down", strsignal(sig));
		notify_stopping();
		shutting_down = 1;
		tv.tv_sec = shutdown_secs();
		parent_send(MSG_SHUTDOWN, 0, -1, NULL, 0);
		if ((shutdown_ev = evtimer_new(base, shutdown_timeout,
		    NULL)) == NULL || evtimer_add(shutdown_ev, &tv) == -1)
			fatal("evtimer");
		break;
	case SIGHUP:
		parent_reload(0);
		break;
	case SIGCHLD:
		hook_reap();
		check_reap();
		quorum_reap(shutting_down);
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, engine_pid, &si, WEXITED | WNOHANG |
		    WNOWAIT) == 0 && si.si_pid == engine_pid)
			engine_gone();
		break;
	}
}

/* The chroot must be root's and nobody else's to write to, as sshd's. */
static void
check_chroot(const char *dir)
{
	struct stat	st;

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0755) == -1 ||
		    stat(dir, &st) == -1)
			err(1, "chroot directory %s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		errx(1, "chroot directory %s: not a directory", dir);
	if (st.st_uid != 0 || (st.st_mode & 022) != 0)
		errx(1, "chroot directory %s: must be owned by root and "
		    "not writable by others", dir);
}

/*
 * The control socket: created here, served by the engine.  Anyone may
 * connect; the engine reads each client's credentials to decide what it
 * may do.  A socket that answers means another hafod runs.
 */
static int
control_open(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(1, "control socket path %s is too long", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "control socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		errx(1, "another hafod is running: %s answers", path);
	if (unlink(path) == -1 && errno != ENOENT)
		err(1, "remove stale %s", path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(1, "bind %s", path);
	if (chmod(path, 0666) == -1)
		err(1, "chmod %s", path);
	if (listen(fd, 16) == -1)
		err(1, "listen %s", path);
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1)
		err(1, "fcntl %s", path);
	return (fd);
}

/*
 * The heartbeat socket: created here, read by the engine.  Anyone may
 * send to it; the engine counts a datagram only from the heartbeat's
 * user or root, by the credentials the kernel attaches (SO_PASSCRED),
 * which a sender cannot forge.  So the mode is 0666: a group or an owner
 * would gate nothing the credentials do not, and would have to follow
 * every heartbeat's user.  A socket that answers means another hafod.
 */
static int
heartbeat_open(const char *path, char *why, size_t len)
{
	struct sockaddr_un	sun;
	int			fd, on = 1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(why, len, "heartbeat socket path %s is too long",
		    path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		snprintf(why, len, "heartbeat socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(why, len, "another hafod is running: %s answers",
		    path);
		close(fd);
		return (-1);
	}
	if ((unlink(path) == -1 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1) {
		snprintf(why, len, "heartbeat socket %s: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

static int
heartbeat_wanted(const struct config *conf)
{
	const struct service	*s;

	TAILQ_FOREACH(s, &conf->services, entry)
		if (s->conf.nheartbeats > 0)
			return (1);
	return (0);
}

/*
 * At the start and on reload: the socket opens with the first heartbeat
 * configured, so that a hafod without heartbeats has none, and stays
 * open until we exit.
 */
void
heartbeat_socket(const struct config *conf)
{
	char	why[256];
	int	fd;

	if (!heartbeat_wanted(conf))
		return;
	if (hbpath[0] != '\0') {
		if (strcmp(hbpath, conf->heartbeat) != 0)
			log_warnx("heartbeat socket takes effect at the next "
			    "start");
		return;
	}
	if ((fd = heartbeat_open(conf->heartbeat, why, sizeof(why))) == -1) {
		log_warnx("%s: heartbeats cannot be heard", why);
		return;
	}
	strlcpy(hbpath, conf->heartbeat, sizeof(hbpath));
	parent_send(MSG_HEARTBEAT, 0, fd, NULL, 0);
}

/*
 * Root's part of the start, before the engine exists: what can fail is
 * said on stderr, before we become a daemon.
 */
static void
parent_prepare(struct config *conf, int *packet_fd, int *control_fd)
{
	char		 why[256];
	int		 fd;

	check_chroot(conf->chroot);
	if (TAILQ_EMPTY(&conf->services))
		errx(1, "%s: no service configured", conffile);
	if (netlink_init() == -1)
		errx(1, "cannot open netlink");
	if (services_start(conf, why, sizeof(why)) == -1)
		errx(1, "%s", why);
	maint_load(conf->state);
	if ((*packet_fd = announce_open()) == -1)
		err(1, "cannot open a packet socket for announcements");
	*control_fd = control_open(conf->socket);
	strlcpy(sockpath, conf->socket, sizeof(sockpath));
	/* Said now, on stderr; opened for real once the engine runs. */
	if (heartbeat_wanted(conf)) {
		if ((fd = heartbeat_open(conf->heartbeat, why,
		    sizeof(why))) == -1)
			errx(1, "%s", why);
		close(fd);
	}
}

/*
 * The epoch of the bundle format's counters (hafod.8, BUNDLE FORMAT):
 * above the last start's, and above the clock's 256-second ticks, so
 * that the counters of this run are above every one a peer heard from
 * the last, with or without the file.  Kept before the engine sends.
 */
static uint64_t
epoch_load(const char *state)
{
	char		 path[PATH_MAX], tmp[PATH_MAX], line[64], *slash;
	uint64_t	 stored = 0, epoch;
	FILE		*f;
	int		 fd;

	if ((size_t)snprintf(path, sizeof(path), "%s.epoch", state) >=
	    sizeof(path) || (size_t)snprintf(tmp, sizeof(tmp),
	    "%s.epoch.XXXXXX", state) >= sizeof(tmp)) {
		log_warnx("%s.epoch: path too long", state);
		return ((uint64_t)time(NULL) >> 8);
	}
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL)
			stored = strtoull(line, NULL, 10);
		fclose(f);
	} else if (errno != ENOENT)
		log_warn("%s", path);
	epoch = (uint64_t)time(NULL) >> 8;
	if (stored + 1 > epoch)
		epoch = stored + 1;
	/* The counter has 24 bits for it, the sequence 40. */
	epoch &= (1ULL << (64 - BUNDLE_SEQ_BITS)) - 1;

	/* The directory of the state file, as maint.c makes it. */
	if ((slash = strrchr(tmp, '/')) != NULL && slash != tmp) {
		*slash = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			log_warn("mkdir %s", tmp);
		*slash = '/';
	}
	if ((fd = mkstemp(tmp)) == -1) {
		log_warn("cannot keep the bundle epoch: %s", tmp);
		return (epoch);
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		close(fd);
		unlink(tmp);
		return (epoch);
	}
	fprintf(f, "%llu\n", (unsigned long long)epoch);
	if (fflush(f) == EOF || fsync(fd) == -1 || fclose(f) == EOF ||
	    rename(tmp, path) == -1) {
		log_warn("cannot keep the bundle epoch in %s", path);
		unlink(tmp);
	}
	return (epoch);
}

/* Fork the engine; the parent keeps its end of the socket pair. */
static int
engine_start(const struct passwd *pw, const char *chroot, int packet_fd,
    int control_fd, uint64_t epoch)
{
	int	fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    fds) == -1)
		fatal("socketpair");
	switch (engine_pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		close(fds[0]);
		close(packet_fd);
		close(control_fd);
		netlink_close();
		engine_main(fds[1], pw, chroot, epoch);
	}
	close(fds[1]);
	return (fds[0]);
}

/* The parent's events: the engine, signals, the link monitor. */
static void
parent_events(int fd)
{
	struct event	*ev;
	const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	size_t		 i;

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	msgchan_init(&chan, fd);
	if ((chanev = event_new(base, fd, EV_READ | EV_PERSIST,
	    parent_dispatch, NULL)) == NULL || event_add(chanev, NULL) == -1 ||
	    (chanwev = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    parent_write, NULL)) == NULL)
		fatalx("event_new");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if ((ev = evsignal_new(base, sigs[i], parent_signal,
		    NULL)) == NULL || evsignal_add(ev, NULL) == -1)
			fatalx("evsignal_new");
	signal(SIGPIPE, SIG_IGN);
	if ((ev = event_new(base, link_monitor_fd(), EV_READ | EV_PERSIST,
	    link_event, NULL)) == NULL || event_add(ev, NULL) == -1)
		fatalx("link monitor");
}

int
main(int argc, char *argv[])
{
	struct config		*conf;
	struct pservice		*ps;
	struct passwd		*pw;
	int			 ch, verbose = 0, noaction = 0;
	int			 fd, packet_fd, control_fd;

	setproctitle_init(argc, argv, environ);
	log_init(1, LOG_DAEMON);	/* stderr until we know better */

	while ((ch = getopt(argc, argv, "dD:f:nv")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'D':
			if (cmdline_symset(optarg) < 0)
				errx(1, "could not parse macro definition %s",
				    optarg);
			break;
		case 'f':
			conffile = optarg;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc > 0)
		usage();
	log_setverbose(verbose);

	/* Checking a configuration is for anyone; running is for root. */
	if (!noaction && geteuid() != 0)
		errx(1, "need root privileges");
	if ((conf = parse_config(conffile, verbose ? HAFOD_OPT_VERBOSE :
	    0)) == NULL)
		exit(1);
	if (noaction) {
		if (verbose)
			print_config(conf);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	if ((pw = getpwnam(conf->user)) == NULL)
		errx(1, "unknown user %s", conf->user);
	parent_prepare(conf, &packet_fd, &control_fd);

	log_init(debug, LOG_DAEMON);
	log_setverbose(verbose);
	log_procinit("parent");
	if (!debug && daemon(1, 0) == -1)
		fatal("daemon");
	parent_pid = getpid();
	notify_init();

	TAILQ_FOREACH(ps, &pservices, entry)
		vip_remove_stale(ps);

	/*
	 * Kept at every start, bundle or not: a reload may bring the
	 * first bundle service, and the next start must still be above
	 * this run's counters.
	 */
	fd = engine_start(pw, conf->chroot, packet_fd, control_fd,
	    epoch_load(conf->state));
	if (atexit(parent_atexit) != 0)
		fatal("atexit");
	setproctitle("parent");
	log_info("started; engine is pid %ld", (long)engine_pid);

	parent_events(fd);
	notify_start(base);
	quorum_init(conf, pw, debug);
	vip_init(packet_fd);
	parent_send(MSG_CONTROL, 0, control_fd, NULL, 0);
	heartbeat_socket(conf);
	services_send();
	services_weights();
	quorum_start();
	notify_status();
	engine_ping();

	if (event_base_dispatch(base) == -1)
		fatalx("event_base_dispatch");
	parent_exit(1);
}
