"""``pgkit_equivalent``: pgkit's settings at Brax's published PPO schedule for an env, for
ppo_clip and for the other algorithms that declare that schedule (``ablation --algo``), a
user's own included."""
import math

import pytest

import pgkit
from pgkit.algorithms import GAEHParams, LearningRate, MinibatchOptions
from pgkit.algorithms.ppo_clip import ClipHParams, PPOClipHParams, PPOClipOptions, ppo_clip
from pgkit.bench import settings
from pgkit.settings.errors import InputError

HERE = "tests.bench.test_pgkit_equivalent"


@pgkit.algorithm(options=PPOClipOptions, hparams=PPOClipHParams, register=False)
def own_clip(run, options, hp):
  """A user's algorithm with ppo_clip's settings (its assembly is not what is tested here)."""
  return ppo_clip(run, options, hp)


class NoEntropyHParams(GAEHParams, LearningRate, ClipHParams):
  """ppo_clip's hyperparameters without the entropy bonus."""


@pgkit.algorithm(options=MinibatchOptions, hparams=NoEntropyHParams, register=False)
def no_entropy(run, options, hp):
  """A user's algorithm that declares no ``entropy_coef`` (never built here)."""
  raise AssertionError("not built")


def _equivalent(algo, env="halfcheetah"):
  return settings.pgkit_equivalent(env, "positional", settings.brax_settings(env), 1_000_000,
                                   128, algo)


@pytest.mark.parametrize("algo", ["ppo_clip", "ppo_kl", "is_pg", f"{HERE}:own_clip"])
def test_every_algorithm_takes_braxs_batch_epochs_and_coefficients(algo):
  s = _equivalent(algo)
  # Brax's halfcheetah: batch_size 512 × 32 minibatches / 2048 envs = 8 unrolls of 20 steps,
  # 8 updates per batch, discount 0.95, entropy 1e-3, unscaled rewards, no gradient clip.
  assert (s.run.num_envs, s.run.unrolls, s.run.unroll_length) == (2048, 8, 20)
  assert (s.options.epochs, s.options.minibatches) == (8, 32)
  assert (s.options.critic_epochs, s.options.critic_minibatches) == (8, 32)
  assert (s.hparams.discount, s.hparams.entropy_coef, s.hparams.reward_scaling,
          s.hparams.max_grad_norm) == (0.95, 1e-3, 1.0, math.inf)
  assert (s.options.stats_update, s.run.reset_states) == ("before", "pool")


def test_brax_clip_goes_to_those_that_declare_one():
  assert _equivalent("ppo_clip").hparams.clip_epsilon == 0.3
  assert _equivalent(f"{HERE}:own_clip").hparams.clip_epsilon == 0.3
  kl = _equivalent("ppo_kl")
  assert not hasattr(kl.hparams, "clip_epsilon") and kl.hparams.kl_target == 0.01


@pytest.mark.parametrize("algo", ["ppo_clip", "ppo_kl"])
@pytest.mark.parametrize("env", ["ant", "halfcheetah", "hopper"])
def test_each_algorithms_preset_decides_the_critic_schedule(algo, env):
  # both PPOs are joint on ant and halfcheetah; on hopper ppo_clip, which takes all of Brax's
  # computations there, is joint and ppo_kl separate (test_presets pins them).
  schedule = _equivalent(algo, env).options.critic_updates
  assert schedule == pgkit.preset(algo, env).options.critic_updates
  assert schedule == ("separate" if (algo, env) == ("ppo_kl", "hopper") else "joint")


@pytest.mark.parametrize("algo", ["trpo", "mpo", "a2c", "sarsa"])
def test_an_algorithm_without_braxs_schedule_is_refused(algo):
  with pytest.raises(InputError, match=r"algo must be one of \['is_pg', 'ppo_clip', 'ppo_kl'\] "
                                       rf".*got '{algo}'"):
    _equivalent(algo)


def test_an_own_algorithm_without_braxs_schedule_is_refused_naming_what_it_lacks():
  with pytest.raises(InputError, match=f"algo '{HERE}:no_entropy' does not declare "
                                       "entropy_coef, which Brax's PPO schedule sets"):
    _equivalent(f"{HERE}:no_entropy")
