"""Generalised advantage estimation with Brax's separate termination and truncation.

For one sequence of length T (vmap over the batch axis):

    δ_t = r_t + γ (1 − term_t) V(s'_t) − V(s_t)
    A_t = δ_t + γ λ (1 − term_t)(1 − trunc_t) A_{t+1},   A_T = 0

``s'_t`` is the true successor of ``s_t``; at an episode end it is the final observation, before
the environment resets. A termination means the MDP ended (no bootstrap); a truncation (time
limit) keeps the bootstrap ``V(s'_t)`` but cuts the trace, because ``s_{t+1}`` belongs to the
next episode. Value targets are ``A_t + V(s_t)``.

Schulman et al. 2016, "High-Dimensional Continuous Control Using Generalized Advantage
Estimation", arXiv:1506.02438.
"""
from __future__ import annotations

import chex
import jax
import jax.numpy as jnp

Array = jax.Array


def gae(reward_t: Array, value_t: Array, next_value_t: Array, termination_t: Array,
        truncation_t: Array, discount, lambda_) -> Array:
  """Advantages ``A_t`` of shape ``[T]``; all inputs have shape ``[T]``."""
  chex.assert_rank([reward_t, value_t, next_value_t, termination_t, truncation_t], 1)
  chex.assert_equal_shape([reward_t, value_t, next_value_t, termination_t, truncation_t])
  continues = 1.0 - termination_t
  delta_t = reward_t + discount * continues * next_value_t - value_t
  trace_t = discount * lambda_ * continues * (1.0 - truncation_t)

  def backward(acc, xs):
    delta, trace = xs
    acc = delta + trace * acc
    return acc, acc

  _, adv = jax.lax.scan(backward, jnp.zeros_like(reward_t[0]), (delta_t, trace_t), reverse=True)
  return jax.lax.stop_gradient(adv)


def lambda_return_advantage(reward_t: Array, value_t: Array, next_value_t: Array,
                            termination_t: Array, truncation_t: Array, discount,
                            lambda_) -> tuple[Array, Array]:
  """(advantages, value targets) ``[T]``: the one-step action value bootstrapped from the next
  state's λ-return, minus the baseline,

      A_t = r_t + γ (1 − term_t) G^λ_{t+1} − V(s_t)
          = δ_t + γ (1 − term_t)(1 − trunc_t) A^λ_{t+1},

  where ``A^λ`` is GAE(γ, λ) (``gae``) and ``G^λ_{t+1} = V(s_{t+1}) + A^λ_{t+1}`` the value
  target of step t + 1; at a truncation or at the window's end ``G^λ`` is ``V(s'_t)``. It is
  GAE with the trace of its first step at full weight (``A_t = A^λ_t + γ (1 − λ)(1 − term_t)
  (1 − trunc_t) A^λ_{t+1}``): V-trace's policy-gradient advantage ``q_t − V(s_t)``, ``q_t = r_t +
  γ v_{t+1}``, with every importance weight 1 and trace coefficient λ (Espeholt et al. 2018,
  "IMPALA: Scalable Distributed Deep-RL with Importance Weighted Actor-Learner Architectures",
  arXiv:1802.01561), which is the advantage Brax's PPO trains its policy on. (Brax also zeroes
  a truncated step's advantage and value error; here a truncated step bootstraps from
  ``V(s'_t)``, as in ``gae``.) The value targets are the λ-returns ``A^λ_t + V(s_t)``, from
  the same GAE pass.
  """
  adv = gae(reward_t, value_t, next_value_t, termination_t, truncation_t, discount, lambda_)
  delta_t = reward_t + discount * (1.0 - termination_t) * next_value_t - value_t
  next_adv = jnp.concatenate([adv[1:], jnp.zeros_like(adv[:1])])
  carry = discount * (1.0 - termination_t) * (1.0 - truncation_t)
  return jax.lax.stop_gradient(delta_t + carry * next_adv), adv + value_t


def reward_to_go(reward_t: Array, next_value_t: Array, termination_t: Array,
                 truncation_t: Array, discount) -> Array:
  """Discounted reward-to-go ``G_t = r_t + γ (1 − term_t) [trunc_t ? V(s'_t) : G_{t+1}]``.

  The last step bootstraps from ``V(s'_{T−1})``, so a window cut mid-episode gives the n-step
  return; pass zeros as ``next_value_t`` for pure Monte Carlo returns. Equals GAE with λ = 1
  plus the baseline (Sutton & Barto 2018, ch. 13).
  """
  chex.assert_rank([reward_t, next_value_t, termination_t, truncation_t], 1)
  continues = 1.0 - termination_t

  def backward(acc, xs):
    r, nv, cont, trunc = xs
    acc = r + discount * cont * jnp.where(trunc > 0, nv, acc)
    return acc, acc

  _, returns = jax.lax.scan(backward, next_value_t[-1],
                            (reward_t, next_value_t, continues, truncation_t), reverse=True)
  return jax.lax.stop_gradient(returns)
