"""Brax environment construction with validated names."""
from __future__ import annotations

import warnings

from brax import envs as brax_envs

BACKENDS = ("spring", "positional", "generalized", "mjx")


def env_names() -> list[str]:
  return sorted(brax_envs._envs)  # Brax's registry of environment classes.


def validate_env(name: str, backend: str) -> None:
  """Raises a ValueError naming ``env``/``backend`` when Brax does not know them."""
  if name not in brax_envs._envs:
    raise ValueError(f"env must be one of {env_names()}, got {name!r}")
  if backend not in BACKENDS:
    raise ValueError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")


def make_env(name: str, backend: str = "positional"):
  """A single (unbatched) Brax environment; batching and resets are done in ``acting``."""
  validate_env(name, backend)
  with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Brax System, piplines and environments")
    return brax_envs.get_environment(name, backend=backend)
