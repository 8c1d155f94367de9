"""Preconditioners and step rules as optax transforms: global-norm clipping, Fisher-vector
products, conjugate gradient, the natural gradient, trust-region scaling and the KL line search.

TRPO's policy update is ``optax.chain(natural_gradient(cg_iters, damping),
scale_to_trust_region(max_kl), kl_linesearch(max_kl))`` called with
``update(grads, state, params, loss_fn=..., kl_fn=...)``; NPG drops the line search.
"""
from pgkit.precondition.cg import CGResult, conjugate_gradient
from pgkit.precondition.clipping import clip_by_global_norm
from pgkit.precondition.fisher import (empirical_fisher_vector_product, fisher_vector_product,
                                       kl_hessian_vector_product)
from pgkit.precondition.linesearch import LineSearchState, kl_linesearch
from pgkit.precondition.natural_gradient import NaturalGradientState, natural_gradient
from pgkit.precondition.trust_region import TrustRegionState, scale_to_trust_region
from pgkit.precondition.diagnostics import diagnostics
