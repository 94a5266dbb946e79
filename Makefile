# PolicyLink: two commands do all set-up on a fresh Debian 12 machine.
#   make demo   installs what is missing, starts the embedded PostGIS, loads the bundled data,
#               runs the analyses and writes maps + a report under out/
#   make test   the same set-up plus headless QGIS, then lint and the whole test suite
#               (two pytest-xdist workers, one test module per worker at a time, the 20
#               slowest steps listed at the end; see docs/testing.md)
SHELL := /bin/bash
PY_SYS ?= /usr/bin/python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
# Python may write bytecode in every recipe, even where the caller's environment sets
# PYTHONDONTWRITEBYTECODE (an empty value counts as unset): the venv's wheels are not compiled
# at install (scripts/install_python.sh), so each module is compiled once, on its first import,
# and not again in each of the ~100 processes `make test` starts.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test lint format setup setup-test plugin bench clean db-up db-down translations

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/system-core: scripts/ensure_system.sh | $(STAMPS)
	@scripts/ensure_system.sh core
	@touch $@

$(STAMPS)/system-test: scripts/ensure_system.sh | $(STAMPS)
	@scripts/ensure_system.sh test
	@touch $@

# The venv sees Debian's site-packages so that QGIS's Python bindings import in tests.
$(STAMPS)/venv: pyproject.toml scripts/install_python.sh $(STAMPS)/system-core | $(STAMPS)
	@test -x $(PY) || $(PY_SYS) -m venv --system-site-packages --without-pip $(VENV)
	@echo ">> installing Python packages into $(VENV)"
	@scripts/install_python.sh $(VENV) > $(STAMPS)/pip.log 2>&1 || { cat $(STAMPS)/pip.log; exit 1; }
	@echo ">> Python packages installed (log: $(STAMPS)/pip.log)"
	@touch $@

setup: $(STAMPS)/system-core $(STAMPS)/venv

setup-test: setup $(STAMPS)/system-test

demo: setup
	@$(VENV)/bin/policylink demo

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: setup
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

translations: setup-test
	@$(PY) scripts/build_translations.py

# One BLAS/OpenMP thread per xdist worker: two workers on two cores, not four threads fighting.
# The project's bytecode is compiled first, on both cores (0.5 s), rather than by whichever
# processes import it first. Since bytecode is written (above), pytest keeps its rewritten test
# modules too, and a second run collects in ~11 s per worker instead of ~19 s.
test: setup-test lint translations
	@$(PY) -m compileall -q -j 0 policylink etl spatial qgis_plugin > /dev/null
	@QT_QPA_PLATFORM=offscreen \
		OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
		$(PY) -m pytest -n 2 --dist loadfile --durations=20

plugin: setup translations
	@$(PY) scripts/build_plugin.py

bench: setup-test
	@$(PY) -m bench

db-up: setup
	@$(VENV)/bin/policylink db up

db-down: setup
	@$(VENV)/bin/policylink db down

clean:
	rm -rf out build dist .pytest_cache .ruff_cache
