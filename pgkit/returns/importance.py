"""Importance ratios between the policy being optimised π_θ and the behaviour policy μ.

Three estimators of the off-policy policy gradient (Precup et al. 2000, "Eligibility Traces for
Off-Policy Policy Evaluation", ICML; Schulman et al. 2015, "Trust Region Policy Optimization",
arXiv:1502.05477), over one sequence of length T that may hold several episodes (an episode
starts after ``done_{t−1}``):

* ``per_step``:       ρ_t = π(a_t|s_t) / μ(a_t|s_t)     (drops the state-marginal ratio; TRPO/PPO)
* ``per_decision``:   ρ_{0:t} = Π_{k=start..t} ρ_k        (Precup et al. 2000)
* ``trajectory``:     ρ_{0:T} = Π_{k in episode} ρ_k      (the full likelihood ratio)

Log-ratios are aggregated in log space: ``aggregate_log`` is linear, so the trainer applies it to
``log π`` and to ``log μ`` separately and the surrogate loss forms ``exp(Σ log π − Σ log μ)``.
Truncation ``min(ρ, c̄)`` is applied in the loss (``surrogate(max_ratio=c̄)``).
"""
from __future__ import annotations

import chex
import jax
import jax.numpy as jnp

Array = jax.Array
KINDS = ("per_step", "per_decision", "trajectory")


def _segment_cumsum(x_t: Array, done_t: Array) -> Array:
  """Σ_{k=start(t)..t} x_k where an episode starts after each ``done``."""
  def forward(acc, xs):
    x, d = xs
    acc = acc + x
    return acc * (1.0 - d), acc

  _, out = jax.lax.scan(forward, jnp.zeros_like(x_t[0]), (x_t, done_t))
  return out


def aggregate_log(kind: str, x_t: Array, done_t: Array) -> Array:
  """Aggregates per-step log-quantities ``x_t`` ([T]) according to the ratio ``kind``."""
  chex.assert_rank([x_t, done_t], 1)
  if kind == "per_step":
    return x_t
  prefix = _segment_cumsum(x_t, done_t)
  if kind == "per_decision":
    return prefix
  if kind == "trajectory":
    # The episode total sits at its last step; carry it backwards to every step of the episode.
    def backward(acc, xs):
      p, d, is_last = xs
      acc = jnp.where((d > 0) | is_last, p, acc)
      return acc, acc

    is_last = jnp.arange(x_t.shape[0]) == x_t.shape[0] - 1
    _, total = jax.lax.scan(backward, jnp.zeros_like(x_t[0]), (prefix, done_t, is_last),
                            reverse=True)
    return total
  raise ValueError(f"importance ratio kind must be one of {KINDS}, got {kind!r}")


def importance_ratio(kind: str, log_prob_t: Array, behaviour_log_prob_t: Array, done_t: Array,
                     max_ratio=None) -> Array:
  """The ratio ``ρ`` of the given kind, optionally truncated at ``max_ratio`` (c̄)."""
  log_ratio = aggregate_log(kind, log_prob_t - behaviour_log_prob_t, done_t)
  ratio = jnp.exp(log_ratio)
  return ratio if max_ratio is None else jnp.minimum(ratio, max_ratio)
