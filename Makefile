# The two commands for a fresh machine (README): `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build run test test-fast graph selftest clean

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

# docs/modules.dot, the module graph, from the package description.
graph:
	$(SWIFT) package describe --type json | python3 scripts/module-graph.py > docs/modules.dot

clean:
	rm -rf .build
