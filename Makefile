# `make run` and `make test` do all set-up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The suite runs on this many pytest-xdist workers (one per core of the 2-core CI machine).
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS)
FLASK := CLINIC_CONFIG=$${CLINIC_CONFIG:-development} $(BIN)/flask --app wsgi
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard clinic/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-moved-clock bench install install-dev chromium translations extract-messages clean

run: install $(CATALOGUES)
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) clinic seed
	@echo
	@echo "MoveWell runs at http://127.0.0.1:$(PORT)"
	@echo "First time? Create an account to log in with (you will be asked for a password):"
	@echo "  CLINIC_CONFIG=development $(BIN)/flask --app wsgi users create you@example.nl --role admin"
	@echo "E-mails (booking confirmations) are written to this log by the mail worker."
	@echo
	$(FLASK) clinic send-mail --loop --interval 5 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev $(CATALOGUES) chromium
	$(PYTEST) $(PYTEST_ARGS)

# The suite again on other days (README, "Tests on another day"): just before the next spring and
# autumn clock changes, so each run crosses one, and a year and a half from now.
test-moved-clock: install-dev $(CATALOGUES) chromium
	@for instant in $$($(BIN)/python -m tests.clock | cut -d' ' -f2); do \
	  echo "== the suite with TEST_NOW=$$instant"; \
	  TEST_NOW=$$instant $(PYTEST) $(PYTEST_ARGS) || exit 1; \
	done

# The benchmark (README, "Benchmark"): BENCH_ARGS=--quick for a smoke run; DATABASE_URL=… for PostgreSQL.
bench: install-dev $(CATALOGUES)
	$(BIN)/python -m bench $(BENCH_ARGS)

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

# The browser tests drive Debian's Chromium; Playwright cannot download a browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || ./.ci/install-chromium

%.mo: %.po install
	$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# After changing user-facing text: extract the messages and merge them into the catalogues.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(VENV)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(VENV)/messages.pot -d clinic/translations --width 100

clean:
	rm -rf $(VENV) $(CATALOGUES)
