"""The ``pgkit`` command.

    pgkit train ALGO [--env NAME] [--config settings.json] [--<run setting> V] [--<ALGO's> V]
    pgkit sweep ALGO --env NAME --seeds K [--grid NAME=v1,v2,...]... [pgkit train's flags]
    pgkit train ... --coordinator HOST:PORT --num-processes P --process-id I   (several hosts)
    pgkit eval RUN_DIR | render RUN_DIR --out FILE | plot RUN_DIR... | list
    pgkit bench ppo-vs-brax | algorithms | robustness ...

``ALGO`` is a registered name (``pgkit train --help`` lists them) or an import path
``module:name`` / ``file.py:name`` of an algorithm declared with ``@pgkit.algorithm``. The flags
of ``pgkit train ALGO`` are generated (with tyro) from the run settings and ALGO's own declared
options and hyperparameters, with defaults from ALGO's preset for the chosen env; a flag ALGO
does not read is an error. The last line printed is
``final: algo=... env=... eval_return=... env_steps=... wall_s=... steps_per_s=...``.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import sys
from typing import Annotated, Literal, Optional

from pgkit import gc_tuning
from pgkit.settings.errors import InputError

USAGE = "pgkit train ALGO [--env NAME] [--config FILE] [flags]; pgkit train ALGO --help lists them"


def _flag(name: str) -> str:
  return "--" + name.replace("_", "-")


def _mirror(obj, title: str, description: str):
  """A dataclass mirroring ``obj``'s declared fields for tyro: help (doc and allowed range),
  choices as ``Literal`` and ``obj``'s values as defaults."""
  import tyro
  from pgkit.settings import fields as f_lib

  rows = []
  for f in dataclasses.fields(obj):
    rng, default = f_lib.allowed(f), getattr(obj, f.name)
    kind = type(f.default) if f.default is not None else Optional[str]
    if rng.choices is not None:
      kind = Literal[rng.choices]
    elif kind is tuple:
      kind = tuple[int, ...]
    # tyro shows choices and booleans itself; a free-text field has no range to show
    shown = f.default is not None and rng.choices is None and kind not in (bool, str)
    help_text = f"{f_lib.doc(f)} [{rng.describe(type(f.default))}]" if shown else f_lib.doc(f)
    rows.append((f.name, Annotated[kind, tyro.conf.arg(help=help_text)],
                 dataclasses.field(default=default)))
  cls = dataclasses.make_dataclass(title.replace(" ", "_"), rows, frozen=True)
  cls.__doc__ = description
  return Annotated[cls, tyro.conf.OmitArgPrefixes, tyro.conf.arg(name=title)], cls()


def _command_type(base):
  """The dataclass tyro parses for ``pgkit train ALGO``: a settings file and three groups."""
  name = base.algo.name
  groups = [("run", base.run, "run settings, shared by every algorithm"),
            (name, base.options, f"{name}'s options (static: shapes and code paths)"),
            (f"{name} hyperparameter", base.hparams,
             f"{name}'s hyperparameters (floats; traced, so sweeps vmap over them)")]
  rows = [("config", Annotated[Optional[str], _config_arg()], dataclasses.field(default=None))]
  for i, (title, obj, doc) in enumerate(groups):
    kind, default = _mirror(obj, title, doc)
    rows.append((f"part{i}", kind, dataclasses.field(default=default)))
  return dataclasses.make_dataclass("TrainCommand", rows, frozen=True)


def _config_arg():
  import tyro
  return tyro.conf.arg(help="a settings.json to start from (flags override it)")


def _pre_parse(args: list[str]):
  """``--env`` and ``--config`` first: they choose the defaults of every other flag."""
  parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
  parser.add_argument("--env")
  parser.add_argument("--config")
  try:
    known, _ = parser.parse_known_args(args)
  except argparse.ArgumentError as e:  # "argument --env: expected one argument"
    raise InputError(str(e)) from None
  return known.env, known.config


