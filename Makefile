# Two commands do all the set-up (see README.md):
#   make demo   install into .venv, build the demo on SQLite and serve it on http://127.0.0.1:5000/
#   make test   install into .venv (with the dev extra) and run the tests
# `make install` installs the versions CI tested (constraints.txt); `make constraints` rewrites that file
# from the current .venv after an upgrade (run the tests first). `make translations` re-extracts the respondent
# pages' wording (babel.cfg), merges it into every catalogue in vocapp/translations and compiles them
# (the compiled .mo files are committed, so installing needs no build step).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install constraints translations

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg setup.py pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("vocapp needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

demo: install
	$(BIN)/vocapp demo

test: install
	$(BIN)/python -m pytest

constraints:
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip==' | \
	  (echo "# Versions CI tested; make install uses them. Regenerate with: make constraints"; cat) > constraints.txt

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k Message --no-location --sort-output --omit-header --project vocapp \
	  -o vocapp/translations/messages.pot .
	$(BIN)/pybabel update -i vocapp/translations/messages.pot -d vocapp/translations --no-fuzzy-matching --ignore-obsolete -w 120
	$(BIN)/pybabel compile -d vocapp/translations --statistics
