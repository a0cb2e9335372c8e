# hafod: high-availability failover daemon (CARP v2, bundle) for Linux.
#
#   make            build obj/bin/hafod and obj/bin/hafoctl
#   make deps       install every Debian package the build, tests and demo need
#   make check      deps, build, unit tests (plain and ASan+UBSan), regress
#   make demo       deps, build, a live failover in network namespaces
#   make demo-sites deps, build, two sites and a witness: the controller
#                   site lost, the other site told it is the controller
#   make fuzz       deps, every libFuzzer harness for FUZZ_SECONDS (60) each
#   make bench      deps, build, failover, idle and wire figures (root;
#                   BENCH_QUICK=1 for a 15-minute trial,
#                   BENCH_SECTIONS to choose, see regress/bench/bench.sh)
#   make soak       deps, build, faults at random for SOAK_MINUTES (60)
#                   with every promise checked (root; see regress/soak)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        deps, obj/deb/hafod_VERSION_ARCH.deb, checked by lintian

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/hafod
UNITDIR	?= /lib/systemd/system

CC	?= cc
YACC	 = byacc
PKGS	 = libbsd-overlay libevent_core libnl-3.0 libnl-route-3.0 libcrypto \
	   libseccomp

WARNINGS = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wsign-compare -Wformat=2 -Wno-unused-parameter
CFLAGS	?= -O2 -g
CFLAGS	+= $(WARNINGS) -D_GNU_SOURCE -Ihafod
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
# corosync's client libraries: for hafod's quorum process alone.
QUORUM_PKGS = libvotequorum libcmap libcpg
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

HAFOD_SRCS = \
	hafod/addr.c \
	hafod/announce.c \
	hafod/bundle.c \
	hafod/carp.c \
	hafod/check.c \
	hafod/child.c \
	hafod/config.c \
	hafod/control.c \
	hafod/cpg.c \
	hafod/demote.c \
	hafod/ebundle.c \
	hafod/edemote.c \
	hafod/engine.c \
	hafod/ehandover.c \
	hafod/epromote.c \
	hafod/equorum.c \
	hafod/esites.c \
	hafod/fsm.c \
	hafod/group.c \
	hafod/hafod.c \
	hafod/heartbeat.c \
	hafod/hmac.c \
	hafod/holddown.c \
	hafod/hook.c \
	hafod/log.c \
	hafod/maint.c \
	hafod/msg.c \
	hafod/msgev.c \
	hafod/names.c \
	hafod/net.c \
	hafod/netlink.c \
	hafod/notify.c \
	hafod/pquorum.c \
	hafod/printconf.c \
	hafod/psites.c \
	hafod/quorum.c \
	hafod/reload.c \
	hafod/sandbox.c \
	hafod/sites.c \
	hafod/sites_wire.c \
	hafod/vip.c \
	hafod/vmac.c \
	parse.y

HAFOCTL_SRCS = \
	hafoctl/hafoctl.c \
	hafoctl/output.c \
	hafoctl/output_json.c \
	hafoctl/output_metrics.c \
	hafoctl/parser.c \
	hafoctl/utf8.c \
	hafod/addr.c \
	hafod/log.c \
	hafod/msg.c \
	hafod/names.c

# Unit tests and the pure code each links, without sockets or netlink.
UNIT_TESTS = t_bundle t_carp t_demote t_esites t_fsm t_holddown t_msg t_parse \
	     t_psites t_reload t_sites
t_bundle_SRCS	= hafod/bundle.c hafod/hmac.c hafod/names.c hafod/log.c
t_carp_SRCS	= hafod/carp.c hafod/hmac.c hafod/addr.c hafod/names.c \
		  hafod/log.c
t_demote_SRCS	= hafod/demote.c
t_esites_SRCS	= hafod/esites.c hafod/msg.c hafod/log.c
t_fsm_SRCS	= hafod/fsm.c hafod/addr.c hafod/names.c hafod/log.c
t_holddown_SRCS	= hafod/holddown.c
t_msg_SRCS	= hafod/msg.c hafod/log.c
t_parse_SRCS	= parse.y hafod/printconf.c hafod/addr.c hafod/names.c \
		  hafod/bundle.c hafod/hmac.c \
		  hafod/log.c
