# The two commands for a fresh machine (README): `make run` and `make test`.
SWIFT ?= swift

.PHONY: deps build run test selftest clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product appliance

# Runs the box. Until the daemon lands it runs the DSP self-tests on this machine.
run: build
	$(SWIFT) run -c release --skip-build appliance selftest

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
