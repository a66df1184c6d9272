# pfish: build, install and test.  GNU make.
#
# Every program is one thin main (DIR/NAME-main.c); everything else is
# compiled into obj/libpfish.a so tests and fuzzers link the real code.
# New sources are picked up by wildcard: add files, not rules.

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
LIBEXECDIR ?=	$(PREFIX)/libexec
MANDIR ?=	$(PREFIX)/share/man
EXAMPLESDIR ?=	$(PREFIX)/share/examples/pfish
SYSTEMDDIR ?=	$(PREFIX)/lib/systemd/system
SYSUSERSDIR ?=	$(PREFIX)/lib/sysusers.d
TMPFILESDIR ?=	$(PREFIX)/lib/tmpfiles.d
DESTDIR ?=
# Manual pages, examples, units and scripts name /usr/local paths; the
# installed copies name the real ones.
SUBST =		sed -e 's|/usr/local/libexec|$(LIBEXECDIR)|g' \
		    -e 's|/usr/local/bin|$(BINDIR)|g' \
		    -e 's|/usr/local/share/examples/pfish|$(EXAMPLESDIR)|g' \
		    -e 's|/usr/local/share/man|$(MANDIR)|g' \
		    -e 's|/usr/local|$(PREFIX)|g'

# Build output; check-asan builds into its own pair of directories.
O ?=		obj
B ?=		bin

