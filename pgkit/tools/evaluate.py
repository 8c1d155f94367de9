"""``pgkit eval RUN_DIR [--episodes N] [--stochastic] [--checkpoint ITERATION]``.

Restores a run folder's checkpoint and settings and plays ``N`` episodes in parallel from
fresh resets, acting with the policy's mode (``--stochastic``: sampling). The evaluation key is
the run's own, so ``--episodes eval_envs`` on the last checkpoint reproduces the run's final
``eval_return``.
"""
from __future__ import annotations

import argparse

import jax
import numpy as np

from pgkit.settings.errors import InputError
from pgkit.tools import add_policy_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
  add_policy_arguments(parser)
  parser.add_argument("--episodes", type=int, default=None,
                      help="episodes to play (default: the run's eval_envs)")


def evaluate(run_dir: str, episodes: int | None = None, stochastic: bool = False,
             checkpoint: int | None = None) -> dict:
  """Returns and lengths of ``episodes`` episodes of the run's policy at ``checkpoint``."""
  from pgkit.runs.restore import player, restore
  from pgkit.training import loop

  if episodes is not None and episodes < 1:
    raise InputError(f"episodes must be >= 1, got {episodes}")
  r = restore(run_dir, checkpoint)
  run = r.settings.run
  n = episodes or run.eval_envs
  play = player(r.trainer, n, run.episode_length, stochastic)
  returns, lengths, _ = jax.device_get(play(r.state, loop.seed_keys(run.seed)[1]))
  return dict(run_dir=run_dir, iteration=r.iteration, env_steps=r.env_steps,
              policy="stochastic" if stochastic else "deterministic", episodes=n,
              returns=np.asarray(returns), lengths=np.asarray(lengths))


def command(args) -> int:
  out = evaluate(args.run_dir, args.episodes, args.stochastic, args.checkpoint)
  returns, lengths = out["returns"], out["lengths"]
  print(f"eval: run={out['run_dir']} checkpoint={out['iteration']} env_steps={out['env_steps']} "
        f"policy={out['policy']} episodes={out['episodes']} "
        f"return={returns.mean():.2f} ± {returns.std():.2f} "
        f"length={lengths.mean():.1f} ± {lengths.std():.1f}")
  return 0
