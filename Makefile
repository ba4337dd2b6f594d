# taskmaster: `make test` runs every test, `make check` adds the type-check, the lint and the import rules.
# Each target installs what it needs first, and builds the command into dist/ when it runs it, so they work on a
# fresh clone with Node 20.

SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.installed

.PHONY: help install system build run test check typecheck lint deps format bench

help:
	@echo "make build             the command, bundled into dist/ (npm run build)"
	@echo "make run               the service with its own local NATS (when none answers) and demo workers"
	@echo "make test              install what is needed, then run every test (the three sets below)"
	@echo "make test-unit         the tests beside the code, pure and in-process: under a minute"
	@echo "make test-integration  the tests under test/: nats-server, processes, S3, Slack, HTTP servers"
	@echo "make test-browser      the dashboard in chromium"
	@echo "make bench             throughput and latency against a raw JetStream relay"
	@echo "make check             type-check, lint, import rules, then every test"
	@echo "make deps              the import rules of the architecture (.dependency-cruiser.cjs)"
	@echo "make format            format the code with Biome"

install: $(NPM_STAMP) system

# Debian packages the service and the tests run: nats-server (tests start their own on free ports) and chromium
# (the browser tests drive it with playwright-core; no browser is ever downloaded).
system:
	@missing=""; \
	  command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing="$$missing nats-server"; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  fi

# The command as it runs: the TypeScript sources bundled by esbuild into dist/ (scripts/build.mjs, under a second).
build: $(NPM_STAMP)
	node scripts/build.mjs

run: install build
	node dist/taskmaster.mjs dev

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# vitest.config.ts defines the projects. Each run ends with `N passed, N failed` from its JSON report in .tmp/.
vitest = mkdir -p .tmp; npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/$(1).json $(2); \
  status=$$?; node test/summary.mjs .tmp/$(1).json; exit $$status

.PHONY: test-unit test-integration test-browser

test: install build
	$(call vitest,vitest)

# Pure tests need no nats-server or chromium: only the npm packages.
test-unit: $(NPM_STAMP)
	$(call vitest,vitest-unit,--project unit)

test-integration: install build
	$(call vitest,vitest-integration,--project integration)

test-browser: install build
	$(call vitest,vitest-browser,--project browser)

typecheck: install
	npx tsc --noEmit -p tsconfig.json

lint: install
	npx biome check .

# The import rules (no cycles, other modules only through their index.ts, pure modules import no I/O), in
# .dependency-cruiser.cjs.
deps: install
	npx depcruise --config .dependency-cruiser.cjs --output-type err-long cmd internal handler test

format: install
	npx biome check --write .

check: typecheck lint deps test

bench: install build
	node --import tsx test/bench/bench.ts
