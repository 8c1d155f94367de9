"""Distributions the policies return, on top of distrax."""
from __future__ import annotations

import distrax
import jax
import jax.numpy as jnp


class TanhNormal(distrax.Transformed):
  """A diagonal Gaussian squashed by tanh: ``a = tanh(u)``, ``u ~ N(μ, diag σ²)``.

  ``log π(a) = log N(u; μ, σ) − Σ log(1 − tanh(u)²)`` with ``u = atanh(a)``; actions are clipped
  to ``±(1 − 1e-6)`` before ``atanh`` so saturated samples keep a finite density. The KL between
  two such distributions is the KL of their base Gaussians (tanh is a bijection, and KL is
  invariant under a shared bijection), which is exact and closed-form. The entropy is the base
  entropy plus ``E[log|det J|]``, estimated with one reparameterised sample when a key is given
  and approximated at the mean otherwise (as Brax's PPO does with its sampled estimate).
  """

  def __init__(self, loc: jax.Array, scale: jax.Array):
    super().__init__(distrax.MultivariateNormalDiag(loc, scale), distrax.Block(distrax.Tanh(), 1))
    self.loc, self.scale = loc, scale

  def log_prob(self, value: jax.Array) -> jax.Array:
    value = jnp.clip(value, -1.0 + 1e-6, 1.0 - 1e-6)
    return super().log_prob(value)

  def mode(self) -> jax.Array:
    return jnp.tanh(self.loc)

  def entropy(self, seed=None) -> jax.Array:
    base = self.distribution.entropy()
    u = self.loc if seed is None else self.distribution.sample(seed=seed)
    return base + self.bijector.forward_log_det_jacobian(u)

  def kl_divergence(self, other_dist, **kwargs) -> jax.Array:
    if not isinstance(other_dist, TanhNormal):
      raise TypeError("TanhNormal.kl_divergence needs another TanhNormal")
    return self.distribution.kl_divergence(other_dist.distribution)


def tanh_log_det_jacobian(u: jax.Array) -> jax.Array:
  """``Σ_i log(1 − tanh(u_i)²) = Σ_i 2 (log 2 − u_i − softplus(−2 u_i))``, stable for any u."""
  return jnp.sum(2.0 * (jnp.log(2.0) - u - jax.nn.softplus(-2.0 * u)), axis=-1)


def squashed_entropy(dist, old, pre_tanh_action: jax.Array) -> jax.Array:
  """Entropy of ``a = tanh(u)``, ``u ~ dist`` (a diagonal Gaussian over pre-tanh actions):
  ``H[a] = H[u] + E_u[Σ log(1 − tanh(u)²)]``, the expectation estimated at one reparameterised
  sample ``u = μ_θ + σ_θ ε`` whose noise ``ε = (u_b − μ_old) / σ_old`` is the one that drew the
  stored action ``u_b`` from ``old`` (the acting policy), so no key is needed and the estimate
  is unbiased. Brax's PPO estimates the same entropy with a fresh sample (Haarnoja et al. 2018,
  "Soft Actor-Critic", arXiv:1801.01290, App. C, for the change of variables).
  """
  noise = jax.lax.stop_gradient((pre_tanh_action - old.loc) / old.scale_diag)
  return dist.entropy() + tanh_log_det_jacobian(dist.loc + dist.scale_diag * noise)
