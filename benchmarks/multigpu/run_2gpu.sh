#!/bin/bash
# Issue 18's runs on one machine with two GPUs (each part fits a 10-minute command; run them in order):
#
#   bash benchmarks/multigpu/run_2gpu.sh native     # 1b: 1 GPU vs DDP over 2, bf16 and FP8 (reduce_amax)
#   bash benchmarks/multigpu/run_2gpu.sh megatron   # 1b: megatron 1 GPU vs TP=2 vs PP=2 (bf16)
#   bash benchmarks/multigpu/run_2gpu.sh compare    # the table (+ compare.json), HF parity of the exports
#   bash benchmarks/multigpu/run_2gpu.sh smoke      # every launch with world size 1 and 5 steps (1 GPU)
#
# Every run has global batch 16 x 2048 tokens (micro 8; accum 2 on one data-parallel rank, 1 on two),
# the same seeded initial weights and the same Markov rows, 50 steps. Environment: OUT (default
# /tmp/mg), PY (default python3), STEPS (default 50), PRESET (default 1b).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/mg}
PY=${PY:-python3}
STEPS=${STEPS:-50}
PRESET=${PRESET:-1b}
RUN="benchmarks/multigpu/lm_run.py --preset ${PRESET} --steps ${STEPS} --micro 8 --seq-len 2048"
TORCHRUN="${PY} -m torch.distributed.run --standalone --nproc_per_node 2"
# megatron runs only: one hardware queue, so tensor-parallel communication kernels run in issue order
# (Megatron-LM requires it for TP with sequence parallelism); not set for DDP, whose overlap it would limit.
MEGATRON_ENV="env CUDA_DEVICE_MAX_CONNECTIONS=${CUDA_DEVICE_MAX_CONNECTIONS:-1}"

case "${1:-}" in
  native)
    for precision in bf16 fp8; do
      ${PY} ${RUN} --engine native --precision ${precision} --accum 2 --out "${OUT}/native-${precision}-1gpu"
      ${TORCHRUN} ${RUN} --engine native --precision ${precision} --accum 1 --out "${OUT}/native-${precision}-ddp2"
    done
    ;;
  megatron)
    ${MEGATRON_ENV} ${PY} ${RUN} --engine megatron --precision bf16 --accum 2 --out "${OUT}/megatron-bf16-1gpu"
    ${MEGATRON_ENV} ${TORCHRUN} ${RUN} --engine megatron --precision bf16 --accum 2 --tp 2 \
      --out "${OUT}/megatron-bf16-tp2"
    ${MEGATRON_ENV} ${TORCHRUN} ${RUN} --engine megatron --precision bf16 --accum 2 --pp 2 \
      --out "${OUT}/megatron-bf16-pp2"
    ;;
  megatron-fp8)  # optional, if time is left: FP8 with TP=2 (amax reduced over the TP + DP group)
    ${MEGATRON_ENV} ${PY} ${RUN} --engine megatron --precision fp8 --accum 2 --out "${OUT}/megatron-fp8-1gpu"
    ${MEGATRON_ENV} ${TORCHRUN} ${RUN} --engine megatron --precision fp8 --accum 2 --tp 2 \
      --out "${OUT}/megatron-fp8-tp2"
    ;;
  compare)
    ${PY} benchmarks/multigpu/compare.py "${OUT}" --steps "${STEPS}" --json "${OUT}/compare.json"
    ;;
  smoke)
    SMOKE="benchmarks/multigpu/lm_run.py --preset ${PRESET} --steps 5 --micro 8 --seq-len 2048"
    ${PY} -m torch.distributed.run --standalone --nproc_per_node 1 ${SMOKE} --engine native --precision bf16 \
      --out "${OUT}/smoke-native"
    ${MEGATRON_ENV} ${PY} -m torch.distributed.run --standalone --nproc_per_node 1 ${SMOKE} --engine megatron \
      --precision bf16 \
      --out "${OUT}/smoke-megatron"
    ;;
  *)
    echo "usage: $0 native|megatron|megatron-fp8|compare|smoke" >&2
    exit 2
    ;;
esac
