"""Brax environments, batched acting with auto-reset, observation normalisation."""
from pgkit.envs.acting import (EnvState, EpisodeStats, Transition, collect, episodes, evaluate,
                               fresh_states, reset, split_sequences, step, unroll)
from pgkit.envs.make import BACKENDS, env_names, make_env, validate_env
from pgkit.envs.normalization import RunningStats, init_stats, normalize, update_stats
