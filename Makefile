# Vigie build. `make` builds into build/release/bin; `make BUILD=asan` builds
# the same sources with AddressSanitizer and UBSan into build/asan/bin.
# `make check` builds both, runs every test against the sanitizer build and
# ends with one line: "N passed, N failed".

BUILD   ?= release
O       := build/$(BUILD)
PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
VERSION := 0.1.0

PKG_SERVER  := libmicrohttpd sqlite3 libcjson libargon2 libcrypto glib-2.0 libcurl
# The voice channel: libre and librem (SIP, SDP, RTP, G.711), espeak-ng's
# library (speech), libsamplerate (its 22050 Hz to a call's 8 kHz).
PKG_SERVER  += libre librem espeak-ng samplerate
PKG_CONSOLE := ncursesw libcurl libcjson libpcre2-8 libnotify
PKG_TEST    := cmocka libcurl libcjson sqlite3

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE     := -std=c17 $(WARN) -D_GNU_SOURCE -DVIGIE_VERSION='"$(VERSION)"' \
            -DVIGIE_LOCALEDIR='"$(PREFIX)/share/locale"' -DVIGIE_DATADIR='"$(PREFIX)/share/vigie"' \
            -g -I. -MMD -MP
ifeq ($(BUILD),asan)
  OPT := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  OPT := -O2
endif
CFLAGS  := $(BASE) $(OPT) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT) -pthread $(EXTRA_LDFLAGS)

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)
# Libraries of the server without a pkg-config file: libcsv (the agents'
# registry file) and libphonenumber (C++, behind server/phone_number.h).
SERVER_EXTRA_LIBS := -lcsv -lphonenumber -lstdc++
CXXFLAGS := -std=c++17 $(filter-out -std=c17 -Wstrict-prototypes -Wmissing-prototypes,$(BASE)) \
            $(OPT) $(EXTRA_CFLAGS)

COMMON_SRC := $(wildcard common/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
SERVER_CXX_SRC := $(wildcard server/*.cc)
COMMON_OBJ := $(COMMON_SRC:%.c=$(O)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(O)/%.o) $(SERVER_CXX_SRC:%.cc=$(O)/%.o)
WIDGETS_SRC := $(wildcard widgets/*.c)
WIDGETS_OBJ := $(WIDGETS_SRC:%.c=$(O)/%.o)
# The built-in keymap and themes are the installed files, compiled in: the
# generated C files are committed and remade when their source changes.
CONSOLE_GEN := console/gen_default_keys.c \
               $(patsubst themes/%.theme,console/gen_theme_%.c,$(wildcard themes/*.theme))
CONSOLE_SRC := $(sort $(filter-out console/main.c,$(wildcard console/*.c)) $(CONSOLE_GEN))
CONSOLE_OBJ := $(CONSOLE_SRC:%.c=$(O)/%.o)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
# Fixtures shared by unit tests (tests/unit/lib), an archive so that each
# test links only the fixtures it calls.
UNIT_FIXTURE_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard tests/unit/lib/*.c))
INTEG_SRC := $(wildcard tests/integration/test_*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(O)/tests/integration/%)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(O)/%.o)
BENCH_SRC := $(wildcard bench/*/bench_*.c)
BENCH_BIN := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRC))

