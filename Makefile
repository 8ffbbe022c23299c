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

PKG_SERVER := libmicrohttpd sqlite3 libcjson libargon2 libcrypto
PKG_TEST   := cmocka libcurl libcjson sqlite3

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE     := -std=c17 $(WARN) -D_GNU_SOURCE -DVIGIE_VERSION='"$(VERSION)"' \
            -DVIGIE_LOCALEDIR='"$(PREFIX)/share/locale"' -g -I. -MMD -MP
ifeq ($(BUILD),asan)
  OPT := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  OPT := -O2
endif
CFLAGS  := $(BASE) $(OPT) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT) -pthread $(EXTRA_LDFLAGS)

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

COMMON_SRC := $(wildcard common/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(O)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(O)/%.o)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/unit/%)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(O)/tests/integration/%)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(O)/%.o)
BENCH_SRC := $(wildcard bench/*/bench_*.c)
BENCH_BIN := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRC))

BINS := $(O)/bin/vigied

.PHONY: all deps check demo install clean tests bench format pot
all: $(BINS)

deps:
	@tools/deps.sh

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call pc_cflags,$(PKG_SERVER) $(PKG_TEST)) -c $< -o $@

$(O)/libvigied.a: $(SERVER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	@ar rcs $@ $^

$(O)/bin/vigied: $(O)/server/main.o $(O)/libvigied.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_SERVER)) -lm

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(O)/libvigied.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_SERVER) cmocka sqlite3) -lm

$(O)/tests/integration/%: $(O)/tests/integration/%.o $(TESTLIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_TEST) libcrypto) -lm

$(O)/bench/%: $(O)/bench/%.o $(TESTLIB_OBJ) $(O)/libvigied.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(PKG_SERVER) $(PKG_TEST)) -lm

tests: $(BINS) $(UNIT_BIN) $(INTEG_BIN)

bench: $(BINS) $(BENCH_BIN)
	@for b in $(BENCH_BIN); do VIGIED=$(O)/bin/vigied $$b || exit 1; done

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=asan tests
	@tests/run.sh build/asan

demo: deps all
	@tools/demo.sh $(O)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(O)/bin/vigied $(DESTDIR)$(PREFIX)/bin/vigied
	install -m 644 man/vigied.1 $(DESTDIR)$(PREFIX)/share/man/man1/vigied.1

# The message catalogue template for translators (French first).
pot:
	@mkdir -p po
	xgettext --language=C --keyword=_ --keyword=N_ --from-code=UTF-8 \
	  --package-name=vigie --package-version=$(VERSION) -o po/vigie.pot \
	  $$(git ls-files '*.c' '*.h')

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:
