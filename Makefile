# Two set-up commands on a fresh machine: `make demo` and `make test`. Both create .venv and install.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test data clean-artifacts bench-peers

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# Pinned first: this version resolves to the local CPU wheel; an unpinned torch pulls GBs of CUDA.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m pipeline run preset=demo

# Two xdist workers: the suite's long tests wait on subprocesses and I/O as much as on the CPU, so
# two at a time fill a 2-core machine (tests/conftest.py keeps files that share a fixture together).
test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile

# Rebuild the embedded raw corpus from the manual (deterministic; tests check it matches).
data: $(STAMP)
	$(PY) -m datagen corpus --manual data/manual --out data/raw --seed 1234

clean-artifacts:
	rm -rf artifacts experiments outputs

# Peer tools (NeMo Curator, datatrove) in their own venv, then the curate benchmark against them.
bench-peers: $(STAMP)
	bash benchmarks/peers/setup.sh
	$(PY) benchmarks/curate_bench.py