SIM_SRC := $(wildcard tools/sim/*.c)
SIM_OBJ := $(SIM_SRC:%.c=$(O)/%.o)
BINS := $(O)/bin/vigied $(O)/bin/vigie-sim $(if $(wildcard console/main.c),$(O)/bin/vigie)
# Message catalogues: po/LANG.po compiled into $(O)/locale, where a
# program run from the build tree finds them (common/i18n.c), and
# installed under $(PREFIX)/share/locale.
PO_FILES := $(wildcard po/*.po)
MO_FILES := $(PO_FILES:po/%.po=$(O)/locale/%/LC_MESSAGES/vigie.mo)
# Every file whose strings are translated: `make pot` reads them all.
POT_SOURCES := $(sort $(wildcard common/*.[ch] server/*.[ch] console/*.[ch] \
                 widgets/*.[ch] tools/sim/*.[ch]))
ALL_PKGS := $(PKG_SERVER) $(PKG_CONSOLE) $(PKG_TEST)

.PHONY: all deps check demo install clean tests bench format pot update-po fuzz
all: $(BINS) $(MO_FILES)

deps:
	@tools/deps.sh

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call pc_cflags,$(ALL_PKGS)) -c $< -o $@

$(O)/%.o: %.cc
	@mkdir -p $(dir $@)
	@echo "  CXX     $<"
	@$(CXX) $(CXXFLAGS) -c $< -o $@

$(O)/libvigied.a: $(SERVER_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	@ar rcs $@ $^

# One archive per part; `rm` first so that a deleted source leaves nothing.
$(O)/libcommon.a: $(COMMON_OBJ)
$(O)/libwidgets.a: $(WIDGETS_OBJ)
$(O)/libconsole.a: $(CONSOLE_OBJ)
$(O)/libunitfixture.a: $(UNIT_FIXTURE_OBJ)
$(O)/libcommon.a $(O)/libwidgets.a $(O)/libconsole.a $(O)/libunitfixture.a:
	@mkdir -p $(dir $@)
	@rm -f $@
	@ar rcs $@ $^

$(O)/bin/vigie: $(O)/console/main.o $(O)/libconsole.a $(O)/libwidgets.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_CONSOLE)) -lm

$(O)/bin/vigie-sim: $(SIM_OBJ) $(O)/libvigied.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_SERVER) libcurl) $(SERVER_EXTRA_LIBS) -lm

$(O)/bin/vigied: $(O)/server/main.o $(O)/libvigied.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_SERVER)) $(SERVER_EXTRA_LIBS) -lm

# Unit tests link the libraries of every part; each uses what it tests.
UNIT_LIBS := $(O)/libunitfixture.a $(O)/libvigied.a $(if $(CONSOLE_SRC),$(O)/libconsole.a) \
             $(if $(WIDGETS_SRC),$(O)/libwidgets.a) $(O)/libcommon.a
$(O)/tests/unit/%: $(O)/tests/unit/%.o $(UNIT_LIBS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(ALL_PKGS)) $(SERVER_EXTRA_LIBS) -lm

$(O)/tests/integration/%: $(O)/tests/integration/%.o $(TESTLIB_OBJ) $(O)/libvigied.a $(O)/libconsole.a $(O)/libwidgets.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_TEST) libcrypto) $(call pc_libs,$(PKG_SERVER)) $(call pc_libs,$(PKG_CONSOLE)) $(SERVER_EXTRA_LIBS) -lm

$(O)/bench/%: $(O)/bench/%.o $(TESTLIB_OBJ) $(O)/libvigied.a $(O)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_SERVER) $(PKG_TEST)) $(SERVER_EXTRA_LIBS) -lm

tests: $(BINS) $(MO_FILES) $(UNIT_BIN) $(INTEG_BIN)

$(O)/locale/%/LC_MESSAGES/vigie.mo: po/%.po
	@mkdir -p $(dir $@)
	@echo "  MSGFMT  $<"
	@msgfmt --check -o $@.tmp $< && mv $@.tmp $@

bench: $(BINS) $(BENCH_BIN)
	@for b in $(BENCH_BIN); do VIGIED=$(O)/bin/vigied $$b || exit 1; done

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=asan tests
	@$(MAKE) --no-print-directory fuzz
	@tests/run.sh build/asan

# The DC-09 codec's libFuzzer target (clang only). `make check` runs it
# briefly over the seed frames of tests/data/dc09 (tests/e2e/test_fuzz_dc09.sh).
FUZZ_CC  := clang
FUZZ_SRC := tests/fuzz/fuzz_dc09.c server/dc09_frame.c server/dc09_build.c \
            server/dc09_crypto.c server/crc16.c common/clock.c
FUZZ_BIN := build/fuzz/fuzz_dc09
# The TPI codec of remote arm/disarm (tests/e2e/test_fuzz_tpi.sh).
FUZZ_TPI_SRC := tests/fuzz/fuzz_tpi.c server/panel_tpi.c
FUZZ_TPI_BIN := build/fuzz/fuzz_tpi
FUZZ_FLAGS = -std=c17 $(WARN) -D_GNU_SOURCE -g -O1 -I. \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

fuzz: $(FUZZ_BIN) $(FUZZ_TPI_BIN)

$(FUZZ_BIN): $(FUZZ_SRC) server/dc09.h server/crc16.h common/clock.h common/i18n.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) $(call pc_cflags,libcrypto) -o $@ $(FUZZ_SRC) \
	    $(call pc_libs,libcrypto)

$(FUZZ_TPI_BIN): $(FUZZ_TPI_SRC) server/panel_tpi.h server/panel_driver.h common/i18n.h
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_TPI_SRC)

demo: deps all
	@tools/demo.sh $(O)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(O)/bin/vigied $(DESTDIR)$(PREFIX)/bin/vigied
	install -m 755 $(O)/bin/vigie-sim $(DESTDIR)$(PREFIX)/bin/vigie-sim
	install -m 755 $(O)/bin/vigie $(DESTDIR)$(PREFIX)/bin/vigie
	install -m 644 man/vigied.1 $(DESTDIR)$(PREFIX)/share/man/man1/vigied.1
	install -m 644 man/vigie.1 $(DESTDIR)$(PREFIX)/share/man/man1/vigie.1
	install -m 644 man/vigie-sim.1 $(DESTDIR)$(PREFIX)/share/man/man1/vigie-sim.1
	install -d $(DESTDIR)$(PREFIX)/share/vigie
	install -m 644 server/events.tsv $(DESTDIR)$(PREFIX)/share/vigie/events.tsv
	install -m 644 server/alert_templates.ini $(DESTDIR)$(PREFIX)/share/vigie/alert_templates.ini
	install -d $(DESTDIR)$(PREFIX)/share/vigie/keymaps $(DESTDIR)$(PREFIX)/share/vigie/themes
	install -d $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 644 keymaps/default.keys $(DESTDIR)$(PREFIX)/share/vigie/keymaps/default.keys
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/vigie/themes/
	install -m 644 man/vigie-keys.5 man/vigie-theme.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	@for mo in $(MO_FILES); do \
	  lang=$${mo#$(O)/locale/}; lang=$${lang%%/*}; \
	  install -d $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES && \
	  install -m 644 $$mo $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES/vigie.mo || exit 1; \
	done

# The message catalogue template for translators (French first).
# The keywords are common/i18n.h's: _, N_ (tables) and P_ (plurals).
pot:
	@mkdir -p po
	@echo "  XGETTEXT po/vigie.pot"
	@xgettext --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 \
	  --add-comments=TRANSLATORS: --package-name=vigie --package-version=$(VERSION) \
	  -o po/vigie.pot $(POT_SOURCES)

# Brings every po/LANG.po up to po/vigie.pot (new texts empty, changed
# ones fuzzy), for the translators.
update-po: pot
	@for po in $(PO_FILES); do msgmerge --quiet --update --backup=none $$po po/vigie.pot || exit 1; done

console/gen_default_keys.c: keymaps/default.keys tools/embed.sh
	@echo "  EMBED   $<"
	@tools/embed.sh $< builtin_default_keys > $@.tmp && mv $@.tmp $@

console/gen_theme_%.c: themes/%.theme tools/embed.sh
	@echo "  EMBED   $<"
	@tools/embed.sh $< builtin_theme_$(subst -,_,$*) > $@.tmp && mv $@.tmp $@

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:
