#!/usr/bin/env bash
# Peer curation libraries for benchmarks/curate_bench.py, in their OWN virtual environment:
# NeMo Curator 1.4 (heuristic filters) and datatrove (MinHash dedup) are heavy and pin versions
# that conflict with the project's environment, so they never go into .venv.
#   bash benchmarks/peers/setup.sh [VENV_DIR]      (default /tmp/peers-venv; about 3-4 minutes)
set -euo pipefail
VENV=${1:-/tmp/peers-venv}
PYTHON=${PYTHON:-python3}
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip
# xxhash 4 refuses str input, which datatrove 0.10.1 passes; orjson and spacy are datatrove extras.
# CPU torch first and pinned: an unpinned one (pulled by nemo-curator) brings GBs of CUDA wheels.
"$VENV/bin/pip" install -q torch==2.13.0
"$VENV/bin/pip" install -q "nemo-curator==1.4.0" "datatrove==0.10.1" orjson spacy "xxhash<3.6" "torch==2.13.0"
"$VENV/bin/python" -c "import nemo_curator, datatrove; print('peers ready:', nemo_curator.__version__, datatrove.__version__ if hasattr(datatrove, '__version__') else 'datatrove')"
