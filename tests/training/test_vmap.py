"""``train`` is one jittable function of (key, hp): vmapping it equals separate runs.

(Vmapping over hyperparameters is checked where sweeps are: tests/scale compares a population
over learning rates with each run trained alone, and tests/test_custom_assembly.py vmaps
``train`` over a user algorithm's own hyperparameter.)"""
import jax
import numpy as np
import pytest

import pgkit
from pgkit.training import make_trainer

# A tiny ppo_clip run shared by the training tests. gymnax's CartPole: its step compiles in a
# fraction of a second where a Brax env's takes seconds (inverted_pendulum on spring: ~4 s).
TINY = pgkit.preset("ppo_clip", "gymnax/CartPole-v1", num_envs=4,
                    unroll_length=8, num_timesteps=3 * 32, episode_length=50, epochs=2,
                    minibatches=2, critic_epochs=1, critic_minibatches=2, policy_hidden=(8,),
                    critic_hidden=(8,), learning_rate=3e-4, discount=0.99)


@pytest.fixture(scope="module")
def trainer():
  return make_trainer(TINY)


def _close(a, b):
  for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
    np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)


def test_vmap_over_seeds_equals_separate_runs(trainer):
  hp = TINY.hparams
  keys = jax.random.split(jax.random.PRNGKey(0), 3)
  batched, _ = jax.jit(jax.vmap(trainer.train, (0, None)))(keys, hp)
  single = jax.jit(trainer.train)
  for i in range(3):
    state, _ = single(keys[i], hp)
    _close(state.policy_params, jax.tree.map(lambda x: x[i], batched.policy_params))
    _close(state.critic_params, jax.tree.map(lambda x: x[i], batched.critic_params))
  # Different seeds really give different parameters.
  leaf = jax.tree.leaves(batched.policy_params)[0]
  assert not np.allclose(leaf[0], leaf[1])


def test_trainers_are_shared_across_seeds_and_hyperparameters():
  # One compiled trainer per static settings: a new seed or learning rate reuses it.
  other = TINY.replace(seed=5, learning_rate=1e-2)
  assert make_trainer(other) is make_trainer(TINY)
  assert make_trainer(TINY.replace(num_envs=8)) is not make_trainer(TINY)
