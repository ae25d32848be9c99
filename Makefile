# The two commands for a fresh machine (README): `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build run test selftest clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product appliance

# Runs the box: simulated lines with demo callers when there is no hardware and no config.
run: build
	$(SWIFT) run -c release --skip-build appliance run

selftest: build
	$(SWIFT) run -c release --skip-build appliance selftest

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
