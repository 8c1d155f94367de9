"""pgkit: composable policy-gradient reinforcement learning in JAX, trained on Brax.

Flat re-exports of the public API; the sub-packages hold one idea each.
"""
from pgkit import (algorithms, duals, envs, estep, losses, networks, precondition, replay,
                   returns, training)
from pgkit.algorithms import ALGORITHMS, OFF_POLICY_ALGORITHMS, OffPolicy, OnPolicy
from pgkit.training import (Config, HParams, RunResult, Trainer, make_trainer, preset, run,
                            validate_config, validate_hparams)

__version__ = "0.1.0"
