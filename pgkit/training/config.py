"""Configuration: static ``Config`` (sets shapes; closed over by jit) and traced ``HParams``.

Anything that sets a shape or a code path is static (``Config``, a frozen dataclass, hashable).
Every float hyperparameter lives in ``HParams`` (a NamedTuple of floats), which may hold traced
arrays: ``jax.vmap(train, in_axes=(None, HParams(...)))`` sweeps them in one compiled call.
"""
from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax


@dataclasses.dataclass(frozen=True)
class Config:
  """Static configuration of a training run."""

  algo: str = "ppo_clip"
  env: str = "inverted_pendulum"
  backend: str = "positional"
  num_timesteps: int = 300_000
  num_envs: int = 64
  unroll_length: int = 64
  # Sequential unrolls per iteration, stacked along the batch axis (Brax PPO's
  # batch_size · num_minibatches / num_envs); minibatches split num_envs · unrolls sequences.
  unrolls: int = 1
  episode_length: int = 1000
  # Policy updates per iteration: epochs × minibatches (minibatches split the env axis).
  epochs: int = 4
  minibatches: int = 4
  # Critic fitting per iteration, with its own optimizer.
  critic_epochs: int = 4
  critic_minibatches: int = 4
  policy: str = "tanh_gaussian"  # tanh_gaussian | gaussian | categorical
  policy_hidden: tuple[int, ...] = (64, 64)
  critic_hidden: tuple[int, ...] = (64, 64)
  activation: str = "tanh"
  normalize_observations: bool = True
  normalize_advantages: bool = True
  lr_schedule: str = "constant"  # constant | linear
  kl_rule: str = "dual_ascent"  # PPO-KL's β rule: dual_ascent | multiplicative
  importance: str = "per_step"  # is_pg's ratio: per_step | per_decision | trajectory
  value_clipping: bool = False
  eval_envs: int = 16
  # Off-policy (MPO): replay of ``unroll_length``-step sequences and the learner's shape.
  replay_capacity: int = 2048  # sequences of unroll_length steps
  batch_size: int = 32  # sequences per learner update
  updates_per_iteration: int = 8  # learner updates per unroll: the update-to-data ratio
  warmup_steps: int = 1024  # environment steps collected before the first update
  num_action_samples: int = 16  # N actions per state in MPO's E-step and Retrace's E_π Q
  retrace_steps: int = 0  # n of Retrace's truncation; 0 runs traces to the sequence end
  target_update: str = "periodic"  # periodic (copy every target_update_period) | polyak
  target_update_period: int = 100  # learner updates between target-network copies
  q_hidden: tuple[int, ...] = (256, 256)
  # V-MPO: fraction of each minibatch's samples kept by the E-step (sets a shape).
  top_k_fraction: float = 0.5
  # Natural gradient / TRPO (static: they fix loop lengths and shapes).
  cg_iters: int = 10
  linesearch_steps: int = 10
  sampling: str = "single_path"  # trpo's sampling: single_path | vine
  vine_states: int = 64  # N states in the vine rollout set
  vine_actions: int = 4  # K actions tried from each
  vine_horizon: int = 32  # steps per branch before bootstrapping with the critic

  @property
  def steps_per_iteration(self) -> int:
    return self.num_envs * self.unroll_length * self.unrolls

  @property
  def num_sequences(self) -> int:
    return self.num_envs * self.unrolls

  @property
  def num_iterations(self) -> int:
    return max(1, math.ceil(self.num_timesteps / self.steps_per_iteration))


class HParams(NamedTuple):
  """Float hyperparameters; each may be a traced array (vmap over them)."""

  learning_rate: float = 3e-4
  critic_learning_rate: float = 1e-3
  discount: float = 0.99
  gae_lambda: float = 0.95
  clip_epsilon: float = 0.2
  value_clip_epsilon: float = 0.2
  entropy_coef: float = 0.0
  max_grad_norm: float = 0.5
  target_kl: float = math.inf  # PPO-clip early stop; inf disables it
  kl_target: float = 0.01  # ε of PPO-KL's constraint KL ≤ ε
  beta_init: float = 1.0
  beta_learning_rate: float = 1.0
  max_ratio: float = math.inf  # is_pg's ratio truncation c̄
  reward_scaling: float = 1.0
  # MPO / V-MPO: E-step KL bound and temperature, decoupled M-step bounds and multipliers.
  estep_epsilon: float = 0.1
  epsilon_mean: float = 2.5e-3
  epsilon_cov: float = 1e-5
  temperature_init: float = 1.0
  temperature_learning_rate: float = 1e-2
  alpha_init: float = 1.0
  alpha_mean_learning_rate: float = 40.0
  alpha_cov_learning_rate: float = 1e4
  retrace_lambda: float = 1.0
  polyak_tau: float = 5e-3
  max_kl: float = 0.01  # δ of NPG/TRPO's trust region mean KL(π_old‖π_θ) ≤ δ
  damping: float = 0.1  # λ in the CG solve of (F + λI) x = g
  backtrack_ratio: float = 0.8  # TRPO's line-search shrink factor


