# The two commands for a fresh machine (README): `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build run test test-fast graph selftest fuzz clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product appliance

# Runs the box: simulated lines with demo callers when there is no hardware and no config.
run: build
	$(SWIFT) run -c release --skip-build appliance run

selftest: build
	$(SWIFT) run -c release --skip-build appliance selftest

# Every test: what CI runs.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The unit tests alone (pure state machines, parsers, the store, the module graph): minutes, not
# the system tests' processes and simulated calls.
test-fast: deps
	$(SWIFT) build --build-tests
	HOTLINE_TESTS=unit $(SWIFT) test --skip-build

# Every fuzz harness (Fuzz/Harnesses) under libFuzzer with the address sanitizer, for
# FUZZ_SECONDS each (CI: a short smoke budget); a crash stops with its input in .build/fuzz-crashes.
FUZZ_SECONDS ?= 600
FUZZ_HARNESSES = flow config json wav tiff line-editor scenario control zip
fuzz: deps
	$(SWIFT) build --product hotline-fuzz
	.build/debug/hotline-fuzz seeds .build/fuzz-seeds
	$(SWIFT) build --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product hotline-fuzz 2>&1 | grep -v "Cannot export local symbol"
	@mkdir -p .build/fuzz-crashes
	@for h in $(FUZZ_HARNESSES); do \
	  mkdir -p .build/fuzz-work/$$h .build/fuzz-seeds/$$h Fuzz/corpus/$$h; \
	  ASAN_OPTIONS=detect_leaks=0 FUZZ_HARNESS=$$h .build/fuzz/debug/hotline-fuzz -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 -detect_leaks=0 \
	    -artifact_prefix=.build/fuzz-crashes/$$h- .build/fuzz-work/$$h Fuzz/corpus/$$h .build/fuzz-seeds/$$h > .build/fuzz-$$h.log 2>&1 \
	    || { tail -40 .build/fuzz-$$h.log; echo "fuzz: $$h crashed"; exit 1; }; \
	  echo "fuzz $$h: $$(grep -E '^Done' .build/fuzz-$$h.log)"; \
	done

# docs/modules.dot, the module graph, from the package description.
graph:
	$(SWIFT) package describe --type json | python3 scripts/module-graph.py > docs/modules.dot

clean:
	rm -rf .build
