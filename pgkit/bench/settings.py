"""Brax's published PPO settings per environment, and the identical pgkit settings.

The Brax values are those of Brax's training colab (``brax/training`` README), hopper's and
walker2d's excepted (below); network sizes
are Brax's PPO defaults: policy 4×32, value 5×256, swish.
"""
from __future__ import annotations

import math

from pgkit.settings import InputError, Settings, fields, get, names_of_algorithms, preset

_COMMON = dict(episode_length=1000, normalize_observations=True, action_repeat=1,
               unroll_length=5, num_minibatches=32, num_updates_per_batch=4, discounting=0.97,
               learning_rate=3e-4, entropy_cost=1e-2, num_envs=2048, batch_size=1024,
               reward_scaling=10.0)

BRAX_PUBLISHED = {
    "inverted_pendulum": dict(_COMMON, num_timesteps=2_000_000, num_evals=20),
    "inverted_double_pendulum": dict(_COMMON, num_timesteps=20_000_000, num_evals=20),
    "ant": dict(_COMMON, num_timesteps=50_000_000, num_evals=10, num_envs=4096,
                batch_size=2048),
    "halfcheetah": dict(_COMMON, num_timesteps=50_000_000, num_evals=20, reward_scaling=1.0,
                        unroll_length=20, num_updates_per_batch=8, discounting=0.95,
                        entropy_cost=1e-3, batch_size=512),
    "humanoid": dict(_COMMON, num_timesteps=50_000_000, num_evals=10, reward_scaling=0.1,
                     unroll_length=10, num_updates_per_batch=8, entropy_cost=1e-3),
}
# Brax publishes no PPO settings for hopper and walker2d (its colab trains them with SAC): both
# trainers get humanoid's recipe with unscaled rewards and 20 M steps, as pgkit's presets do.
for _env in ("hopper", "walker2d"):
  BRAX_PUBLISHED[_env] = dict(BRAX_PUBLISHED["humanoid"], reward_scaling=1.0,
                              num_timesteps=20_000_000)
POLICY_HIDDEN = (32,) * 4
VALUE_HIDDEN = (256,) * 5


def brax_settings(env: str) -> dict:
  if env not in BRAX_PUBLISHED:
    raise InputError(f"env must be one of {sorted(BRAX_PUBLISHED)} for ppo-vs-brax and "
                     f"ablation (those with Brax PPO settings), got {env!r}")
  return dict(BRAX_PUBLISHED[env])


# What an algorithm declares to take Brax's PPO schedule (minibatch epochs, a critic schedule and
# an entropy bonus): pgkit's ppo_clip, and those an ablation sets beside it at the same settings.
SCHEDULE_FIELDS = ("epochs", "minibatches", "critic_updates", "entropy_coef")


def _declared(algo) -> set[str]:
  return {f for part in (algo.options, algo.hparams) for f in fields.names(part)}


def check_algo(algo: str) -> None:
  """Refuses an ``algo`` (``--algo``: a name, or a ``module:name`` of your own) that does not
  declare Brax's PPO schedule (``SCHEDULE_FIELDS``)."""
  schedule = ", ".join(SCHEDULE_FIELDS)
  if ":" in algo:  # an import error or a non-algorithm is refused by ``get`` itself
    missing = [f for f in SCHEDULE_FIELDS if f not in _declared(get(algo))]
    if missing:
      raise InputError(f"algo {algo!r} does not declare {', '.join(missing)}, which Brax's "
                       f"PPO schedule sets ({schedule})")
    return
  ok = [n for n in names_of_algorithms() if set(SCHEDULE_FIELDS) <= _declared(get(n))]
  if algo not in ok:
    raise InputError(f"algo must be one of {ok} or an algorithm of your own (module:name) "
                     f"declaring Brax's PPO schedule ({schedule}), got {algo!r}")