CC ?=		cc
PKGS =		libsodium libcrypto libevent_core libbsd-overlay libssh
PKG_CFLAGS :=	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS :=	$(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS :=	$(shell pkg-config --libs cmocka 2>/dev/null)
# The names libssh and libcrypto are loaded by at run time (*_SONAME, read
# off the libraries the build compiles against, below): age/ageident.c
# opens libssh only for a passphrase-protected key (pfish links it anyway;
# the other programs need not load it), lib/aead.c opens libcrypto only
# past its first 2 MiB of ChaCha20-Poly1305, and no program links it.
PFISH_DEFS =	-DPFISH_LIBSSH_SONAME='"$(LIBSSH_SONAME)"' \
		-DPFISH_LIBCRYPTO_SONAME='"$(LIBCRYPTO_SONAME)"'
# The Debian package that provides each pkg-config package.
DEB_libsodium =		libsodium-dev
DEB_libcrypto =		libssl-dev
DEB_libevent_core =	libevent-dev
DEB_libbsd-overlay =	libbsd-dev
DEB_libssh =		libssh-dev
DEB_cmocka =		libcmocka-dev

WARN =		-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		-Wshadow -Wpointer-arith -Wsign-compare -Wformat=2
ifneq ($(WERROR),)
WARN +=		-Werror
endif
OPT ?=		-O2 -g
SAN ?=
CFLAGS_ALL =	-std=c11 -D_GNU_SOURCE $(OPT) $(SAN) $(WARN) -Iinclude \
		$(PFISH_DEFS) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL =	$(SAN) $(LDFLAGS)
# A program compiled and linked in one step (unit tests, tools, fuzz
# binaries) lists the headers it read in $@.d, as every object does in
# its .d, so a header change rebuilds it.
LINKDEPS =	-MMD -MP -MF $@.d -MT $@

MAINS :=	$(wildcard subsys/*-main.c signer/*-main.c store/*-main.c \
		    deliver/*-main.c client/*-main.c account/*-main.c)
# Layers, each calling only those before it (make check-layers):
# lib/ < proto/ < age/ < state/ < the programs' directories.
LAYERS :=	lib proto age state
PROGDIRS :=	subsys store signer deliver client account
LIBSRC :=	$(filter-out %-main.c, $(wildcard $(LAYERS:%=%/*.c) \
		    $(PROGDIRS:%=%/*.c)))
LIBOBJ :=	$(LIBSRC:%.c=$(O)/%.o)
PROGS :=	$(patsubst %-main,$(B)/%,$(basename $(notdir $(MAINS))))
UNITSRC :=	$(wildcard tests/unit/test_*.c)
UNITS :=	$(UNITSRC:tests/unit/%.c=$(O)/tests/%)
# Helpers every unit test links (tests/unit/testlib.h).
TESTLIB :=	$(O)/tests/unit/testlib.o
# Small helper programs the interop suite drives (C clients of libssh etc).
TOOLSRC :=	$(wildcard interop/*.c bench/*.c)
TOOLS :=	$(patsubst %.c,$(O)/%,$(TOOLSRC))

# Fuzzing: every tests/fuzz/fuzz_*.c is a libFuzzer target, linked against
# the library built by clang with ASan+UBSan and coverage into $(FUZZ_O).
# make fuzz runs each for FUZZTIME seconds; make check runs each briefly
# (tests/fuzz/brief.sh) when clang is there.  Any sanitizer finding is
# fatal, compiled in (so it holds under sshd too); known findings not yet
# fixed are switched off per file in tests/sanitizer-ignore.txt.
FUZZCC ?=	clang
FUZZ_O ?=	obj-fuzz
FUZZTIME ?=	60
SAN_STRICT =	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		-fsanitize-ignorelist=$(CURDIR)/tests/sanitizer-ignore.txt
FUZZ_SAN =	-fsanitize=address,undefined $(SAN_STRICT)
# clang warns differently from cc: -Werror gates the cc build only.
FUZZ_CFLAGS =	-std=c11 -D_GNU_SOURCE -O1 -g $(FUZZ_SAN) \
		$(filter-out -Werror,$(WARN)) -Iinclude \
		$(PFISH_DEFS) $(PKG_CFLAGS) $(CFLAGS)
FUZZSRC :=	$(wildcard tests/fuzz/fuzz_*.c)
FUZZ_LIBOBJ :=	$(LIBSRC:%.c=$(FUZZ_O)/%.o)
FUZZBINS :=	$(FUZZSRC:tests/fuzz/%.c=$(FUZZ_O)/fuzz/%)
HAVE_FUZZCC :=	$(shell $(FUZZCC) --version >/dev/null 2>&1 && echo yes)
FUZZ_IN_CHECK ?= $(HAVE_FUZZCC)
CHECK_FUZZ :=
ifeq ($(FUZZ_IN_CHECK),yes)
CHECK_FUZZ :=	$(FUZZSRC:tests/fuzz/%.c=$(O)/fuzz/%)
endif

# check-asan: the whole suite built by clang with ASan+UBSan; any finding
# is fatal.  Reports (leaks found at exit too) go to files in ASAN_LOGDIR,
# so one from a process whose exit status nobody checks still fails the
# run.  Brief fuzzing is left to make check (it is sanitized anyway).
ASAN_SAN =	-fsanitize=address,undefined $(SAN_STRICT)
ASAN_LOGDIR =	$(CURDIR)/obj-asan/sanitizer-reports
ASAN_ENV =	ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1:detect_stack_use_after_return=1:log_path=$(ASAN_LOGDIR)/asan \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$(ASAN_LOGDIR)/ubsan

.PHONY: all deps deps-demo deps-test deps-bench install check check-run \
	check-unit check-layers check-interop check-asan demo demo-run fuzz \
	fuzz-quick bench bench-run lint clean

all: $(PROGS) $(TOOLS)

# A plain make only builds: it never installs anything.  Goals that build
# check first, as the makefile is read, that pkg-config finds every
# library they need, and stop with one line naming what is missing.
# Installing is explicit: make deps (build), make deps-demo, make
# deps-test, make deps-bench (scripts/deps.sh); README's make demo and
# make check, and make check-asan and make bench, install their set and
# then build in a fresh make, which reads the pkg-config flags anew.
NOBUILD_GOALS =	deps deps-demo deps-test deps-bench demo check check-asan \
		bench lint clean
BUILD_GOALS :=	$(filter-out $(NOBUILD_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(BUILD_GOALS),)
NEED_PKGS :=	$(PKGS) $(if $(filter check%,$(BUILD_GOALS)),cmocka)
HAVE_PKGCONFIG := $(shell command -v pkg-config >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_PKGCONFIG),yes)
PKG_MISSING :=	$(shell for p in $(NEED_PKGS); do \
		    pkg-config --exists $$p || echo $$p; done)
else
PKG_MISSING :=	$(NEED_PKGS)
endif
ifneq ($(strip $(PKG_MISSING)),)
$(error pfish: pkg-config $(if $(HAVE_PKGCONFIG),cannot find,is not installed; needed): $(strip $(PKG_MISSING)); install the Debian packages $(if $(HAVE_PKGCONFIG),,pkg-config )$(foreach p,$(PKG_MISSING),$(DEB_$(p))) (as root: make $(if $(filter cmocka,$(PKG_MISSING)),deps-test,deps)))
endif
soname =	$(shell (readelf -d "$$(pkg-config --variable=libdir \
		    $(1))/$(1).so" | sed -n \
		    's/.*(SONAME).*\[\(.*\)\]$$/\1/p') 2>/dev/null)
LIBSSH_SONAME := $(call soname,libssh)
LIBCRYPTO_SONAME := $(call soname,libcrypto)
ifeq ($(LIBSSH_SONAME),)
$(error pfish: cannot read the soname of libssh.so (readelf, from binutils, reads it))
endif
ifeq ($(LIBCRYPTO_SONAME),)
$(error pfish: cannot read the soname of libcrypto.so (readelf, from binutils, reads it))
endif
endif

deps:
	@sh scripts/deps.sh build
deps-demo:
	@sh scripts/deps.sh demo
deps-test:
	@sh scripts/deps.sh test
deps-bench:
	@sh scripts/deps.sh bench

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(O)/libpfish.a: $(LIBOBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

# Each program: its main object plus whatever it needs from the library.
define prog_rule
$(B)/$(patsubst %-main,%,$(basename $(notdir $(1)))): $(O)/$(1:.c=.o) $(O)/libpfish.a
	@mkdir -p $(B)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $(O)/$(1:.c=.o) $(O)/libpfish.a \
	    -Wl,--as-needed $$(PKG_LIBS)
endef
$(foreach m,$(MAINS),$(eval $(call prog_rule,$(m))))

# (Named here too, so make keeps it: not an intermediate file.)
$(UNITS): $(TESTLIB)
$(O)/tests/%: tests/unit/%.c $(TESTLIB) $(O)/libpfish.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LINKDEPS) $(LDFLAGS_ALL) -o $@ $< $(TESTLIB) \
	    $(O)/libpfish.a -Wl,--as-needed $(CMOCKA_LIBS) $(PKG_LIBS)

$(O)/interop/%: interop/%.c $(O)/libpfish.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LINKDEPS) $(LDFLAGS_ALL) -o $@ $< \
	    $(O)/libpfish.a -Wl,--as-needed $(PKG_LIBS)
$(O)/bench/%: bench/%.c $(O)/libpfish.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LINKDEPS) $(LDFLAGS_ALL) -o $@ $< \
	    $(O)/libpfish.a -Wl,--as-needed $(PKG_LIBS)

# Programs, manual pages, examples, systemd units and timers, sysusers.d
# and tmpfiles.d files, and the directories of README.md's "Deployment";
# their owners come from systemd-tmpfiles --create (or chown, below, when
# installing for real and the users exist).
install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(EXAMPLESDIR) \
	    $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	for p in $(PROGS); do \
		case $$p in \
		*/pfish-server|*/pfish-deliver) \
		    install -m 755 $$p $(DESTDIR)$(LIBEXECDIR)/ ;; \
		*)  install -m 755 $$p $(DESTDIR)$(BINDIR)/ ;; \
		esac; \
	done
	$(SUBST) scripts/pfish-heads.sh >$(DESTDIR)$(LIBEXECDIR)/pfish-heads
	chmod 755 $(DESTDIR)$(LIBEXECDIR)/pfish-heads
	for m in man/*.[158]; do \
		[ -e "$$m" ] || continue; \
		s=$${m##*.}; $(SUBST) $$m >$(DESTDIR)$(MANDIR)/man$$s/$${m##*/} \
		    && chmod 644 $(DESTDIR)$(MANDIR)/man$$s/$${m##*/} || exit 1; \
	done
	for f in examples/*; do \
		$(SUBST) $$f >$(DESTDIR)$(EXAMPLESDIR)/$${f##*/} || exit 1; \
	done
	chmod 644 $(DESTDIR)$(EXAMPLESDIR)/*
	for f in dist/*.service dist/*.timer; do \
		$(SUBST) $$f >$(DESTDIR)$(SYSTEMDDIR)/$${f##*/} || exit 1; \
	done
	chmod 644 $(DESTDIR)$(SYSTEMDDIR)/pfish-*
	install -m 644 dist/pfish.sysusers $(DESTDIR)$(SYSUSERSDIR)/pfish.conf
	install -m 644 dist/pfish.tmpfiles $(DESTDIR)$(TMPFILESDIR)/pfish.conf
	install -d -m 755 $(DESTDIR)/etc/pfish $(DESTDIR)/etc/pfish/recipients
	install -d -m 700 $(DESTDIR)/var/spool/pfish-deliver \
	    $(DESTDIR)/var/lib/pfish-signer
	install -d -m 751 $(DESTDIR)/var/pfish
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -eq 0 ] && \
	    id pfdeliver >/dev/null 2>&1 && id pfsigner >/dev/null 2>&1 && \
	    getent group pfish >/dev/null 2>&1; then \
		chown pfdeliver:pfdeliver /var/spool/pfish-deliver; \
		chown pfsigner:pfsigner /var/lib/pfish-signer; \
		chown root:pfish /var/pfish; \
	else \
		echo "make install: now create users and owners:" \
		    "systemd-sysusers; systemd-tmpfiles --create" \
		    "(README.md, Deployment)"; \
	fi

