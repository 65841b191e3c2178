#!/usr/bin/env bash
# GPU measurement kit: on a machine with an NVIDIA GPU, in under 8 minutes, one JSON of figures:
# s/image, it/s and peak VRAM at 512x512 x 25 steps fp16 per placement mode (full-size random SD 1.5-shaped
# pipeline), a forced out-of-memory batch and the engine's leaner retry, and VRAM arbitration with a real Ollama
# when one is running (skipped otherwise), and the image studio's img2img, inpaint and LoRA timings at 512x512 and
# 1024x1024. The card is capped at 12 GiB (RTX 4070 SUPER) unless --vram-cap-gib.
#
#   benchmarks/gpu_check.sh [--out FILE] [--vram-cap-gib N]   on the GPU machine
#   benchmarks/gpu_check.sh --dry-run [--out FILE]           anywhere, CPU only, tiny pipeline (CI runs this)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
MODE=--full
OUT=benchmarks/results/gpu_check.json
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) MODE=--dry-run; shift ;;
    --out) OUT="$2"; shift 2 ;;
    --vram-cap-gib) EXTRA+=(--vram-cap-gib "$2"); shift 2 ;;
    *) echo "gpu_check: unknown option $1 (use --dry-run, --out FILE, --vram-cap-gib N)" >&2; exit 2 ;;
  esac
done
if [ "$MODE" = --full ]; then
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu_check: no NVIDIA driver here (nvidia-smi not found); run with --dry-run for the CPU check" >&2
    exit 2
  fi
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >&2 || true
  command -v ollama >/dev/null 2>&1 && ollama --version >&2 || echo "gpu_check: Ollama not installed: arbitration skipped" >&2
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 DISABLE_TELEMETRY=1
exec timeout 470 "$PY" benchmarks/sd_bench.py "$MODE" --out "$OUT" "${EXTRA[@]}"