def pgkit_equivalent(env: str, backend: str, s: dict, num_timesteps: int,
                     eval_envs: int, algo: str = "ppo_clip") -> Settings:
  """pgkit's ``algo`` (ppo_clip, or another of ``check_algo``'s) with the same batch,
  minibatches, epochs, networks and coefficients.

  Brax collects ``batch_size·num_minibatches/num_envs`` unrolls of ``unroll_length`` steps in
  ``num_envs`` envs per iteration and splits the sequences into ``num_minibatches``; pgkit's
  ``unrolls`` is the same count, and its minibatches split the same sequences. Brax trains
  policy and value in one loss on each minibatch; pgkit's critic, with its own Adam, updates as
  the algorithm's preset says (ppo_clip's and ppo_kl's: on each policy minibatch on ant and
  halfcheetah, and ppo_clip's on hopper, ``critic_updates`` joint; after the policy on as many
  minibatches and epochs elsewhere). Its other preset values carry over too: ppo_clip's hopper
  preset takes all of Brax's computations that it has as options (``BRAX_COMPUTATIONS``), its
  ant preset all but Brax's last-layer scale (``ANT_COMPUTATIONS``).
  Brax's PPO clips at 0.3 (an algorithm without ``clip_epsilon``, such as ppo_kl, keeps its own
  surrogate), does not clip gradients and updates its observation normaliser with the batch
  before the updates (``stats_update``); its auto-reset returns each env to a start state drawn
  once (``reset_states="pool"``).
  """
  check_algo(algo)
  unrolls = s["batch_size"] * s["num_minibatches"] // s["num_envs"]
  surrogate = dict(clip_epsilon=0.3) if "clip_epsilon" in _declared(get(algo)) else {}
  return preset(
      algo, env, backend=backend, num_timesteps=num_timesteps, num_envs=s["num_envs"],
      unroll_length=s["unroll_length"], unrolls=unrolls, episode_length=s["episode_length"],
      epochs=s["num_updates_per_batch"], minibatches=s["num_minibatches"],
      critic_epochs=s["num_updates_per_batch"], critic_minibatches=s["num_minibatches"],
      policy_hidden=POLICY_HIDDEN, critic_hidden=VALUE_HIDDEN, activation="swish",
      normalize_observations=s["normalize_observations"], stats_update="before",
      reset_states="pool",
      eval_envs=eval_envs,
      learning_rate=s["learning_rate"], critic_learning_rate=s["learning_rate"],
      discount=s["discounting"], gae_lambda=0.95, entropy_coef=s["entropy_cost"],
      max_grad_norm=math.inf, reward_scaling=s["reward_scaling"], **surrogate)


def check_evals(evals: int | None) -> None:
  """Refuses an ``evals`` (``--evals``) that is not None or an integer >= 2."""
  if evals is not None and not (isinstance(evals, int) and evals >= 2):
    raise InputError(f"evals must be an integer >= 2 (the first is at 0 env steps), got {evals!r}")


def eval_schedule(pgkit_s: Settings, num_timesteps: int,
                  evals: int | None) -> tuple[Settings, int, int]:
  """(``pgkit_s`` trained as long as Brax trains, Brax's ``num_evals``, pgkit's env steps
  between evaluations), so that both evaluate at the same env steps.

  Brax trains ``k = ceil(num_timesteps / ((evals - 1)·steps_per_iteration))`` iterations between
  its ``evals`` evaluations (the first at 0 steps), ``(evals - 1)·k`` in all; pgkit evaluates
  every ``k`` iterations and trains the same total. ``evals`` None: after every iteration."""
  per_iteration = pgkit_s.run.steps_per_iteration
  iterations = max(1, math.ceil(num_timesteps / per_iteration))
  evals = evals or iterations + 1
  between = math.ceil(iterations / (evals - 1))
  pgkit_s = pgkit_s.replace(num_timesteps=between * (evals - 1) * per_iteration)
  return pgkit_s, evals, between * per_iteration