def _owners(flag: str) -> list[str]:
  from pgkit import settings

  out = []
  for name in settings.names_of_algorithms():
    algo = settings.get(name)
    if flag in {_flag(n) for cls in (algo.options, algo.hparams) for n in settings.fields.names(cls)}:
      out.append(name)
  return out


def _check_flags(args: list[str], base) -> None:
  """A flag ALGO does not declare is an error naming ALGO (and who does declare it)."""
  from pgkit.settings import fields

  known = {"--config", "--help", "-h"} | {_flag(n) for part in base.parts.values()
                                          for n in fields.names(part)}
  name = base.algo.name
  for token in args:
    flag = token.split("=", 1)[0]
    if not flag.startswith("--") or flag in known or _is_number(token):
      continue
    owners = _owners(flag)
    if owners:
      raise InputError(f"{flag} is not a setting of {name} (it belongs to "
                       f"{', '.join(owners)}); see pgkit train {name} --help")
    close = difflib.get_close_matches(flag, sorted(known), n=1)
    hint = f"; did you mean {close[0]}?" if close else f"; see pgkit train {name} --help"
    raise InputError(f"unknown flag {flag} for {name}{hint}")


def _is_number(token: str) -> bool:
  try:
    float(token)
    return True
  except ValueError:
    return False


def _resolve(algo_ref: str, args: list[str]):
  from pgkit import settings

  algo = settings.get(algo_ref)
  env, config = _pre_parse(args)
  if config:
    base = settings.load(config)
    if base.algo is not algo:
      raise InputError(f"config: {config!r} holds settings of {base.algo.name}, not {algo.name}")
    base = base.replace(env=env) if env else base
  else:
    base = settings.preset(algo, env)
  # a bad --env or settings file, before it becomes a default (each field on its own: flags
  # may still change the fields a rule between them relates)
  for part in base.parts.values():
    part.validate(algo.name)
  return base


def parse_train(argv: list[str]):
  """``pgkit train ALGO ...`` -> validated ``Settings`` (ValueError on bad input)."""
  import tyro
  from pgkit import settings

  if not argv or argv[0].startswith("-"):
    if argv and argv[0] in ("-h", "--help"):
      _print_algorithms()
      raise SystemExit(0)
    raise InputError(f"ALGO is required: {USAGE}")
  base = _resolve(argv[0], argv[1:])
  _check_flags(argv[1:], base)
  parsed = tyro.cli(_command_type(base), args=argv[1:], prog=f"pgkit train {argv[0]}",
                    description=base.algo.summary or None,
                    config=(tyro.conf.FlagConversionOff,))
  values = [dataclasses.asdict(getattr(parsed, f"part{i}")) for i in range(3)]
  result = settings.Settings(base.algo, settings.RunSettings(**values[0]),
                             base.algo.options(**values[1]), base.algo.hparams(**values[2]))
  return result.validate()


def _print_algorithms() -> None:
  from pgkit import settings

  print(f"usage: {USAGE}\n\nalgorithms (or an import path module:name of your own):")
  for name in settings.names_of_algorithms():
    print(f"  {name:10s} {settings.get(name).summary}")
  from pgkit.settings import envs
  print("\nenvs (--env):\n" + "\n".join(envs.listing()))
  print(f"backends (Brax envs): {', '.join(settings.BACKENDS)}")


