"""Brax environment construction with validated names (Brax is imported only to build one)."""
from __future__ import annotations

import warnings

from pgkit.settings.errors import InputError
from pgkit.settings.run import BACKENDS, BRAX_ENVS


def env_names() -> list[str]:
  return list(BRAX_ENVS)


def validate_env(name: str, backend: str) -> None:
  """Raises a ValueError naming ``env``/``backend`` when Brax does not know them."""
  if name not in BRAX_ENVS:
    raise InputError(f"env must be one of {env_names()}, got {name!r}")
  if backend not in BACKENDS:
    raise InputError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")


def make_env(name: str, backend: str = "positional"):
  """A single (unbatched) Brax environment; batching and resets are done in ``acting``."""
  validate_env(name, backend)
  with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Brax System, piplines and environments")
    from brax import envs as brax_envs
    return brax_envs.get_environment(name, backend=backend)
