"""Algorithms: short assemblies of losses, optimizers, duals and estimators.

Each module declares its algorithm's settings (``Options``: static; ``HParams``: floats that may
be traced) and presets beside the assembly ``build(run, options, hp)``, registered by
``@pgkit.algorithm``; ``pgkit.settings.get(name)`` finds them.
"""
from pgkit.algorithms.base import (Entropy, GAEHParams, LearningRate, MinibatchOptions,
                                   Minibatches, OnPolicy, OnPolicyHParams, OnPolicyOptions,
                                   PolicyBatch, Rollout, gae_advantages, kl_above, loss_terms,
                                   policy_adam, reward_to_go_advantages, shared, single_path)
from pgkit.algorithms.off_policy import OffPolicy, OffPolicyHParams, OffPolicyOptions
from pgkit.algorithms.a2c import a2c
from pgkit.algorithms.is_pg import is_pg
from pgkit.algorithms.mpo import mpo
from pgkit.algorithms.npg import npg
from pgkit.algorithms.ppo_clip import ppo_clip
from pgkit.algorithms.ppo_kl import ppo_kl
from pgkit.algorithms.reinforce import reinforce
from pgkit.algorithms.trpo import trpo, trpo_vine
from pgkit.algorithms.vmpo import vmpo
