#!/usr/bin/env bash
# Build the peers' virtual environment (DeepCTR-Torch 0.3.0, FuxiCTR 2.3.10) at PATH,
# apart from the project's: benchmarks/peers.py runs the peer scripts with PATH/bin/python.
#
#   bash benchmarks/peers/setup_venv.sh /tmp/peers
#
# torch is installed first, pinned, from the CPU wheel index ($TORCH_INDEX_URL; set it
# empty to use pip's configured sources, e.g. a local wheel folder holding the CPU
# build): left to pip's resolver (deepctr-torch and fuxictr both require torch), it
# would pull the CUDA build (GBs). It stays pinned in the second install.
# FuxiCTR 2.3.10 needs polars < 2; ray and the rest come with fuxictr.
set -euo pipefail
venv="${1:?usage: setup_venv.sh PATH}"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3

"$python" -m venv "$venv"
"$venv/bin/pip" install --upgrade pip
torch_index="${TORCH_INDEX_URL-https://download.pytorch.org/whl/cpu}"
"$venv/bin/pip" install "torch==2.13.0" ${torch_index:+--index-url "$torch_index"}
"$venv/bin/pip" install "torch==2.13.0" "deepctr-torch==0.3.0" "fuxictr==2.3.10" "polars<2" \
    scikit-learn pandas pyarrow
"$venv/bin/python" - <<'PY'
import deepctr_torch, fuxictr, polars, ray, torch
print("peers venv ready: torch", torch.__version__, "deepctr-torch", deepctr_torch.__version__,
      "fuxictr", getattr(fuxictr, "__version__", "?"), "polars", polars.__version__,
      "ray", ray.__version__)
PY
