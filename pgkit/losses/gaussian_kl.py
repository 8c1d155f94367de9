"""Decoupled KL of diagonal Gaussian policies (MPO's separate mean and covariance constraints).

For ``π_old = N(μ_o, diag σ_o²)`` and ``π_θ = N(μ_θ, diag σ_θ²)`` define two partial
policies, each taking one half of its parameters from θ and the other half from π_old:

  π_μ = N(μ_θ, σ_o)   (θ's mean, old std),      π_Σ = N(μ_o, σ_θ)   (old mean, θ's std),

and the decoupled KLs, per action dimension d,

  KL_μ,d = KL(π_old ‖ π_μ)_d = (μ_θ,d − μ_o,d)² / (2 σ_o,d²),
  KL_Σ,d = KL(π_old ‖ π_Σ)_d = log(σ_θ,d / σ_o,d) + σ_o,d² / (2 σ_θ,d²) − 1/2.

The full KL is ``KL_d = KL_Σ,d + KL_μ,d · σ_o,d² / σ_θ,d²``, so ``KL_μ + KL_Σ`` equals the full
KL exactly whenever either the mean or the std is unchanged, and to second order around
θ = θ_old in general (the difference is ``KL_μ,d (σ_o,d²/σ_θ,d² − 1)``, third order). Bounding
the two parts separately lets the mean move quickly while the covariance stays put, which is
what prevents premature collapse of the policy's variance (Abdolmaleki et al. 2018, "Relative
Entropy Regularized Policy Iteration", arXiv:1812.02256; "Maximum a Posteriori Policy
Optimisation", arXiv:1806.06920). A tanh-squashed Gaussian uses its pre-tanh Gaussian, as
elsewhere in pgkit.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

Array = jax.Array


def _distributions():
  """distrax and pgkit's TanhNormal, imported on first use: declaring an algorithm (and the
  CLI's ``--help``) imports pgkit.losses and should not pay for distrax."""
  import distrax

  from pgkit.networks.distributions import TanhNormal
  return distrax, TanhNormal


def loc_scale(dist) -> tuple[Array, Array]:
  """Mean and std (``[..., D]``) of a diagonal Gaussian, or of a TanhNormal's base Gaussian."""
  distrax, TanhNormal = _distributions()
  if isinstance(dist, TanhNormal):
    return dist.loc, dist.scale
  if isinstance(dist, distrax.MultivariateNormalDiag):
    return dist.loc, dist.scale_diag
  if isinstance(dist, distrax.Normal):
    return dist.loc[..., None], dist.scale[..., None]
  raise TypeError(f"decoupled Gaussian KL needs a diagonal Gaussian policy, got {type(dist)}")


def decoupled_policies(old_dist, new_dist):
  """``(π_μ, π_Σ)``: θ's mean with the old std, and the old mean with θ's std.

  The result has the type of ``new_dist`` (``TanhNormal`` stays ``TanhNormal``), so
  ``π_μ.log_prob(a) + π_Σ.log_prob(a)`` is MPO's decoupled M-step log-likelihood. ``old_dist``
  is treated as a constant.
  """
  distrax, TanhNormal = _distributions()
  mu_o, sd_o = jax.tree_util.tree_map(jax.lax.stop_gradient, loc_scale(old_dist))
  mu_n, sd_n = loc_scale(new_dist)
  make = TanhNormal if isinstance(new_dist, TanhNormal) else distrax.MultivariateNormalDiag
  return make(mu_n, sd_o), make(mu_o, sd_n)


def decoupled_gaussian_kl(old_dist, new_dist, per_dimension: bool = False):
  """``(kl_mean, kl_cov)`` of KL(π_old ‖ π_θ): shape ``[...]``, or ``[..., D]`` per dimension.

  Gradients flow only through θ: ``kl_mean`` through θ's mean, ``kl_cov`` through θ's std.
  """
  mu_o, sd_o = jax.tree_util.tree_map(jax.lax.stop_gradient, loc_scale(old_dist))
  mu_n, sd_n = loc_scale(new_dist)
  kl_mean = 0.5 * jnp.square(mu_n - mu_o) / jnp.square(sd_o)
  ratio = jnp.square(sd_o / sd_n)
  kl_cov = 0.5 * (ratio - 1.0 - jnp.log(ratio))
  if per_dimension:
    return kl_mean, kl_cov
  return jnp.sum(kl_mean, -1), jnp.sum(kl_cov, -1)
