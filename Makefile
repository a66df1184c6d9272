# pfish: build, install and test.  GNU make.
#
# Every program is one thin main (DIR/NAME-main.c); everything else is
# compiled into obj/libpfish.a so tests and fuzzers link the real code.
# New sources are picked up by wildcard: add files, not rules.

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
LIBEXECDIR ?=	$(PREFIX)/libexec
MANDIR ?=	$(PREFIX)/share/man
DESTDIR ?=

# Build output; check-asan builds into its own pair of directories.
O ?=		obj
B ?=		bin

CC ?=		cc
PKGS =		libsodium libevent_core libbsd-overlay libssh
PKG_CFLAGS :=	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS :=	$(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS :=	$(shell pkg-config --libs cmocka 2>/dev/null)

WARN =		-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
		-Wshadow -Wpointer-arith -Wsign-compare -Wformat=2
ifneq ($(WERROR),)
WARN +=		-Werror
endif
OPT ?=		-O2 -g
SAN ?=
CFLAGS_ALL =	-std=c11 -D_GNU_SOURCE $(OPT) $(SAN) $(WARN) -Iinclude \
		$(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL =	$(SAN) $(LDFLAGS)

MAINS :=	$(wildcard subsys/*-main.c signer/*-main.c store/*-main.c \
		    deliver/*-main.c client/*-main.c)
LIBSRC :=	$(filter-out %-main.c, $(wildcard lib/*.c proto/*.c store/*.c \
		    subsys/*.c signer/*.c deliver/*.c client/*.c))
LIBOBJ :=	$(LIBSRC:%.c=$(O)/%.o)
PROGS :=	$(patsubst %-main,$(B)/%,$(basename $(notdir $(MAINS))))
UNITSRC :=	$(wildcard tests/unit/test_*.c)
UNITS :=	$(UNITSRC:tests/unit/%.c=$(O)/tests/%)
# Small helper programs the interop suite drives (C clients of libssh etc).
TOOLSRC :=	$(wildcard interop/*.c bench/*.c)
TOOLS :=	$(patsubst %.c,$(O)/%,$(TOOLSRC))

.PHONY: all deps install check check-unit check-interop check-asan \
	demo fuzz fuzz-quick bench lint clean

all: deps $(PROGS) $(TOOLS)

deps:
	@sh scripts/deps.sh

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

$(O)/tests/%: tests/unit/%.c $(O)/libpfish.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(O)/libpfish.a \
	    -Wl,--as-needed $(CMOCKA_LIBS) $(PKG_LIBS)

$(O)/interop/%: interop/%.c $(O)/libpfish.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(O)/libpfish.a \
	    -Wl,--as-needed $(PKG_LIBS)
$(O)/bench/%: bench/%.c $(O)/libpfish.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(O)/libpfish.a \
	    -Wl,--as-needed $(PKG_LIBS)

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	for p in $(PROGS); do \
		case $$p in \
		*/pfish-server|*/pfish-deliver) \
		    install -m 755 $$p $(DESTDIR)$(LIBEXECDIR)/ ;; \
		*)  install -m 755 $$p $(DESTDIR)$(BINDIR)/ ;; \
		esac; \
	done
	for m in man/*.[158]; do \
		[ -e "$$m" ] || continue; \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done

# make check: unit tests, interop suite, brief fuzz; one summary line.
check: all $(UNITS)
	@O=$(O) B=$(B) sh tests/run.sh

check-unit: all $(UNITS)
	@O=$(O) B=$(B) sh tests/run.sh unit

check-interop: all $(UNITS)
	@O=$(O) B=$(B) sh tests/run.sh interop

demo: all
	@sh scripts/demo.sh

# Speed and memory against OpenSSH's sftp-server; not part of check.
bench: all
	@O=$(O) B=$(B) sh bench/run.sh

lint:
	mandoc -Tlint -Wwarning man/*

clean:
	rm -rf obj obj-asan obj-fuzz bin bin-asan bin-fuzz

-include $(LIBOBJ:.o=.d) $(MAINS:%.c=$(O)/%.d)
