# Keneya: the two commands of the README are `make up` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/layers/common/python:$(CURDIR)/localstack:$(CURDIR)
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: up test lint package bench venv clean app deploy-local deploy-local-down smoke-local

venv: $(VENV)/.installed node_modules/.installed

# Re-installs only when a requirements file changed.
$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt
	@echo "==> Python environment in $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The API reference renderers and the AsyncAPI schema, from the committed lockfile.
node_modules/.installed: package-lock.json
	@echo "==> npm packages in node_modules"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The web app (web/app), rebuilt when its sources or the API it is typed against changed: the
# typed client is generated from the merged OpenAPI document, so the build fails when they drift.
APP_SOURCES := $(shell find web/app/src web/app/public web/app/index.html web/app/vite.config.ts web/app/tsconfig.json -type f -not -name schema.d.ts -not -name '*.test.ts' 2>/dev/null)
API_SOURCES := $(shell find functions layers/common/python -name '*.py' 2>/dev/null)
web/app/dist/index.html: $(APP_SOURCES) $(API_SOURCES) node_modules/.installed $(VENV)/.installed
	@echo "==> web app: typed API client, type check, build (web/app/dist)"
	@$(PY) infra/package.py --openapi-only >/dev/null
	@npm run --silent build >/dev/null

app: web/app/dist/index.html

## Start the whole platform locally (no Docker, no AWS account). One console line per
## invocation; VERBOSE=1 shows every line the functions write (always in .keneya/logs/).
up: venv app
	@$(PY) -m keneya_local up $(if $(filter-out 0 no false,$(VERBOSE)),--verbose) $(ARGS)

## Run every test: the web app's own, then domain, service, contract and end-to-end.
test: venv app
	@npm test --silent
	@$(PY) -m pytest $(ARGS)

lint: venv
	@$(VENV)/bin/ruff check .

## Package every Chalice app and compose the deployable template into build/.
package: venv
	@$(PY) infra/package.py $(ARGS)

## The packaged template deployed on MiniStack (no Docker), as on AWS; see localstack/README.md.
deploy-local: venv
	@localstack/deploy.sh --engine ministack $(ARGS)

deploy-local-down:
	@localstack/deploy.sh --engine ministack --down

## The smoke suite against the stack `make deploy-local` deployed (tests/deployed).
smoke-local: venv
	@KENEYA_DEPLOYED_ENDPOINTS=$${KENEYA_DEPLOYED_ENDPOINTS:-.keneya/ministack/endpoints.json} $(PY) -m pytest tests/deployed -p no:cacheprovider $(ARGS)

bench: venv
	@for b in bench/*.py; do echo "==> $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf build .keneya node_modules