_CHOICES = {
    "policy": ("tanh_gaussian", "gaussian", "categorical"),
    "activation": ("tanh", "swish", "relu", "elu"),
    "lr_schedule": ("constant", "linear"),
    "kl_rule": ("dual_ascent", "multiplicative"),
    "importance": ("per_step", "per_decision", "trajectory"),
    "target_update": ("periodic", "polyak"),
    "sampling": ("single_path", "vine"),
}
_POSITIVE_INTS = ("num_timesteps", "num_envs", "unroll_length", "unrolls", "episode_length",
                  "epochs", "minibatches", "critic_epochs", "critic_minibatches", "eval_envs",
                  "replay_capacity", "batch_size", "updates_per_iteration",
                  "num_action_samples", "target_update_period",
                  "cg_iters", "linesearch_steps", "vine_states", "vine_actions", "vine_horizon")
_NONNEGATIVE_INTS = ("warmup_steps", "retrace_steps")

# name -> (low, high, low inclusive, high inclusive); None bounds are open to ±inf.
_RANGES = {
    "learning_rate": (0.0, None, False, False),
    "critic_learning_rate": (0.0, None, False, False),
    "discount": (0.0, 1.0, True, True),
    "gae_lambda": (0.0, 1.0, True, True),
    "clip_epsilon": (0.0, None, False, False),
    "value_clip_epsilon": (0.0, None, False, False),
    "entropy_coef": (0.0, None, True, False),
    "max_grad_norm": (0.0, math.inf, False, True),
    "target_kl": (0.0, math.inf, False, True),
    "kl_target": (0.0, None, False, False),
    "beta_init": (0.0, None, True, False),
    "beta_learning_rate": (0.0, None, True, False),
    "max_ratio": (0.0, math.inf, False, True),
    "reward_scaling": (0.0, None, False, False),
    "estep_epsilon": (0.0, None, False, False),
    "epsilon_mean": (0.0, None, False, False),
    "epsilon_cov": (0.0, None, False, False),
    "temperature_init": (0.0, None, False, False),
    "temperature_learning_rate": (0.0, None, False, False),
    "alpha_init": (0.0, None, True, False),
    "alpha_mean_learning_rate": (0.0, None, True, False),
    "alpha_cov_learning_rate": (0.0, None, True, False),
    "retrace_lambda": (0.0, 1.0, True, True),
    "polyak_tau": (0.0, 1.0, False, True),
    "max_kl": (0.0, None, False, False),
    "damping": (0.0, None, True, False),
    "backtrack_ratio": (0.0, 1.0, False, False),
}


def _range_text(low, high, low_in, high_in):
  left = "[" if low_in else "("
  right = "]" if high_in else ")"
  return f"{left}{low if low is not None else '-inf'}, {high if high is not None else 'inf'}{right}"


def validate_hparams(hp: HParams) -> None:
  """Checks every concrete float in ``hp``; traced values are skipped (they are checked by the
  caller of the sweep, before it traces)."""
  for name, value in hp._asdict().items():
    if isinstance(value, jax.core.Tracer) or name not in _RANGES:
      continue
    low, high, low_in, high_in = _RANGES[name]
    values = jax.device_get(value)
    for v in (values.ravel() if hasattr(values, "ravel") else [values]):
      v = float(v)
      ok = not math.isnan(v)
      if ok and math.isinf(v):
        ok = v > 0 and high is not None and math.isinf(high) and high_in
      if ok and not math.isinf(v):
        ok = (low is None or (v >= low if low_in else v > low)) and (
            high is None or (v <= high if high_in else v < high))
      if not ok:
        raise ValueError(f"{name} must be a finite number in "
                         f"{_range_text(low, high, low_in, high_in)}, got {v}")


def validate_config(config: Config) -> None:
  """Checks the static configuration; raises a ValueError naming the parameter."""
  from pgkit.envs.make import validate_env  # Brax import is slow; only when validating.

  for name in _POSITIVE_INTS:
    value = getattr(config, name)
    if not isinstance(value, int) or value < 1:
      raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
  for name in _NONNEGATIVE_INTS:
    value = getattr(config, name)
    if not isinstance(value, int) or value < 0:
      raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
  if not 0.0 < config.top_k_fraction <= 1.0:
    raise ValueError(f"top_k_fraction must be in (0, 1], got {config.top_k_fraction!r}")
  if config.replay_capacity < config.num_envs:
    raise ValueError(f"replay_capacity must be >= num_envs={config.num_envs} (one sequence per "
                     f"environment is inserted per iteration), got {config.replay_capacity}")
  for name, choices in _CHOICES.items():
    if getattr(config, name) not in choices:
      raise ValueError(f"{name} must be one of {list(choices)}, got {getattr(config, name)!r}")
  for name in ("minibatches", "critic_minibatches"):
    if config.num_sequences % getattr(config, name):
      raise ValueError(f"{name} must divide num_envs·unrolls={config.num_sequences} (minibatches "
                       f"split the batch of sequences), got {getattr(config, name)}")
  if ((config.sampling == "vine" or config.algo == "trpo_vine")
      and config.vine_states > config.steps_per_iteration):
    raise ValueError(f"vine_states must be <= num_envs * unroll_length * unrolls = "
                     f"{config.steps_per_iteration} (states of one iteration's rollout), "
                     f"got {config.vine_states}")
  validate_env(config.env, config.backend)
