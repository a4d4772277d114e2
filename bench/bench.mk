# bench.mk — `make bench`, included by the top-level Makefile (see bench/README).
.PHONY: bench
bench:
	@echo "bench: not yet"