t_psites_SRCS	= hafod/psites.c hafod/names.c hafod/log.c
t_reload_SRCS	= hafod/config.c
t_sites_SRCS	= hafod/sites.c hafod/sites_wire.c
t_sandbox_SRCS	= hafod/sandbox.c hafod/carp.c hafod/bundle.c hafod/hmac.c \
		  hafod/addr.c hafod/log.c

objs = $(patsubst %.y,$(1)/%.o,$(patsubst %.c,$(1)/%.o,$(2)))

all: obj/bin/hafod obj/bin/hafoctl

obj/bin/hafod: $(call objs,obj,$(HAFOD_SRCS))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) \
	    $(shell pkg-config --libs $(QUORUM_PKGS))

obj/hafod/quorum.o obj/asan/hafod/quorum.o obj/hafod/cpg.o \
obj/asan/hafod/cpg.o: \
	CFLAGS += $(shell pkg-config --cflags $(QUORUM_PKGS))

# hafod with ASan+UBSan, for make soak SOAK_ASAN=1.
obj/asan/bin/hafod: $(call objs,obj/asan,$(HAFOD_SRCS))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(SANITIZE) -o $@ $^ $(PKG_LIBS) \
	    $(shell pkg-config --libs $(QUORUM_PKGS))

# hafoctl needs only libbsd: no libcrypto, no netlink, no libevent.
obj/bin/hafoctl: $(call objs,obj,$(HAFOCTL_SRCS))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libbsd-overlay)

# Every build product is under obj/: objects at obj/SOURCE.o, built with
# ASan+UBSan under obj/asan/, for libFuzzer under obj/fuzz/.  The compiler
# writes each object's header dependencies beside it (-MMD, and -MP so
# that a header removed is no error); they are read at the end.
DEPFLAGS = -MMD -MP
COMPILE	 = $(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(PKG_CFLAGS) -c -o $@
COMPILE_ASAN = $(CC) $(CFLAGS) $(SANITIZE) $(DEPFLAGS) $(PKG_CFLAGS) -c -o $@
COMPILE_FUZZ = $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	   $(DEPFLAGS) $(PKG_CFLAGS) -c -o $@

obj/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE) $<

obj/asan/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE_ASAN) $<

obj/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(COMPILE_FUZZ) $<

# The generated parser is compiled from the build directory; byacc's
# skeleton is not ours to keep warning-free, so sign-compare is relaxed.
obj/parse.c: parse.y
	@mkdir -p $(@D)
	$(YACC) -o $@ parse.y

obj/parse.o obj/asan/parse.o obj/fuzz/parse.o: CFLAGS += -Wno-sign-compare -I.
obj/parse.o: obj/parse.c
	$(COMPILE) obj/parse.c
obj/asan/parse.o: obj/parse.c
	@mkdir -p $(@D)
	$(COMPILE_ASAN) obj/parse.c
obj/fuzz/parse.o: obj/parse.c
	@mkdir -p $(@D)
	$(COMPILE_FUZZ) obj/parse.c

# Unit tests: atf-c programs, built plain and with ASan+UBSan into the
# test tree.
ATF_CFLAGS = $(shell pkg-config --cflags atf-c)
ATF_LIBS   = $(shell pkg-config --libs atf-c)
obj/regress/unit/%.o obj/asan/regress/unit/%.o: CFLAGS += $(ATF_CFLAGS)

# t_sandbox runs plain only: the sanitizers' runtime makes calls that the
# filter it tests would kill.
UNIT_PLAIN = $(addprefix obj/regress/unit/,$(UNIT_TESTS) t_sandbox)
UNIT_ASAN  = $(addprefix obj/regress/unit-asan/,$(UNIT_TESTS))

