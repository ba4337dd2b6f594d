# taskmaster: `make test` runs every test, `make check` adds the type-check and the lint.
# Each target installs what it needs first, so they work on a fresh clone with Node 20.

SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.installed

.PHONY: help install test check typecheck lint format

help:
	@echo "make test       install what is needed, then run every test"
	@echo "make check      type-check, lint, then every test"
	@echo "make format     format the code with Biome"

install: $(NPM_STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

test: install
	@mkdir -p .tmp
	npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json; status=$$?; \
	  node test/summary.mjs .tmp/vitest.json; exit $$status

typecheck: install
	npx tsc --noEmit -p tsconfig.json

lint: install
	npx biome check .

format: install
	npx biome check --write .

check: typecheck lint test