# make check: test dependencies, then unit tests, interop suite, layering
# check, brief fuzz; one summary line.  make check-run: the same without
# installing.
RUNENV =	O=$(O) B=$(B) LAYERS="$(LAYERS)" PROGDIRS="$(PROGDIRS)"
check: deps-test
	@$(MAKE) --no-print-directory check-run

check-run: all $(UNITS) $(CHECK_FUZZ)
	@$(RUNENV) sh tests/run.sh

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_O)/libpfish.a: $(FUZZ_LIBOBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $(FUZZ_LIBOBJ)

# A fuzz binary, in $(FUZZ_O)/fuzz for make fuzz or $(O)/fuzz for check.
define fuzz_rule
$(1)/fuzz/%: tests/fuzz/%.c $(FUZZ_O)/libpfish.a
	@mkdir -p $$(dir $$@)
	$$(FUZZCC) $$(FUZZ_CFLAGS) $$(LINKDEPS) -fsanitize=fuzzer -o $$@ $$< \
	    $(FUZZ_O)/libpfish.a $$(PKG_LIBS)
endef
$(foreach d,$(sort $(O) $(FUZZ_O)),$(eval $(call fuzz_rule,$(d))))

fuzz: $(FUZZBINS)
	@fail=0; for f in $(FUZZBINS); do \
		PFISH_TOP=$(CURDIR) sh tests/fuzz/brief.sh -k \
		    -t $(FUZZTIME) $$f || fail=1; \
	done; exit $$fail

fuzz-quick:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=5

check-asan: deps-test
	@rm -rf $(ASAN_LOGDIR) && mkdir -p $(ASAN_LOGDIR)
	@$(ASAN_ENV) $(MAKE) --no-print-directory O=obj-asan B=bin-asan \
	    CC=clang OPT="-O1 -g" SAN="$(ASAN_SAN)" FUZZ_IN_CHECK=no \
	    WERROR= check-run; rc=$$?; \
	for f in $(ASAN_LOGDIR)/*; do \
		grep -qsE 'ERROR|runtime error|SUMMARY' "$$f" || continue; \
		echo "check-asan: sanitizer report $$f:"; head -n 40 "$$f"; \
		rc=1; \
	done; exit $$rc

check-unit: all $(UNITS)
	@O=$(O) B=$(B) sh tests/run.sh unit

# The layer order and unique file names (tests/check-layers.sh), on nm(1).
check-layers: all
	@$(RUNENV) sh tests/run.sh layers

check-interop: all $(UNITS)
	@O=$(O) B=$(B) sh tests/run.sh interop

demo: deps-demo
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@sh scripts/demo.sh

# Speed and memory against OpenSSH's sftp-server; not part of check.
bench: deps-bench
	@$(MAKE) --no-print-directory bench-run

bench-run: all
	@O=$(O) B=$(B) sh bench/run.sh

lint:
	mandoc -Tlint -Wwarning man/*

clean:
	rm -rf obj obj-asan obj-fuzz bin bin-asan bin-fuzz

-include $(LIBOBJ:.o=.d) $(MAINS:%.c=$(O)/%.d) $(FUZZ_LIBOBJ:.o=.d) \
	$(TESTLIB:.o=.d) $(UNITS:=.d) $(TOOLS:=.d) $(FUZZBINS:=.d) \
	$(FUZZSRC:tests/fuzz/%.c=$(O)/fuzz/%.d)
