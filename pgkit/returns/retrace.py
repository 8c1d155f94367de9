"""Retrace(λ) targets for a Q critic, with n-step truncation and episode ends.

For one sequence of ``T`` transitions (time-aligned: step ``t`` holds ``s_t, a_t, r_t``):

  δ_t = r_t + γ_t · V(s'_t) − Q(s_t, a_t),     V(s) = E_{a∼π}[Q(s, a)],
  Q^ret_t = Q(s_t, a_t) + Σ_{j=t}^{t+n−1} (Π_{k=t+1}^{j} γ_{k−1} κ_{k−1} c_k) δ_j,
  c_k = λ · min(1, π(a_k|s_k) / b(a_k|s_k)),

where ``γ_t`` is the discount (0 after a terminal step), ``κ_t = 0`` where the episode ended
after step ``t`` for any reason (so no trace crosses an auto-reset; a time-limit truncation
still bootstraps from ``V(s'_t)``) and the sum stops at the end of the sequence or after ``n``
terms, whichever comes first; the remainder is bootstrapped, which is the same as the
backward recursion

  Q^ret_t = r_t + γ_t [V(s'_t) + κ_t c_{t+1} (Q^ret_{t+1} − Q(s_{t+1}, a_{t+1}))]

cut off with ``Q^ret_{t+n} := Q(s_{t+n}, a_{t+n})``. Munos et al. 2016, "Safe and Efficient
Off-Policy Reinforcement Learning", arXiv:1606.02647; used by MPO (Abdolmaleki et al. 2018,
"Maximum a Posteriori Policy Optimisation", arXiv:1806.06920) with Q and V from a
target network. With ``κ ≡ 1`` and no ``n`` this equals ``rlax.retrace_continuous``.
"""
from __future__ import annotations

from typing import Optional

import chex
import jax
import jax.numpy as jnp

Array = jax.Array


def retrace_targets(q_t: Array, v_tp1: Array, r_t: Array, discount_t: Array,
                    log_rho_t: Array, lambda_=1.0, continuation_t: Optional[Array] = None,
                    n_steps: Optional[int] = None) -> Array:
  """Retrace targets ``Q^ret_t`` for one sequence (unbatched; vmap over sequences).

  Args:
    q_t: Q(s_t, a_t) of the taken actions, ``[T]``.
    v_tp1: E_π Q(s'_t, ·), the expected Q of the successor states, ``[T]``.
    r_t: rewards, ``[T]``.
    discount_t: γ·(1 − terminated_t), ``[T]``.
    log_rho_t: log π(a_t|s_t) − log b(a_t|s_t), ``[T]`` (entry 0 is not used).
    lambda_: trace coefficient λ (may be traced).
    continuation_t: 0 where the episode ended after step t (termination or truncation), 1
      elsewhere, ``[T]``; ``None`` means no episode ends inside the sequence except through
      ``discount_t``.
    n_steps: static truncation length ``n ≥ 1``; ``None`` runs traces to the sequence end.

  Returns:
    ``[T]`` targets, gradients stopped.
  """
  chex.assert_rank([q_t, v_tp1, r_t, discount_t, log_rho_t], 1)
  chex.assert_equal_shape([q_t, v_tp1, r_t, discount_t, log_rho_t])
  if n_steps is not None and (not isinstance(n_steps, int) or n_steps < 1):
    raise ValueError(f"retrace n_steps must be a positive int or None, got {n_steps!r}")
  if continuation_t is None:
    continuation_t = jnp.ones_like(r_t)
  c_t = lambda_ * jnp.minimum(1.0, jnp.exp(log_rho_t))
  # Trace factor linking step t to step t+1, zero after the last step of the sequence.
  link = discount_t * continuation_t * jnp.append(c_t[1:], 0.0)
  q_next = jnp.append(q_t[1:], 0.0)
  one_step = r_t + discount_t * v_tp1

  if n_steps is None or n_steps >= q_t.shape[0]:
    def body(acc, xs):
      base, lk, qn = xs
      acc = base + lk * (acc - qn)
      return acc, acc
    _, targets = jax.lax.scan(body, jnp.zeros(()), (one_step, link, q_next), reverse=True)
  else:
    # n applications of the backward operator, starting from G = Q: horizon n for every t.
    def apply(_, g):
      return one_step + link * (jnp.append(g[1:], 0.0) - q_next)
    targets = jax.lax.fori_loop(0, n_steps, apply, q_t)
  return jax.lax.stop_gradient(targets)
