"""``pgkit list [MODULE_OR_FILE ...]``: the algorithms (built-in, and those the given modules or
files declare with ``@pgkit.algorithm``), the envs, backends and the presets of each algorithm."""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
  parser.add_argument("modules", nargs="*", metavar="MODULE_OR_FILE",
                      help="also list the algorithms these modules (a.b or path/file.py) declare")


def rows(modules=()) -> list[tuple[str, str, str, list[str]]]:
  """(name, trainer, summary, envs with presets) of every registered algorithm and of every
  algorithm the given modules hold."""
  from pgkit import settings
  from pgkit.settings import registry
  from pgkit.settings.presets import ENV_PRESETS

  declared = {}  # the given modules' own algorithms, registered by name or not
  for module in modules:
    found = vars(registry.import_module(module)).values()
    declared.update((a.name, a) for a in found if isinstance(a, registry.Algorithm))
  algos = {name: settings.get(name) for name in settings.names_of_algorithms()}
  # tuned settings, not only an env's own time limit (every gymnax env has that one)
  tuned = {env for env, values in ENV_PRESETS.items() if set(values) - {"episode_length"}}
  out = []
  for name, algo in sorted({**algos, **declared}.items()):
    out.append((name, algo.options.trainer, algo.summary, sorted(tuned | set(algo.presets))))
  return out


def command(args) -> int:
  from pgkit import settings
  from pgkit.settings import envs

  print("algorithms (pgkit train NAME; presets: envs with tuned defaults):")
  for name, trainer, summary, tuned in rows(args.modules):
    print(f"  {name:12s} {trainer:10s} {summary}\n  {'':12s} presets: {', '.join(tuned)}")
  print("\nenvs (--env):\n" + "\n".join(envs.listing()))
  print(f"backends (Brax envs): {', '.join(settings.BACKENDS)}")
  return 0
