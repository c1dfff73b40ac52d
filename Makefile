# dangjian: `make demo` serves the Nanyang demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1:8000
# Test processes (pytest-xdist): one per CPU; PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= auto

.PHONY: setup demo test lint messages system-deps clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

system-deps:
	@bash scripts/system-deps.sh

messages: $(STAMP)
	@$(BIN)/dangjian compilemessages --ignore=.venv --ignore=node_modules -v0

setup: system-deps $(STAMP) node_modules/.installed messages

demo: setup
	$(BIN)/dangjian migrate --noinput -v0
	$(BIN)/dangjian loaddemo
	@echo "Serving the Nanyang demo at http://$(HOST)/ (Ctrl-C stops it)"
	$(BIN)/dangjian runserver $(HOST)

test: setup
	$(BIN)/ruff check .
	$(BIN)/dangjian makemigrations --check --dry-run -v0
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
