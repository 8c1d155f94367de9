"""Fisher-vector products for natural-gradient methods, without forming the matrix.

Two estimates of the Fisher information ``F`` of the policy at ``θ_old`` are offered:

* **KL Hessian** (the default, as in TRPO): ``F = ∇²_θ mean_s KL(π_old(·|s) ‖ π_θ(·|s))`` at
  ``θ = θ_old``. The product ``F v`` is a forward-mode derivative of the reverse-mode gradient
  (``jvp ∘ grad``), so each product costs about two backward passes and no ``P × P`` memory.
  It uses the exact expectation over actions that the closed-form KL provides, so it is
  positive semi-definite and has no action-sampling noise.
* **Empirical Fisher**: ``F̂ = (1/N) Σ_n ∇log π_θ(a_n|s_n) ∇log π_θ(a_n|s_n)ᵀ`` with the sampled
  actions, computed as ``F̂ v = (1/N) Jᵀ (J v)`` where ``J`` is the ``N × P`` Jacobian of the
  per-sample log-probabilities: one ``jvp`` for ``J v`` and one ``vjp`` for ``Jᵀ u``.

Both return ``(F + λ I) v`` with damping ``λ ≥ 0`` (may be a traced array).

Refs: Kakade 2001, "A Natural Policy Gradient" (NeurIPS); Schulman et al. 2015,
"Trust Region Policy Optimization", arXiv:1502.05477 (the KL Hessian as the Fisher).
"""
from __future__ import annotations

from typing import Any, Callable

import jax
import optax.tree_utils as otu


PyTree = Any
FisherVectorProduct = Callable[[PyTree], PyTree]


def kl_hessian_vector_product(kl_fn: Callable[[PyTree], jax.Array], params: PyTree,
                              damping=0.0) -> FisherVectorProduct:
  """Returns ``v ↦ (∇²KL(params) + λI) v`` for ``kl_fn(params) -> mean KL(π_old ‖ π_params)``.

  ``kl_fn`` must hold ``π_old`` fixed (a constant, or wrapped in ``stop_gradient``), so that its
  Hessian at ``params = θ_old`` is the Fisher matrix. The product is ``jax.jvp`` of
  ``jax.grad(kl_fn)`` (forward-over-reverse); ``jax.linearize`` performs that jvp with the
  primal pass hoisted out, so the reverse pass is traced once and reused by every product in a
  CG loop.

  Args:
    kl_fn: scalar mean KL as a function of the policy parameters.
    params: the point ``θ_old`` at which the Hessian is taken.
    damping: ``λ ≥ 0`` added on the diagonal (traced arrays allowed).
  """
  _, hvp = jax.linearize(jax.grad(kl_fn), params)

  def fvp(v: PyTree) -> PyTree:
    return otu.tree_add_scale(hvp(v), damping, v)

  return fvp


def empirical_fisher_vector_product(log_prob_fn: Callable[[PyTree], jax.Array], params: PyTree,
                                    damping=0.0) -> FisherVectorProduct:
  """Returns ``v ↦ ((1/N) Jᵀ J + λI) v``, ``J = ∂ log π_params(a_n|s_n) / ∂params``.

  Args:
    log_prob_fn: per-sample log-probabilities of the sampled actions, any shape (``N`` is its
      size), as a function of the policy parameters.
    params: where the Jacobian is taken (``θ_old``).
    damping: ``λ ≥ 0`` added on the diagonal.
  """
  log_probs, jvp_fn = jax.linearize(log_prob_fn, params)      # v ↦ J v
  _, vjp_fn = jax.vjp(log_prob_fn, params)                     # u ↦ Jᵀ u
  count = log_probs.size

  def fvp(v: PyTree) -> PyTree:
    (jt_jv,) = vjp_fn(jvp_fn(v))
    return otu.tree_add_scale(jax.tree.map(lambda x: x / count, jt_jv), damping, v)

  return fvp


def fisher_vector_product(kind: str, params: PyTree, damping=0.0, *, kl_fn=None,
                          log_prob_fn=None) -> FisherVectorProduct:
  """Dispatches on ``kind`` in ``{"kl_hessian", "empirical"}``."""
  if kind == "kl_hessian":
    if kl_fn is None:
      raise ValueError('fisher="kl_hessian" needs the keyword extra argument kl_fn')
    return kl_hessian_vector_product(kl_fn, params, damping)
  if kind == "empirical":
    if log_prob_fn is None:
      raise ValueError('fisher="empirical" needs the keyword extra argument log_prob_fn '
                       "(params -> per-sample log π(a|s) of the sampled actions)")
    return empirical_fisher_vector_product(log_prob_fn, params, damping)
  raise ValueError(f'fisher must be "kl_hessian" or "empirical"; got {kind!r}')
