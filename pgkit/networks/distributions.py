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
