"""Environments of every family behind one protocol, batched acting with auto-reset,
observation normalisation."""
from pgkit.envs.acting import (EnvState, EpisodeStats, Transition, collect, episodes, evaluate,
                               fresh_states, reset, restart_states, split_sequences, step, unroll)
from pgkit.envs.make import BACKENDS, check_restorable, env_names, make_env, validate_env
from pgkit.envs.normalization import RunningStats, init_stats, normalize, update_stats
from pgkit.envs.protocol import Environment, EnvStep
