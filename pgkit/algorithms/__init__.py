"""Algorithms: short assemblies of losses, optimizers, duals and estimators.

``ALGORITHMS`` maps a name to its factory ``factory(config, hp) -> OnPolicy``.
"""
from pgkit.algorithms.a2c import a2c
from pgkit.algorithms.base import OnPolicy, Rollout, gae_advantages, reward_to_go_advantages
from pgkit.algorithms.is_pg import is_pg
from pgkit.algorithms.npg import npg
from pgkit.algorithms.ppo_clip import ppo_clip
from pgkit.algorithms.ppo_kl import ppo_kl
from pgkit.algorithms.reinforce import reinforce
from pgkit.algorithms.trpo import trpo, trpo_vine

ALGORITHMS = {
    "reinforce": reinforce,
    "a2c": a2c,
    "is_pg": is_pg,
    "ppo_kl": ppo_kl,
    "ppo_clip": ppo_clip,
    "npg": npg,
    "trpo": trpo,
    "trpo_vine": trpo_vine,
}
