"""Quick CPU learning tests of the locomotion presets (Brax's ant, halfcheetah, hopper, walker2d,
humanoid): each env's ``ppo_clip`` preset, its networks, discount, reward scale, clip and
coefficients unchanged, on a batch and budget cut for a 2-core CPU (``CUT``: 64 envs × 32 steps
an iteration, ``BUDGETS`` env steps). Each test checks that the run trains to a finite final
evaluation and that its deterministic policy beats a uniformly random policy on the same env
(means over ``EPISODES`` episodes each), not that it converges: the presets' own budgets are
20-50 M steps (examples/benchmarks/RESULTS.md).

Each env costs 35-58 s on a 2-core AMD EPYC (hopper's 67-82 s on an Intel Xeon; one process,
examples/benchmarks/RESULTS.md), almost all of it compiling Brax's physics (hopper's step alone
compiles in ~10 s, and the training unit, the evaluation and the random policy's episodes each
contain one), so all five are marked ``slow`` (the suite takes 6.5 minutes on the AMD and 12.5
on the Intel, whose 15-minute limit four more minutes would break):
``python -m pytest -m slow`` runs them (~4-7 minutes on 2 cores).
"""
import distrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pgkit
from pgkit import envs
from pgkit.envs.acting import episodes

EPISODES = 16
CUT = dict(num_envs=64, unrolls=1, unroll_length=32, minibatches=8, critic_minibatches=8,
           eval_envs=EPISODES, num_chunks=1)
BUDGETS = {"hopper": 16_384, "walker2d": 131_072, "halfcheetah": 16_384, "ant": 16_384,
           "humanoid": 65_536}
ENVS = [pytest.param(env, marks=pytest.mark.slow) for env in BUDGETS]


class UniformPolicy:
  """Actions uniform in [−1, 1]^d, whatever the observation (Brax's action bounds)."""

  def __init__(self, action_size: int):
    self.action_size = action_size

  def apply(self, params, observation):
    shape = observation.shape[:-1] + (self.action_size,)
    return distrax.Independent(distrax.Uniform(-jnp.ones(shape), jnp.ones(shape)), 1)

  def postprocess(self, action):
    return action


def random_return(settings) -> float:
  env = envs.make_env(settings.run.env, settings.run.backend)
  stats = envs.init_stats(env.observation_size)
  run = jax.jit(lambda key: episodes(env, UniformPolicy(env.action_size), None, stats, key,
                                     EPISODES, settings.run.episode_length, stochastic=True)[0])
  return float(np.mean(run(jax.random.PRNGKey(1))))


@pytest.mark.parametrize("env", ENVS)
def test_locomotion_preset_beats_random(env):
  settings = pgkit.preset("ppo_clip", env, num_timesteps=BUDGETS[env], **CUT)
  result = pgkit.run(settings, print_fn=lambda line: None)
  baseline = random_return(settings)
  print(f"{env}: eval return {result.eval_return:.1f}, uniform random {baseline:.1f}")  # -rP
  assert np.isfinite(result.eval_return)
  assert result.eval_return > baseline, (env, result.eval_return, baseline)