def build_bench_parser() -> argparse.ArgumentParser:
  parser = argparse.ArgumentParser(prog="pgkit bench", allow_abbrev=False)
  kinds = parser.add_subparsers(dest="bench", required=True)
  vs = kinds.add_parser("ppo-vs-brax", help="pgkit ppo_clip vs Brax PPO, same settings",
                        allow_abbrev=False)
  ab = kinds.add_parser("ablation", help="ppo_clip (or --algo) at Brax's settings, one change "
                        "at a time", allow_abbrev=False)
  ab.add_argument("--algo", default="ppo_clip",
                  help="ppo_clip, or another algorithm declaring Brax's PPO schedule (ppo_kl, "
                       "is_pg, or your own module:name)")
  for kind in (vs, ab):  # both train at Brax's settings for the env
    kind.add_argument("--env", default="inverted_pendulum")
    kind.add_argument("--backend", default="positional")
    kind.add_argument("--num-timesteps", type=int, default=1_000_000)
    kind.add_argument("--seeds", type=int, default=2)
    kind.add_argument("--eval-envs", type=int, default=128)
    kind.add_argument("--evals", type=int, default=None, metavar="N",
                      help="evaluations per run, the first at 0 steps, where Brax's num_evals "
                           "puts them (default: after every iteration); fewer save a GPU's time")
  vs.add_argument("--threshold", type=float, default=None,
                  help="also time both to this eval return (900 on inverted_pendulum)")
  vs.add_argument("--out", default=None, metavar="DIR",
                  help="also write ppo-vs-brax-ENV.json (every run, saved as it ends) and .png "
                       "(mean ± std over seeds) here (needs the extra plot); runs already "
                       "in that file for the same settings are not trained again, nor are "
                       "those an ablation-ENV.json there holds (the variant with pgkit's "
                       "settings, and Brax's reference row)")
  ab.add_argument("--out", default=None, metavar="DIR",
                  help="also write ablation-ENV.json (ablation-ALGO-ENV.json for another "
                       "--algo; every run, saved as it ends) and .png "
                       "here (needs the extra plot); runs already in that file for the same "
                       "settings are not trained again; a ppo-vs-brax-ENV.json there of the "
                       "same settings gives the baseline's runs and Brax's reference row")
  for kind in (vs, ab):
    kind.add_argument("--time-budget", type=float, default=None, metavar="SECONDS",
                      help="start no run that would end after this (the longest run so far "
                           "says how long one takes); with --out the same command resumes")
  ab.add_argument("--change", action="append", default=[], metavar="NAME=VALUE[,NAME=VALUE]",
                  help="one variant (repeat the flag for more)")
  vs.add_argument("--change", default=None, metavar="NAME=VALUE[,NAME=VALUE]",
                  help="run pgkit's side with these settings changed (critic_matmul=bfloat16)")
  for name, about, envs, seeds in (
      ("algorithms", "every algorithm on several envs", "--envs", 2),
      ("robustness", "every algorithm's preset on seeds 0..K-1, one table per env", "--env", 10)):
    kind = kinds.add_parser(name, help=about, allow_abbrev=False)
    kind.add_argument(envs, default="inverted_pendulum,inverted_double_pendulum,reacher"
                      if envs == "--envs" else "inverted_pendulum")
    kind.add_argument("--algos", default=None, help="comma-separated; default all")
    kind.add_argument("--seeds", type=int, default=seeds)
    kind.add_argument("--out", default="examples/benchmarks")
  return parser


def bench_command(args) -> int:
  if args.bench in ("ppo-vs-brax", "ablation"):
    from pgkit.bench import settings as bench_settings
    from pgkit.envs import validate_env
    validate_env(args.env, args.backend)
    bench_settings.brax_settings(args.env)  # one Brax publishes PPO settings for
    for name in ("num_timesteps", "seeds", "eval_envs"):
      if getattr(args, name) < 1:
        raise InputError(f"{name} must be >= 1, got {getattr(args, name)}")
    if args.bench == "ablation":
      from pgkit.bench.ablation import ablate
      bench_settings.check_algo(args.algo)
      ablate(args.env, args.backend, args.num_timesteps, args.seeds, args.change, _owners,
             args.eval_envs, out=args.out, time_budget=args.time_budget, evals=args.evals,
             algo=args.algo)
      return 0
    from pgkit.bench.ppo_vs_brax import compare
    compare(args.env, args.backend, args.num_timesteps, args.seeds, args.threshold,
            args.eval_envs, out=args.out, change=args.change, owners=_owners,
            time_budget=args.time_budget, evals=args.evals)
    return 0
  if args.seeds < 1:
    raise InputError(f"seeds must be >= 1, got {args.seeds}")
  algos = args.algos.split(",") if args.algos else None
  if args.bench == "robustness":
    from pgkit.bench.robustness import robustness
    robustness(args.env, algos, args.seeds, args.out)
    return 0
  from pgkit.bench.algorithms import benchmark
  benchmark(args.envs.split(","), algos, args.seeds,
            args.out)
  return 0


