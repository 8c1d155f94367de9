#!/usr/bin/env bash
# Issue 14's GPU evidence, sized to a lent GPU's calls (10 minutes each, 15 in a session).
#
# Here, once (needs the package registry): the packages the GPU image lacks, as wheels for its
# Python 3.12, into .whl (29 MB; checked on 2026-12-04 on an H200 with the image's jax 0.11.2):
#   bash examples/benchmarks/gpu_evidence.sh wheels   (.whl is in .gitignore)
# There, one call (device `run`, carry [".whl"], timeout_s 590):
#   bash examples/benchmarks/gpu_evidence.sh plan 540
# runs the jobs of examples/benchmarks/gpu/plan.txt in order until 540 s are spent and writes
# them all as $OUT/evidence.tgz (and the call's log as $OUT/plan.log). Every job resumes from the
# records in examples/benchmarks/gpu/ (a finished job is skipped), so each session with a GPU
# runs the same command and goes on where the last one stopped. Here, afterwards:
#   tar xzf /work/.device/N/evidence.tgz -C examples/benchmarks/gpu && git add examples/benchmarks/gpu
# A plan line is one of (SEEDS seeds, EVALS evaluations a run from 0 steps, Brax's num_evals):
#   run ENV STEPS SEEDS EVALS            pgkit bench ppo-vs-brax (Brax's published settings)
#   ablation ENV STEPS SEEDS EVALS CHANGE...   pgkit bench ablation (baseline: run's pgkit runs)
#   train ALGO ENV STEPS                 pgkit train with the preset, 20 reports, each evaluating the
#                                        deterministic policy: log, metrics.csv, result.json
#   profile ENV [CHANGES]                profile_ppo_iteration.py: one ppo_clip iteration by phase
#   startup ALGO ENV                     startup.py: the time before training, step by step
#   xla ENV FLAGS                        profile ENV with XLA_FLAGS=FLAGS (XLA options to try)
# into ENV-STEPS/ (run, ablation), train/ALGO-ENV-STEPS-* (train), profile/ENV[-CHANGES].txt
# (profile), profile/ENV-xla-FLAGS.txt (xla; FLAGS without '--', other characters than
# letters, digits and ,+=.- as _) or
# profile/startup-ALGO-ENV.txt (startup). Measured on an H200
# (2026-12-04): a 20 M-step Ant run with 10 evaluations took 68-84 s for pgkit and 95-112 s for
# Brax (with a second compile the shim no longer causes); the machine's start about 30 s.
# NO_WHEELS=1 uses this machine's python3 as it is (a CPU check of the script).
set -euo pipefail
cd "$(dirname "$0")/../.."
records=examples/benchmarks/gpu
out=${OUT:-/tmp/gpu_evidence}
work=/tmp/evidence
day=$(date +%F)

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
  mkdir -p "$out" "$work"
  export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
  if [ -z "${NO_WHEELS:-}" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target /tmp/site .whl/*.whl
    export PYTHONPATH=/tmp/site:$PWD
  fi
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  python3 -c "import jax, brax; print('jax', jax.__version__, 'brax', brax.__version__,
                                     jax.devices())"
}
quiet() { grep --line-buffered -v "Failed to import" || true; }  # Brax's notes about the optional warp backend

resume() {  # DIR: the records kept in the repo for DIR, copied where the job writes
  mkdir -p "$work/$1"
  cp -n "$records/$1"/*.json "$work/$1/" 2>/dev/null || true  # none kept yet: nothing to copy
}

complete() {  # FILE SEEDS: true when every trainer of FILE has seeds 0..SEEDS-1 (record.paired)
  [ -f "$1" ] && python3 -c 'import sys; from pgkit.bench import curves, record
n = int(sys.argv[2]); paired = record.paired(curves.load(sys.argv[1]), n)
sys.exit(0 if all(len(runs) == n for runs in paired.values()) else 1)' "$1" "$2"
}

run_job() {  # ENV STEPS SEEDS EVALS BUDGET_S
  local env=$1 steps=$2 seeds=$3 evals=$4 budget=$5 dir=$1-$2
  resume "$dir"
  if complete "$work/$dir/ppo-vs-brax-$env.json" "$seeds"; then echo "done: run $*"; return; fi
  python3 -m pgkit.cli bench ppo-vs-brax --env "$env" --num-timesteps "$steps" --seeds "$seeds" \
    --evals "$evals" --time-budget "$budget" --out "$work/$dir" 2>&1 | quiet \
    | tee "$work/$dir/ppo-vs-brax-$env-$day.log"
}

ablation_job() {  # ENV STEPS SEEDS EVALS BUDGET_S CHANGE...
  local env=$1 steps=$2 seeds=$3 evals=$4 budget=$5 dir=$1-$2 changes=()
  shift 5
  for change in "$@"; do changes+=(--change "$change"); done
  resume "$dir"
  python3 -m pgkit.cli bench ablation --env "$env" --num-timesteps "$steps" --seeds "$seeds" \
    --evals "$evals" --time-budget "$budget" --out "$work/$dir" "${changes[@]}" 2>&1 | quiet \
    | tee "$work/$dir/ablation-$env-$day.log"
}

train_job() {  # ALGO ENV STEPS BUDGET_S: one preset, its log and curve (not resumable: redone)
  local stem=train/$1-$2-$3 run=/tmp/runs/$1-$2-$3
  if [ -f "$records/$stem-result.json" ]; then echo "done: train $1 $2 $3"; return; fi
  mkdir -p "$work/train"
  timeout "$4" python3 -m pgkit.cli train "$1" --env "$2" --num-timesteps "$3" --run-dir "$run" \
    --num-chunks 20 --eval-at-reports True 2>&1 | quiet | tee "$work/$stem.log" \
    || echo "train $1 $2 $3: stopped after $4 s"
  cp "$run/metrics.csv" "$work/$stem-metrics.csv" 2>/dev/null || true
  cp "$run/result.json" "$work/$stem-result.json" 2>/dev/null || true
}

script_job() {  # STEM BUDGET_S COMMAND...: COMMAND's output as STEM.txt (redone unless kept)
  local stem=$1 budget=$2
  shift 2
  if [ -f "$records/$stem.txt" ]; then echo "done: $stem"; return; fi
  mkdir -p "$work/$(dirname "$stem")"
  timeout "$budget" "$@" 2>&1 | quiet | tee "$work/$stem.txt" || echo "$stem: stopped after $budget s"
}

xla_job() {  # ENV BUDGET_S FLAGS: the profile with XLA_FLAGS=FLAGS (its name without the dashes)
  local name
  name=$(tr -c 'A-Za-z0-9,+=.-' _ <<< "${3//--/}")
  XLA_FLAGS="$3" script_job "profile/$1-xla-${name%_}" "$2" python3 \
    examples/benchmarks/profile_ppo_iteration.py "$1" positional
}

snapshot() {  # the work so far as $OUT/evidence.tgz (written whole, then renamed)
  tar czf "$out/evidence.tgz.part" -C "$work" . && mv "$out/evidence.tgz.part" "$out/evidence.tgz"
}

plan() {  # BUDGET_S [FILE]: FILE's jobs in order while time is left, then one tarball to $OUT
  local deadline=$((SECONDS + $1)) jobs left snapper
  mapfile -t jobs < <(grep -v '^#' "${2:-$records/plan.txt}" | grep .)
  # Every run is saved as it ends; a snapshot every 30 s keeps them if the call is cut short.
  (while sleep 30; do snapshot; done) >/dev/null 2>&1 &
  snapper=$!
  for job in "${jobs[@]}"; do
    left=$((deadline - SECONDS - 60))  # 60 s for a summary's raw-env measure and the plot
    if [ "$left" -lt 150 ]; then echo "plan: $left s left, stopping before: $job"; break; fi
    echo "plan: $job ($left s left)"
    read -r kind a b c d rest <<< "$job"
    case $kind in  # a failed job is reported; the jobs after it and the tarball still run
      run) run_job "$a" "$b" "$c" "$d" "$left" || echo "plan: failed: $job" ;;
      ablation) ablation_job "$a" "$b" "$c" "$d" "$left" $rest || echo "plan: failed: $job" ;;
      train) train_job "$a" "$b" "$c" "$left" || echo "plan: failed: $job" ;;
      profile) script_job "profile/$a${b:+-$b}" "$left" python3 \
                 examples/benchmarks/profile_ppo_iteration.py "$a" positional ${b:+"$b"} \
                 || echo "plan: failed: $job" ;;
      startup) script_job "profile/startup-$a-$b" "$left" python3 examples/benchmarks/startup.py \
                 "$a" "$b" || echo "plan: failed: $job" ;;
      xla) xla_job "$a" "$left" "${job#xla "$a" }" || echo "plan: failed: $job" ;;
      *) echo "plan: unknown job: $job" ;;
    esac
  done
  kill "$snapper" 2>/dev/null || true
  snapshot
  tar tzf "$out/evidence.tgz"
}

case "${1:-}" in
  plan) mkdir -p "$out"; { setup; plan "$2" "${3:-}"; } 2>&1 | tee "$out/plan.log" ;;
  *) echo "usage: $0 wheels | plan BUDGET_S [PLAN_FILE]" >&2; exit 2 ;;
esac
