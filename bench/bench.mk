# bench.mk — `make bench`, included by the top-level Makefile: generates
# large rule sets into build-bench/ and compares falco-lint with a bare
# libyaml parse of the same bytes (bench/bench.py prints the table).
#   BENCH_SIZES="1000 10000 100000"  rule counts     BENCH_RUNS=5  runs each
BENCH_DIR ?= build-bench

$(BENCH_DIR)/yamlparse: bench/yamlparse.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 $< -lyaml -o $@

$(BENCH_DIR)/peak: bench/peak.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -D_DEFAULT_SOURCE $< -o $@

bench: $(BIN) $(BENCH_DIR)/yamlparse $(BENCH_DIR)/peak
	@BENCH_PEAK=$(BENCH_DIR)/peak python3 bench/bench.py $(BIN) $(BENCH_DIR)/yamlparse $(BENCH_DIR)
