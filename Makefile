# falco-lint — build, test, install.  GNU make.
#   make            build build/falco-lint
#   make check      unit tests (cmocka), golden cases, corpus conformance
#   make check-asan the whole suite under ASan + UBSan (build-asan/)
#   make demo       lint the bundled demo ruleset
#   make install    PREFIX=/usr/local DESTDIR=

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
OPT      ?= -O2 -g
WARN      = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wformat=2 -Wcast-qual -Wundef \
            -Wno-unused-parameter
CFLAGS   ?=
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -iquote lib -I$(BUILD)/gen
ALL_CFLAGS = $(WARN) $(OPT) $(CFLAGS) -fvisibility=hidden
LDLIBS   += -lyaml -lpcre2-8

LIB_SRC  := $(sort $(wildcard lib/*.c))
CMD_SRC  := $(sort $(wildcard cmd/*.c))
GEN_SRC  := $(BUILD)/gen/builtin_scenarios.c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/builtin_scenarios.o
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SCEN_YAML := $(sort $(wildcard lib/scenarios/*.yaml))

BIN := $(BUILD)/falco-lint

.PHONY: all deps check check-cli check-unit check-golden check-corpus check-asan check-valgrind demo \
        install uninstall clean bench fuzz man docs
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# The built-in scenario catalogue is embedded as C strings at build time.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 $< -o $@

$(GEN_SRC): $(BUILD)/tools/embed $(SCEN_YAML)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed fl_builtin_scenarios $(SCEN_YAML) > $@.tmp && mv $@.tmp $@

$(BIN): $(CMD_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes $< $(LIB_OBJ) \
	    $(LDFLAGS) $(LDLIBS) -lcmocka -o $@

check: check-unit check-golden check-cli check-corpus check-fuzz-replay check-pathological

check-unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

check-golden: $(BIN)
	@sh tests/run-golden.sh $(BIN)

check-cli: $(BIN)
	@sh tests/run-cli.sh $(BIN)

check-corpus: $(BIN)
	@sh tests/run-corpus.sh $(BIN)

check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" check

deps:
	sh tools/install-deps.sh

# The golden suite under valgrind memcheck: no error, no leak.
check-valgrind: $(BIN)
	@VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	    sh tests/run-golden.sh $(BIN)

demo: $(BIN)
	$(BIN) rules-corpus/demo || true

# Documents generated from the check table (tests/cli/test-docs-current.sh
# fails when they are stale).
docs man: $(BIN)
	sh tools/gen-docs.sh $(BIN)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/falco-lint
	install -m 644 man/falco-lint.1 $(DESTDIR)$(MANDIR)/man1/falco-lint.1
	install -m 644 man/falco-lint-checks.7 $(DESTDIR)$(MANDIR)/man7/falco-lint-checks.7

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/falco-lint $(DESTDIR)$(MANDIR)/man1/falco-lint.1 \
	    $(DESTDIR)$(MANDIR)/man7/falco-lint-checks.7

clean:
	rm -rf build build-asan build-fuzz build-bench

include tests/fuzz/fuzz.mk bench/bench.mk
-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
