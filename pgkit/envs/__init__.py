"""Brax environments, batched acting with auto-reset, observation normalisation."""
from pgkit.envs.acting import (EnvState, EpisodeStats, Transition, evaluate, fresh_states,
                               reset, step, unroll)
from pgkit.envs.make import BACKENDS, env_names, make_env, validate_env
from pgkit.envs.normalization import RunningStats, init_stats, normalize, update_stats
