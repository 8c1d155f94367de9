"""Dual-variable updaters: ``init() -> state``, ``update(state, **stats)``, ``values(state)``."""
from pgkit.duals.adaptive_kl import (MultiplierState, adaptive_kl_dual_ascent,
                                     adaptive_kl_multiplicative, lagrange_multiplier)
from pgkit.duals.base import DualUpdater, chain, none
