# fuzz.mk — robustness targets, included by the top-level Makefile:
#   make fuzz               each libFuzzer harness for FUZZ_TIME seconds (default 60)
#   make fuzz-ci            the same, 20 s per harness (CI)
#   check-fuzz-replay       saved crashers (tests/fuzz/regressions/) through a
#                           plain build of each harness — part of `make check`
#   check-pathological      tests/run-pathological.sh — part of `make check`
# The fuzz build lives in build-fuzz/ (clang, ASan+UBSan, coverage for libFuzzer).

FUZZ_TIME  ?= 60
FUZZ_CC    ?= clang
FUZZ_HARNESSES := yaml pipeline $(if $(wildcard lib/expr.c),expr)
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)

.PHONY: fuzz fuzz-ci fuzz-build check-fuzz-replay check-pathological

# Linked with libFuzzer's main; only meaningful inside the build-fuzz sub-make.
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer $< $(LIB_OBJ) \
	    $(LDFLAGS) $(LDLIBS) -o $@

# The same harness with replay.c's main: no libFuzzer, any compiler.
$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $< tests/fuzz/replay.c $(LIB_OBJ) \
	    $(LDFLAGS) $(LDLIBS) -o $@

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" \
	    LDFLAGS="$(FUZZ_SAN)" $(FUZZ_HARNESSES:%=build-fuzz/fuzz/fuzz_%)

fuzz: fuzz-build
	@sh tests/fuzz/run-fuzz.sh $(FUZZ_TIME) $(FUZZ_HARNESSES)

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=20

check-fuzz-replay: $(FUZZ_HARNESSES:%=$(BUILD)/tests/replay_%)
	@sh tests/fuzz/replay.sh $(BUILD) $(FUZZ_HARNESSES)

check-pathological: $(BIN)
	@sh tests/run-pathological.sh $(BIN)
