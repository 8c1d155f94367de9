#!/usr/bin/env bash
# Issue 14's GPU comparison, sized to a lent GPU's calls (10 minutes each, 15 in a session).
#
# Here, once (needs the package registry): the packages the GPU image lacks, as wheels for its
# Python 3.12, into .whl (29 MB; checked on 2026-12-02 against a Python 3.12 venv holding the
# image's jax 0.11.2, flax, optax, chex, orbax-checkpoint, tensorstore, matplotlib, six):
#   bash examples/benchmarks/gpu_evidence.sh wheels   (.whl is in .gitignore)
# There, one call (device `run`, carry [".whl"], timeout_s 590):
#   bash examples/benchmarks/gpu_evidence.sh run ant 50000000 3 480 10
# runs `pgkit bench ppo-vs-brax` at Brax's published settings for ENV with STEPS env steps on
# SEEDS seeds and EVALS evaluations a run (Brax's num_evals; one per iteration would be 154 on
# Ant), starting no run that would end after BUDGET seconds, and writes ppo-vs-brax-ENV.json,
# .png and .log to $OUT. Each run is saved as it ends; a stopped comparison resumes from
# examples/benchmarks/gpu/ENV-STEPS/ppo-vs-brax-ENV.json (copy the returned JSON there and
# commit it: the next call, or the next session with a GPU, trains only the runs it lacks).
# Measured on an H200 (2026-12-04): a 20 M-step Ant run with 10 evaluations took 68-84 s for
# pgkit and 95-112 s for Brax (compile, training, evaluation; Brax's with a second compile the
# shim no longer causes); at 50 M steps a run takes about 1.5-2 minutes, so Ant's 3 seeds × 2
# trainers need two calls of 480 s: most of one session's 15 minutes of device time. A second
# call within 30 s of the first finds the machine warm.
#   bash examples/benchmarks/gpu_evidence.sh ablation ant 20000000 3 480 10 entropy_estimate=squashed
# runs `pgkit bench ablation` the same way (baseline and each change, ablation-ENV.json resumed
# from examples/benchmarks/gpu/ENV-STEPS/ as above; the baseline's runs are taken from
# ppo-vs-brax-ENV.json there when it holds them), and
#   bash examples/benchmarks/gpu_evidence.sh train mpo halfcheetah 5000000
# trains one preset (trpo, mpo, ...) into /tmp/runs and writes its log, metrics.csv (training
# return and diagnostics against env steps) and result.json (the final evaluation) to $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" = wheels ]; then
  python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \
    brax==0.14.2 distrax==0.1.9 rlax==0.1.9 mujoco==4.0.0 mujoco-core==4.0.0 \
    mujoco-mjx==3.17.0 dm-env==1.6 tfp-nightly==0.26.0.dev20261027 dm-tree==0.1.10 \
    jaxopt==0.8.5 ml-collections==1.1.0 tensorboardx==2.6.5 trimesh==5.2.0 tyro==1.0.17 \
    docstring-parser==0.18.0 typeguard==4.6.1 decorator==5.3.1 gast==0.7.0 glfw==2.11.0 \
    pyopengl==3.1.10
  exit 0
fi

setup() {  # the carried wheels, then what the machine is
  mkdir -p "$out"
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  python3 -c "import jax, brax; print('jax', jax.__version__, 'brax', brax.__version__,
                                     jax.devices())"
}
quiet() { grep -v "Failed to import"; }  # Brax's notes about the optional warp backend
out=${OUT:-/tmp/gpu_evidence}

case "${1:-}" in
  run)  # run ENV STEPS SEEDS BUDGET_S EVALS: pgkit ppo_clip against Brax PPO, resumable
    env=$2 steps=$3 seeds=$4 budget=$5 evals=$6
    setup
    saved=examples/benchmarks/gpu/$env-$steps/ppo-vs-brax-$env.json
    if [ -f "$saved" ]; then cp "$saved" "$out/"; fi  # its runs are not trained again
    python3 -m pgkit.cli bench ppo-vs-brax --env "$env" --num-timesteps "$steps" \
      --seeds "$seeds" --evals "$evals" --time-budget "$budget" --out "$out" 2>&1 | quiet \
      | tee "$out/ppo-vs-brax-$env.log" ;;
  ablation)  # ablation ENV STEPS SEEDS BUDGET_S EVALS CHANGE...: pgkit's variants, resumable
    env=$2 steps=$3 seeds=$4 budget=$5 evals=$6
    shift 6
    setup
    for saved in examples/benchmarks/gpu/$env-$steps/{ablation,ppo-vs-brax}-$env.json; do
      if [ -f "$saved" ]; then cp "$saved" "$out/"; fi  # ppo-vs-brax's pgkit runs: the baseline
    done
    changes=()
    for change in "$@"; do changes+=(--change "$change"); done
    python3 -m pgkit.cli bench ablation --env "$env" --num-timesteps "$steps" --seeds "$seeds" \
      --evals "$evals" --time-budget "$budget" --out "$out" "${changes[@]}" 2>&1 | quiet \
      | tee "$out/ablation-$env.log" ;;
  train)  # train ALGO ENV STEPS: one run of a preset (trpo, mpo, ...), its curve to $OUT
    algo=$2 env=$3 steps=$4 run=/tmp/runs/$2-$3
    setup
    python3 -m pgkit.cli train "$algo" --env "$env" --num-timesteps "$steps" --run-dir "$run" \
      2>&1 | quiet | tee "$out/$algo-$env.log"
    cp "$run/metrics.csv" "$out/$algo-$env-metrics.csv"
    cp "$run/result.json" "$out/$algo-$env-result.json" ;;
  *) echo "usage: $0 wheels | run ENV STEPS SEEDS BUDGET_S EVALS" \
       "| ablation ENV STEPS SEEDS BUDGET_S EVALS CHANGE... | train ALGO ENV STEPS" >&2; exit 2 ;;
esac
