# hafod: high-availability failover daemon (CARP v2) for Linux.
#
#   make            build hafod/hafod and hafoctl/hafoctl
#   make deps       install every Debian package the build, tests and demo need
#   make check      deps, build, unit tests (plain and ASan+UBSan), regress
#   make demo       deps, build, a live failover in network namespaces
#   make fuzz       deps, every libFuzzer harness for FUZZ_SECONDS (60) each
#   make bench      deps, build, failover and idle figures (root, ~22 min;
#                   BENCH_QUICK=1 for a 6-minute trial, see regress/bench)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
ETCDIR	?= /etc
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
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

HAFOD_SRCS = \
	hafod/addr.c \
	hafod/announce.c \
	hafod/carp.c \
	hafod/check.c \
	hafod/child.c \
	hafod/config.c \
	hafod/control.c \
	hafod/demote.c \
	hafod/engine.c \
	hafod/fsm.c \
	hafod/group.c \
	hafod/hafod.c \
	hafod/hook.c \
	hafod/log.c \
	hafod/maint.c \
	hafod/msg.c \
	hafod/names.c \
	hafod/net.c \
	hafod/netlink.c \
	hafod/printconf.c \
	hafod/reload.c \
	hafod/sandbox.c \
	hafod/vip.c \
	parse.y

HAFOCTL_SRCS = \
	hafoctl/hafoctl.c \
	hafoctl/output.c \
	hafoctl/output_json.c \
	hafoctl/parser.c \
	hafod/addr.c \
	hafod/log.c \
	hafod/msg.c \
	hafod/names.c

# Unit tests and the pure code each links, without sockets or netlink.
UNIT_TESTS = t_carp t_demote t_fsm t_msg t_parse t_reload
t_carp_SRCS	= hafod/carp.c hafod/addr.c hafod/names.c hafod/log.c
t_demote_SRCS	= hafod/demote.c
t_fsm_SRCS	= hafod/fsm.c hafod/addr.c hafod/names.c hafod/log.c
t_msg_SRCS	= hafod/msg.c hafod/log.c
t_parse_SRCS	= parse.y hafod/printconf.c hafod/addr.c hafod/log.c
t_reload_SRCS	= hafod/config.c
t_sandbox_SRCS	= hafod/sandbox.c hafod/carp.c hafod/addr.c hafod/log.c

objs = $(patsubst %.y,$(1)/%.o,$(patsubst %.c,$(1)/%.o,$(2)))

all: hafod/hafod hafoctl/hafoctl

hafod/hafod: $(call objs,obj,$(HAFOD_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# hafoctl needs only libbsd: no libcrypto, no netlink, no libevent.
hafoctl/hafoctl: $(call objs,obj,$(HAFOCTL_SRCS))
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs libbsd-overlay)

obj/hafoctl/%.o obj-asan/hafoctl/%.o: hafoctl/hafoctl.h

obj/%.o: %.c hafod/hafod.h hafod/log.h hafod/engine.h hafod/parent.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

obj-asan/%.o: %.c hafod/hafod.h hafod/log.h hafod/engine.h hafod/parent.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(PKG_CFLAGS) -c -o $@ $<

# The generated parser is compiled from the build directory; byacc's
# skeleton is not ours to keep warning-free, so sign-compare is relaxed.
obj/parse.c obj-asan/parse.c obj-fuzz/parse.c: parse.y
	@mkdir -p $(@D)
	$(YACC) -o $@ parse.y

obj/parse.o obj-asan/parse.o obj-fuzz/parse.o: CFLAGS += -Wno-sign-compare -I.
obj/parse.o: obj/parse.c hafod/hafod.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ obj/parse.c
obj-asan/parse.o: obj-asan/parse.c hafod/hafod.h
	$(CC) $(CFLAGS) $(SANITIZE) $(PKG_CFLAGS) -c -o $@ obj-asan/parse.c

# Unit tests: atf-c programs, built plain and with ASan+UBSan.
ATF_CFLAGS = $(shell pkg-config --cflags atf-c)
ATF_LIBS   = $(shell pkg-config --libs atf-c)

.SECONDEXPANSION:
regress/unit/%: regress/unit/%.c $$(call objs,obj,$$($$*_SRCS))
	$(CC) $(CFLAGS) $(PKG_CFLAGS) $(ATF_CFLAGS) -o $@ $^ \
	    $(ATF_LIBS) $(PKG_LIBS)

regress/unit-asan/%: regress/unit/%.c regress/unit/lsan.c \
	$$(call objs,obj-asan,$$($$*_SRCS))
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(PKG_CFLAGS) $(ATF_CFLAGS) -o $@ $^ \
	    $(ATF_LIBS) $(PKG_LIBS)

# t_sandbox runs plain only: the sanitizers' runtime makes calls that the
# filter it tests would kill.
unit: $(addprefix regress/unit/,$(UNIT_TESTS) t_sandbox) \
	$(addprefix regress/unit-asan/,$(UNIT_TESTS))

# libFuzzer harnesses (clang, ASan+UBSan) and the code each drives; make
# check runs each briefly (regress/fuzz/t_fuzz), make fuzz for longer.
FUZZERS = advert config msg control engine
fuzz_advert_SRCS	= hafod/carp.c hafod/addr.c hafod/names.c hafod/log.c
fuzz_config_SRCS	= parse.y hafod/printconf.c hafod/addr.c hafod/log.c
fuzz_msg_SRCS		= hafod/msg.c hafod/log.c
fuzz_control_SRCS	= hafod/control.c hafod/fsm.c hafod/msg.c \
			  hafod/addr.c hafod/names.c hafod/log.c
# fuzz_engine.c includes hafod/engine.c itself; net.c is faked.
fuzz_engine_SRCS	= regress/fuzz/fake_net.c hafod/fsm.c hafod/carp.c \
			  hafod/demote.c hafod/config.c hafod/msg.c \
			  hafod/control.c hafod/addr.c hafod/names.c \
			  hafod/log.c
FUZZ_CC	 = clang
# clang's -Wformat=2 also objects to log.c building its formats.
FUZZ_CFLAGS = $(CFLAGS) -Wno-format-nonliteral $(SANITIZE)
FUZZ_SECONDS ?= 60

obj-fuzz/%.o: %.c hafod/hafod.h hafod/log.h hafod/engine.h hafod/parent.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    $(PKG_CFLAGS) -c -o $@ $<

obj-fuzz/parse.o: obj-fuzz/parse.c hafod/hafod.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
	    $(PKG_CFLAGS) -c -o $@ obj-fuzz/parse.c

regress/fuzz/fuzz_%: regress/fuzz/fuzz_%.c regress/fuzz/fuzz.c \
	regress/fuzz/fuzz.h $$(call objs,obj-fuzz,$$(fuzz_$$*_SRCS))
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) \
	    -o $@ $(filter-out %.h hafod/engine.c,$^) $(PKG_LIBS)
