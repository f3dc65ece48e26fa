# The two commands of the quick start: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hoshin demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Most tests wait on HTTP round trips, so three workers on two cores finish sooner; the few
# timing-sensitive multi-process tests then run alone.
TEST_WORKERS ?= 3

test: $(STAMP) lint
	@bash .ci/start-postgres
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial"
	$(BIN)/pytest -m serial

bench: $(STAMP)
	@bash .ci/start-postgres
	$(BIN)/python -m bench

# The message catalogs after a change to the bot's texts: bot/i18n/locales/messages.pot from the
# code, and each language's .po updated from it (see the README, Languages). Nothing to compile.
messages: $(STAMP)
	$(BIN)/hoshin i18n extract

clean:
	rm -rf $(VENV) demo-output .pytest_cache