COMMANDS = {"train": "train an algorithm into a run folder (pgkit train --help lists them)",
            "sweep": "seeds × a grid of settings in one compiled call: IQM, bootstrap CIs, PNG",
            "eval": "evaluate a run folder's policy: mean ± std return over N episodes",
            "render": "an episode of a run folder's policy as HTML (Brax's viewer), GIF or MP4",
            "plot": "return and metric curves of run folders, seed bands per settings",
            "list": "the algorithms (built-in and yours), envs, backends and presets",
            "bench": "benchmarks: ppo-vs-brax, ablation, algorithms, robustness"}
TOOLS = {"eval": "evaluate", "render": "render", "plot": "plot", "list": "listing"}  # pgkit.tools


def tool_command(name: str, argv: list[str]) -> int:
  """``pgkit eval|render|plot|list ...`` (pgkit.tools)."""
  import importlib
  module = importlib.import_module(f"pgkit.tools.{TOOLS[name]}")
  parser = argparse.ArgumentParser(prog=f"pgkit {name}", allow_abbrev=False,
                                   description=module.__doc__.split("\n\n")[0])
  module.add_arguments(parser)
  args = parser.parse_args(argv)
  if name in ("eval", "render"):  # they compile the policy's episodes
    from pgkit.training import compile_cache
    compile_cache.enable()
  return module.command(args)


def main(argv=None) -> int:
  gc_tuning.relax()  # before jax and Brax are imported: their import is most of the collections
  argv = list(sys.argv[1:] if argv is None else argv)
  if not argv or argv[0] not in COMMANDS:
    if argv and argv[0] not in ("-h", "--help"):
      print(f"pgkit: error: unknown command {argv[0]!r}; one of {list(COMMANDS)}",
            file=sys.stderr)
      return 2
    print("usage: pgkit {" + ",".join(COMMANDS) + "} ...\n\n" +
          "\n".join(f"  {k:6s} {v}" for k, v in COMMANDS.items()))
    return 0 if argv else 2
  try:
    if argv[0] == "train":
      return train_command(argv[1:])
    if argv[0] == "sweep":
      from pgkit.sweeps.command import command
      return command(argv[1:])
    if argv[0] in TOOLS:
      return tool_command(argv[0], argv[1:])
    return bench_command(build_bench_parser().parse_args(argv[1:]))
  except (ValueError, ImportError) as e:  # bad input, or an optional extra not installed
    print(f"pgkit: error: {e}", file=sys.stderr)
    return 2


def train_command(argv: list[str]) -> int:
  """Exit codes: 0 done, 1 a file system error while training, 2 bad input, 3 non-finite or
  diverging, 128 + signal when stopped."""
  from pgkit.training.distributed import initialize, parse
  cluster, argv = parse(argv)  # --coordinator, --num-processes, --process-id (or PGKIT_*)
  settings = parse_train(argv)  # before importing the trainer: --help stays fast
  if cluster is not None and settings.run.run_dir is None:
    raise InputError("run_dir must be given with several processes (--run-dir DIR, the same "
                     "folder for every process), got none")
  initialize(cluster)
  if settings.run.run_dir is None:
    from pgkit.runs.folder import default_run_dir
    settings = settings.replace(run_dir=default_run_dir(settings.algo.name, settings.run.env))
  from pgkit.training import Stopped, compile_cache, distributed, run
  if distributed.is_main():
    print(f"run folder: {settings.run.run_dir}", flush=True)
  compile_cache.enable()
  try:
    run(settings)
  except Stopped as e:
    print(f"pgkit: {e}", file=sys.stderr)
    return e.exit_code
  except FloatingPointError as e:  # NonFiniteError and DivergenceError
    print(f"pgkit: error: {e}", file=sys.stderr)
    return 3
  except OSError as e:  # e.g. a disk that filled during a save; earlier checkpoints are intact
    print(f"pgkit: error: {e}", file=sys.stderr)
    return 1
  return 0


if __name__ == "__main__":
  sys.exit(main())
