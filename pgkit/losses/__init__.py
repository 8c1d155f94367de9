"""Loss transforms: ``apply(terms, duals) -> (loss, metrics)``, summed by ``chain``."""
from pgkit.losses.base import LossTerms, LossTransform, chain, dual, require
from pgkit.losses.policy_gradient import clipped_surrogate, reinforce, surrogate
from pgkit.losses.regularizers import entropy_bonus, kl_penalty
from pgkit.losses.self_normalized import self_normalized_surrogate
from pgkit.losses.value import value_loss
from pgkit.losses.gaussian_kl import decoupled_gaussian_kl, decoupled_policies, loc_scale
from pgkit.losses.mpo import lagrangian_kl, weighted_log_likelihood
