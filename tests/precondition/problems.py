"""Small policy problems shared by the preconditioner tests (tiny MLPs, a few dozen samples)."""
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import pytest
from jax.flatten_util import ravel_pytree

from pgkit.networks import gaussian_policy


class Problem(NamedTuple):
  params: dict
  kl_fn: Callable
  loss_fn: Callable
  log_prob_fn: Callable
  flat: jax.Array
  unravel: Callable


def make_problem(seed=0, obs_size=3, action_size=2, hidden=(4,), batch=32) -> Problem:
  """A Gaussian MLP policy at θ_old, a batch of its own actions and random advantages."""
  k_init, k_obs, k_act, k_adv, k_shift = jax.random.split(jax.random.PRNGKey(seed), 5)
  policy = gaussian_policy(obs_size, action_size, hidden)
  params = policy.init(k_init)
  # The output layer starts near zero (final_scale=0.01); shift it so the policy depends on
  # the state and the Fisher is not dominated by the output bias.
  flat, unravel = ravel_pytree(params)
  params = unravel(flat + 0.3 * jax.random.normal(k_shift, flat.shape))
  flat, unravel = ravel_pytree(params)
  obs = jax.random.normal(k_obs, (batch, obs_size))
  old = policy.apply(params, obs)
  actions = old.sample(seed=k_act)
  old_log_prob = old.log_prob(actions)
  advantage = jax.random.normal(k_adv, (batch,))

  def kl_fn(p):
    return jnp.mean(old.kl_divergence(policy.apply(p, obs)))

  def log_prob_fn(p):
    return policy.apply(p, obs).log_prob(actions)

  def loss_fn(p):  # importance-sampled surrogate, to be minimised
    return -jnp.mean(jnp.exp(log_prob_fn(p) - old_log_prob) * advantage)

  return Problem(params, kl_fn, loss_fn, log_prob_fn, flat, unravel)


def dense_fisher(problem: Problem) -> jax.Array:
  """The reference F = jax.hessian of the mean KL over the flattened parameters."""
  return jax.jit(jax.hessian(lambda f: problem.kl_fn(problem.unravel(f))))(problem.flat)


@pytest.fixture(scope="module")
def problem() -> Problem:
  return make_problem()
