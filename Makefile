# The two commands for a fresh machine (README): `make run` and `make test`.
SWIFT ?= swift
# bash, for PIPESTATUS: a failing build piped through a filter still fails.
SHELL := /bin/bash

.PHONY: deps build run test test-fast graph selftest fuzz fuzz-replay deb image boot-test clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product appliance

# Runs the box: simulated lines with demo callers when there is no hardware and no config.
run: build
	$(SWIFT) run -c release --skip-build appliance run

selftest: build
	$(SWIFT) run -c release --skip-build appliance selftest

# Every test: what CI runs. The central office's tests use a real PostgreSQL on loopback,
# started here with a scratch database (scripts/postgres-scratch.sh).
test: deps
	$(SWIFT) build --build-tests
	url=$$(bash scripts/postgres-scratch.sh) && HOTLINE_POSTGRES_URL=$$url $(SWIFT) test --skip-build

# The unit tests alone (pure state machines, parsers, the store, the module graph): minutes, not
# the system tests' processes and simulated calls.
test-fast: deps
	$(SWIFT) build --build-tests
	HOTLINE_TESTS=unit $(SWIFT) test --skip-build

# Every fuzz harness (Fuzz/Harnesses) under libFuzzer with the address sanitizer, for
# FUZZ_SECONDS each (CI: a short smoke budget), FUZZ_JOBS at once (one per core); a crash
# fails the run with its input in .build/fuzz-crashes, after the other harnesses finish.
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= $(shell nproc)
FUZZ_HARNESSES = flow config json wav tiff line-editor scenario control zip
fuzz: deps
	$(SWIFT) build --product hotline-fuzz
	.build/debug/hotline-fuzz seeds .build/fuzz-seeds
	$(SWIFT) build --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING --product hotline-fuzz 2>&1 | grep -v "Cannot export local symbol"; exit $${PIPESTATUS[0]}
	printf '%s\n' $(FUZZ_HARNESSES) | xargs -P $(FUZZ_JOBS) -n 1 bash scripts/fuzz-harness.sh $(FUZZ_SECONDS)

# Every harness over its seeds and committed corpus (crashes libFuzzer found included), built
# plainly: CI's regression check, which shares the test build instead of a sanitized one.
fuzz-replay: deps
	$(SWIFT) build --product hotline-fuzz
	.build/debug/hotline-fuzz seeds .build/fuzz-seeds
	for h in $(FUZZ_HARNESSES); do .build/debug/hotline-fuzz $$h $$(ls -d .build/fuzz-seeds/$$h Fuzz/corpus/$$h 2>/dev/null) || exit 1; done

# The Debian packages (release build, static stdlib) in .build/deb: docs/INSTALL.md.
deb: deps
	bash scripts/build-deb.sh

# The flashable image from that package, in .build/image (hotline-VERSION-amd64.img and its
# update bundle, signed by HOTLINE_SIGNING_CERT/KEY or a development key).
image: deb
	bash image/build-image.sh $$(ls .build/deb/hotline-appliance_*.deb | tail -1) .build/image

# The image booted under qemu and driven over its serial console (what CI runs).
boot-test: deb
	bash image/run-boot-test.sh $$(ls .build/deb/hotline-appliance_*.deb | tail -1)

# docs/modules.dot, the module graph, from the package description.
graph:
	$(SWIFT) package describe --type json | python3 scripts/module-graph.py > docs/modules.dot

clean:
	rm -rf .build