regress/fuzz/fuzz_engine: hafod/engine.c

fuzzers: $(addprefix regress/fuzz/fuzz_,$(FUZZERS))
.PRECIOUS: obj-fuzz/%.o obj-fuzz/parse.c

fuzz: deps
	$(MAKE) fuzzers
	regress/fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

# Every Debian package the build, the tests and the demo need.
DEBS = build-essential pkg-config byacc libbsd-dev libevent-dev \
	libnl-3-dev libnl-route-3-dev libssl-dev kyua atf-sh libatf-dev \
	mandoc iproute2 iputils-ping nftables procps ucarp python3 tcpdump \
	libseccomp-dev clang libclang-rt-14-dev

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

# pkg-config is read when make starts, so what deps installs is seen
# only by a second make.
check: deps
	$(MAKE) all unit fuzzers
	regress/run

demo: deps
	$(MAKE) all
	regress/demo.sh

# Not part of check: it takes a while and its figures are for reading.
bench: deps
	$(MAKE) all
	regress/bench/bench.sh

lint:
	mandoc -Tlint -Wwarning hafod.conf.5 hafod/hafod.8 hafoctl/hafoctl.8

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(ETCDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)/var/empty
	install -m 555 hafod/hafod hafoctl/hafoctl $(DESTDIR)$(SBINDIR)
	install -m 444 hafod.conf.5 $(DESTDIR)$(MANDIR)/man5
	install -m 444 hafod/hafod.8 hafoctl/hafoctl.8 $(DESTDIR)$(MANDIR)/man8
	[ -e $(DESTDIR)$(ETCDIR)/hafod.conf ] || \
	    install -m 600 etc/hafod.conf $(DESTDIR)$(ETCDIR)/hafod.conf
	sed 's,@SBINDIR@,$(SBINDIR),g' etc/hafod.service > \
	    $(DESTDIR)$(UNITDIR)/hafod.service
	if [ -z "$(DESTDIR)" ] && ! getent passwd _hafod >/dev/null; then \
		useradd --system --no-create-home --home-dir /var/empty \
		    --shell /usr/sbin/nologin _hafod; \
	fi

clean:
	rm -rf obj obj-asan obj-fuzz hafod/hafod hafoctl/hafoctl \
	    $(addprefix regress/fuzz/fuzz_,$(FUZZERS)) \
	    $(addprefix regress/unit/,$(UNIT_TESTS) t_sandbox) \
	    $(addprefix regress/unit-asan/,$(UNIT_TESTS))

.PHONY: all unit fuzzers fuzz deps check demo bench lint install clean
.SUFFIXES:
