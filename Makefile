# The README's two commands are `make demo` and `make test`; everything else here serves them or contributors.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test export notebooks readme docs docs-check data

# A project-local virtualenv; torch 2.13.0 (CPU, from local disk) goes in first so that the package's
# torch range is already satisfied and pip never pulls a CUDA build.
$(STAMP): pyproject.toml
	@echo "== setting up $(VENV) (torch 2.13.0 first, then wealtharena[dev])"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e ".[dev,bench]"
	@touch $(STAMP)

install: $(STAMP)

# The whole multi-agent system on the last walk-forward fold (test year 2019) with 3 seeds and the full training
# budgets of agents.yaml: five agents, two meta-controllers, every mode against 1/N and the fixed weights, the
# baseline report; trained agents are cached under outputs/cache/ for reruns. It prints its budget and the run folder.
demo: $(STAMP)
	$(PY) -m wealtharena.system --folds 2019 --seeds 0 1 2 --budget 1.0

# Chapters run under nbdev-test (the experiment notebooks of nbs/experiments/ run under pytest, through papermill,
# as a sweep runs them); pytest then checks the package against the notebooks, the docs site in Chromium and everything
# else in tests/, on two workers (pytest-xdist; a test file's tests stay on one worker, in order). pytest's summary line
# is the last line printed.
test: $(STAMP)
	@echo "== nbdev-test: every notebook runs"
	$(VENV)/bin/nbdev-test --n-workers 2 --timing --skip-folder-re "^(experiments|[_.].*)$$"
	@echo "== pytest"
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder

export: $(STAMP)
	$(VENV)/bin/nbdev-export
	$(PY) tools/wrap_generated.py
	$(VENV)/bin/nbdev-clean
	$(PY) tools/make_readme.py

notebooks: $(STAMP)
	$(VENV)/bin/nbdev-test --n-workers 2 --save --skip-folder-re "^(experiments|[_.].*)$$"
	$(MAKE) export

readme: $(STAMP)
	$(PY) tools/make_readme.py

docs: $(STAMP)
	$(PY) tools/build_docs.py

docs-check: docs
	$(PY) tools/check_docs.py

data: $(STAMP)
	$(PY) data/build_data.py
