"""The ``pgkit`` command.

    pgkit train ALGO --env NAME [--backend spring] [--num-timesteps N] [--seed S]
                     [--num-envs N] [--<config or hyperparameter> VALUE ...]

Every field of ``Config`` and ``HParams`` is a flag (``--learning-rate 1e-3``, ``--epochs 8``);
unset flags keep the preset for (ALGO, env). The last line printed is
``final: algo=... env=... eval_return=... env_steps=... wall_s=... steps_per_s=...``.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

from pgkit.training.config import Config, HParams


def _parse_bool(text: str) -> bool:
  if text.lower() in ("1", "true", "yes", "on"):
    return True
  if text.lower() in ("0", "false", "no", "off"):
    return False
  raise argparse.ArgumentTypeError(f"expected true/false, got {text!r}")


def _parse_ints(text: str) -> tuple[int, ...]:
  return tuple(int(x) for x in text.split(",") if x)


def _add_fields(parser: argparse.ArgumentParser) -> None:
  skip = {"algo", "env"}
  for f in dataclasses.fields(Config):
    if f.name in skip:
      continue
    kind = {bool: _parse_bool, int: int, str: str}.get(type(f.default), _parse_ints)
    parser.add_argument("--" + f.name.replace("_", "-"), dest=f.name, type=kind, default=None,
                        help=f"config (default from the preset; dataclass default {f.default})")
  for name, default in HParams._field_defaults.items():
    parser.add_argument("--" + name.replace("_", "-"), dest=name, type=float, default=None,
                        help=f"hyperparameter (dataclass default {default})")


def build_parser() -> argparse.ArgumentParser:
  parser = argparse.ArgumentParser(prog="pgkit", description=__doc__.split("\n")[0])
  sub = parser.add_subparsers(dest="command", required=True)
  train = sub.add_parser("train", help="train an algorithm on a Brax environment")
  train.add_argument("algo")
  train.add_argument("--env", default="inverted_pendulum")
  train.add_argument("--seed", type=int, default=0)
  train.add_argument("--log-dir", default=None, help="write metrics.jsonl here")
  train.add_argument("--checkpoint-dir", default=None,
                     help="save the train state after every chunk; resume from it if present")
  train.add_argument("--num-chunks", type=int, default=10,
                     help="progress reports (compiled chunks) over the run")
  _add_fields(train)

  bench = sub.add_parser("bench", help="benchmarks: ppo-vs-brax, algorithms")
  kinds = bench.add_subparsers(dest="bench", required=True)
  vs = kinds.add_parser("ppo-vs-brax", help="pgkit ppo_clip vs Brax PPO, same settings")
  vs.add_argument("--env", default="inverted_pendulum")
  vs.add_argument("--backend", default="positional")
  vs.add_argument("--num-timesteps", type=int, default=1_000_000)
  vs.add_argument("--seeds", type=int, default=2)
  vs.add_argument("--threshold", type=float, default=None,
                  help="also time both to this eval return (900 on inverted_pendulum)")
  vs.add_argument("--eval-envs", type=int, default=128)
  algos = kinds.add_parser("algorithms", help="every algorithm on several envs")
  algos.add_argument("--envs", default="inverted_pendulum,inverted_double_pendulum,reacher")
  algos.add_argument("--algos", default=None, help="comma-separated; default all")
  algos.add_argument("--seeds", type=int, default=2)
  algos.add_argument("--out", default="examples/benchmarks")
  return parser


def train_command(args) -> int:
  from pgkit.algorithms import ALGORITHMS, OFF_POLICY_ALGORITHMS
  from pgkit.training.presets import preset
  from pgkit.training.runner import run

  known = {**ALGORITHMS, **OFF_POLICY_ALGORITHMS}
  if args.algo not in known:
    raise ValueError(f"algo must be one of {sorted(known)}, got {args.algo!r}")
  config, hp = preset(args.algo, args.env)
  overrides = {f.name: getattr(args, f.name) for f in dataclasses.fields(Config)
               if getattr(args, f.name, None) is not None}
  config = dataclasses.replace(config, **overrides)
  hp = hp._replace(**{k: getattr(args, k) for k in HParams._fields
                      if getattr(args, k) is not None})
  run(config, hp, seed=args.seed, num_chunks=args.num_chunks, log_dir=args.log_dir,
      checkpoint_dir=args.checkpoint_dir)
  return 0


def bench_command(args) -> int:
  if args.bench == "ppo-vs-brax":
    from pgkit.bench.ppo_vs_brax import compare
    from pgkit.envs import validate_env
    validate_env(args.env, args.backend)
    for name in ("num_timesteps", "seeds", "eval_envs"):
      if getattr(args, name) < 1:
        raise ValueError(f"{name} must be >= 1, got {getattr(args, name)}")
    compare(args.env, args.backend, args.num_timesteps, args.seeds, args.threshold,
            args.eval_envs)
    return 0
  from pgkit.bench.algorithms import benchmark
  benchmark(args.envs.split(","), args.algos.split(",") if args.algos else None, args.seeds,
            args.out)
  return 0


def main(argv=None) -> int:
  args = build_parser().parse_args(argv)
  try:
    if args.command == "train":
      return train_command(args)
    if args.command == "bench":
      return bench_command(args)
  except ValueError as e:
    print(f"pgkit: error: {e}", file=sys.stderr)
    return 2
  return 1


if __name__ == "__main__":
  sys.exit(main())