.SECONDEXPANSION:
$(UNIT_PLAIN): obj/regress/unit/%: obj/regress/unit/%.o \
	$$(call objs,obj,$$($$*_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(ATF_LIBS) $(PKG_LIBS)

$(UNIT_ASAN): obj/regress/unit-asan/%: obj/asan/regress/unit/%.o \
	obj/asan/regress/unit/lsan.o $$(call objs,obj/asan,$$($$*_SRCS))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $(SANITIZE) -o $@ $^ $(ATF_LIBS) $(PKG_LIBS)

# The tree Kyua runs, obj/regress: the unit tests are built into it, the
# rest are links into regress/.  Whole directories of scripts are linked,
# so that a script's "$(atf_get_srcdir)/../.." is the top of the sources
# whichever tree it runs from.  One program at a time, after make unit:
#	cd obj/regress && kyua test netns/t_daemon
TESTTREE = obj/regress/Kyuafile obj/regress/unit/Kyuafile \
	   obj/regress/unit-asan/Kyuafile obj/regress/config \
	   obj/regress/fuzz obj/regress/netns obj/regress/pkg

$(TESTTREE):
	@mkdir -p $(@D)
	ln -sfnr $(@:obj/%=%) $@

unit: $(UNIT_PLAIN) $(UNIT_ASAN) $(TESTTREE)

# libFuzzer harnesses (clang, ASan+UBSan) and the code each drives; make
# check runs each briefly (regress/fuzz/t_fuzz), make fuzz for longer.
FUZZERS = advert bundle config msg control engine sites
fuzz_advert_SRCS	= hafod/carp.c hafod/hmac.c hafod/addr.c hafod/names.c \
			  hafod/log.c
fuzz_bundle_SRCS	= hafod/bundle.c hafod/hmac.c hafod/names.c hafod/log.c
fuzz_config_SRCS	= parse.y hafod/printconf.c hafod/addr.c \
			  hafod/names.c hafod/log.c hafod/bundle.c hafod/hmac.c
fuzz_msg_SRCS		= hafod/msg.c hafod/log.c
fuzz_sites_SRCS		= hafod/sites.c hafod/sites_wire.c hafod/log.c
fuzz_control_SRCS	= hafod/control.c hafod/fsm.c hafod/msg.c \
			  hafod/addr.c hafod/names.c hafod/log.c \
			  hafod/heartbeat.c hafod/epromote.c hafod/holddown.c \
			  hafod/ehandover.c hafod/esites.c
# fuzz_engine.c includes hafod/engine.c, epromote.c and equorum.c (their
# dependencies say so); net.c is faked.
fuzz_engine_SRCS	= regress/fuzz/fake_net.c hafod/fsm.c hafod/carp.c \
			  hafod/bundle.c hafod/hmac.c hafod/ebundle.c \
			  hafod/demote.c hafod/holddown.c hafod/config.c \
			  hafod/msg.c hafod/msgev.c hafod/control.c hafod/addr.c \
			  hafod/names.c hafod/log.c hafod/heartbeat.c \
			  hafod/esites.c
FUZZ_CC	 = clang
# clang's -Wformat=2 also objects to log.c building its formats.
FUZZ_CFLAGS = $(CFLAGS) -Wno-format-nonliteral $(SANITIZE)
FUZZ_SECONDS ?= 60
FUZZ_PROGS = $(addprefix obj/fuzz/fuzz_,$(FUZZERS))

# The harnesses sit with their objects and the corpus regress/fuzz/run
# grows in obj/fuzz; t_fuzz, not they, is what Kyua runs.
$(FUZZ_PROGS): obj/fuzz/fuzz_%: obj/fuzz/regress/fuzz/fuzz_%.o \
	obj/fuzz/regress/fuzz/fuzz.o $$(call objs,obj/fuzz,$$(fuzz_$$*_SRCS))
	$(FUZZ_CC) $(LDFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ \
	    $(PKG_LIBS)

fuzzers: $(FUZZ_PROGS)

fuzz: deps
	$(MAKE) fuzzers
	regress/fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

# Every Debian package the build, the tests and the demo need.
DEBS = build-essential pkg-config byacc libbsd-dev libevent-dev \
	libnl-3-dev libnl-route-3-dev libssl-dev kyua atf-sh libatf-dev \
	mandoc iproute2 iputils-ping nftables procps ucarp python3 tcpdump \
	libseccomp-dev clang libclang-rt-14-dev mount corosync \
	corosync-qdevice corosync-qnetd libvotequorum-dev libcpg-dev \
	libcmap-dev libquorum-dev debhelper dpkg-dev fakeroot lintian \
	debootstrap systemd

# promtool, the strictest parser of the metrics format, comes in Debian 12
# only with the whole Prometheus server, whose installation would start a
# server on port 9090: take the one program out of the package instead.
PROMTOOL = /usr/local/libexec/hafod-regress/promtool

deps:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "make deps: run as root to install:$$missing" >&2; \
			exit 1; \
		fi; \
		echo "make deps: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq --no-install-recommends \
		    $$missing >/dev/null || exit 1; \
	fi
	@[ -x $(PROMTOOL) ] || { \
		echo "make deps: extracting promtool to $(PROMTOOL)"; \
		d=$$(mktemp -d) && cd $$d && \
		apt-get download -qq prometheus 2>/dev/null && \
		dpkg-deb --fsys-tarfile prometheus_*.deb | \
		    tar -xf - ./usr/bin/promtool && \
		install -D -m 755 usr/bin/promtool $(PROMTOOL); \
		rc=$$?; rm -rf $$d; exit $$rc; }

# pkg-config is read when make starts, so what deps installs is seen
# only by a second make.
check: deps
	$(MAKE) -j2 all unit fuzzers
	$(MAKE) deb
	regress/run

demo: deps
	$(MAKE) all
	regress/demo.sh

demo-sites: deps
	$(MAKE) all
	regress/demo-sites.sh

# Not part of check: it takes a while and its figures are for reading.
bench: deps
	$(MAKE) all
	regress/bench/bench.sh

# Not part of check either: it runs for an hour by default.  The
# settings go to regress/soak/soak.py through the environment; see its
# header.  SOAK_ASAN=1 runs the ASan+UBSan build of hafod.
SOAK_MINUTES	?= 60
SOAK_ADVBASE	?= 1
SOAK_NODES	?= 3
SOAK_SEED	?=
SOAK_ASAN	?=
soak: deps
	$(MAKE) all $(if $(SOAK_ASAN),obj/asan/bin/hafod)
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_ADVBASE=$(SOAK_ADVBASE) \
	    SOAK_NODES=$(SOAK_NODES) SOAK_SEED=$(SOAK_SEED) \
	    SOAK_ASAN=$(SOAK_ASAN) \
	    $(if $(SOAK_ASAN),HAFOD=$(CURDIR)/obj/asan/bin/hafod) \
	    regress/soak/soak.sh

lint:
	mandoc -Tlint -Wwarning hafod.conf.5 hafod/hafod.8 hafoctl/hafoctl.8

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)/var/empty
	install -m 555 obj/bin/hafod obj/bin/hafoctl $(DESTDIR)$(SBINDIR)
	install -m 444 hafod.conf.5 $(DESTDIR)$(MANDIR)/man5
	install -m 444 hafod/hafod.8 hafoctl/hafoctl.8 $(DESTDIR)$(MANDIR)/man8
	# Never /etc/hafod.conf: the unit starts hafod once one exists, and
	# an example bound to eth0 is not what anyone means to run.
	install -m 444 etc/hafod.conf $(DESTDIR)$(DOCDIR)/examples/hafod.conf
	sed 's,@SBINDIR@,$(SBINDIR),g' etc/hafod.service > \
	    $(DESTDIR)$(UNITDIR)/hafod.service
	if [ -z "$(DESTDIR)" ] && ! getent passwd _hafod >/dev/null; then \
		useradd --system --no-create-home --home-dir /var/empty \
		    --shell /usr/sbin/nologin _hafod; \
	fi

# dpkg-buildpackage writes beside the source directory: it builds a copy
# under obj/deb, so the .deb lands in obj/deb and the tree stays clean.
deb: deps
	rm -rf obj/deb
	mkdir -p obj/deb/hafod
	tar -cf - --exclude=./obj --exclude=./.git . | \
	    tar -C obj/deb/hafod -xf -
	cd obj/deb/hafod && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning obj/deb/*.changes

clean:
	rm -rf obj

# Not those of the package's own build under obj/deb.
-include $(shell find obj -path obj/deb -prune -o -name '*.d' -type f \
    -print 2>/dev/null)

.PHONY: all unit fuzzers fuzz deps check demo demo-sites bench soak lint \
	install deb clean
.SUFFIXES:
