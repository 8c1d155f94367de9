"""Algorithms: short assemblies of losses, optimizers, duals and estimators.

``ALGORITHMS`` maps a name to its factory ``factory(config, hp) -> OnPolicy``;
``OFF_POLICY_ALGORITHMS`` maps a name to ``factory(config, hp) -> OffPolicy``.
"""
from pgkit.algorithms.a2c import a2c
from pgkit.algorithms.base import OnPolicy, Rollout, gae_advantages, reward_to_go_advantages
from pgkit.algorithms.is_pg import is_pg
from pgkit.algorithms.mpo import mpo
from pgkit.algorithms.npg import npg
from pgkit.algorithms.off_policy import OffPolicy
from pgkit.algorithms.ppo_clip import ppo_clip
from pgkit.algorithms.ppo_kl import ppo_kl
from pgkit.algorithms.reinforce import reinforce
from pgkit.algorithms.trpo import trpo, trpo_vine
from pgkit.algorithms.vmpo import vmpo

ALGORITHMS = {
    "reinforce": reinforce,
    "a2c": a2c,
    "is_pg": is_pg,
    "ppo_kl": ppo_kl,
    "ppo_clip": ppo_clip,
    "vmpo": vmpo,
    "npg": npg,
    "trpo": trpo,
    "trpo_vine": trpo_vine,
}

# Off-policy assemblies ``factory(config, hp) -> OffPolicy``, run by ``training.off_policy``.
OFF_POLICY_ALGORITHMS = {
    "mpo": mpo,
}


def algorithm_names() -> list[str]:
  """Every registered algorithm, on- and off-policy."""
  return sorted({**ALGORITHMS, **OFF_POLICY_ALGORITHMS})
