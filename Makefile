# dangjian: `make demo` serves the Nanyang demo; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1:8000
# A random secret key for this checkout (local use: demo, tests). Production sets DANGJIAN_SECRET_KEY instead.
SECRET_KEY_FILE := var/secret_key
# Test processes (pytest-xdist): one per CPU; PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= auto

.PHONY: setup demo test lint messages translations system-deps clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(SECRET_KEY_FILE):
	@mkdir -p $(dir $@)
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp && mv $@.tmp $@

system-deps:
	@bash scripts/system-deps.sh

messages: $(STAMP) $(SECRET_KEY_FILE)
	@$(BIN)/dangjian compilemessages --ignore=.venv --ignore=node_modules -v0

setup: system-deps $(STAMP) node_modules/.installed $(SECRET_KEY_FILE) messages

# The server and, beside it, a worker for background jobs (large imports); Ctrl-C stops both.
demo: setup
	$(BIN)/dangjian migrate --noinput -v0
	$(BIN)/dangjian loaddemo
	@echo "Serving the Nanyang demo at http://$(HOST)/ with a background worker (Ctrl-C stops both)"
	@bash scripts/serve-with-worker.sh $(BIN)/dangjian $(HOST)

test: setup
	$(BIN)/ruff check .
	$(BIN)/dangjian makemigrations --check --dry-run -v0
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# After changing words of the interface: bring both catalogs in step with the source (new words added, dropped
# ones removed), then translate the new entries in locale/zh_Hans (tests/core/test_translations.py checks).
translations: $(STAMP)
	cd src/dangjian && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --add-location=file --no-obsolete \
		--ignore='static/*' -v0

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var
