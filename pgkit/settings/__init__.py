"""Settings: run settings, per-algorithm options and hyperparameters, the registry, files.

Imports neither JAX's numerics nor Brax, so the CLI's ``--help`` stays fast.
"""
from pgkit.settings.errors import InputError
from pgkit.settings.fields import HParams, Options, Range, field
from pgkit.settings.registry import Algorithm, algorithm, get, names_of_algorithms
from pgkit.settings.resolved import Settings, differences, from_dict, load, preset, save
from pgkit.settings.envs import BRAX_ENVS
from pgkit.settings.run import ACTIVATIONS, BACKENDS, POLICIES, RunSettings
