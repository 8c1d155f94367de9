"""Environment construction from a validated name: ``ant`` (Brax), ``gymnax/CartPole-v1``,
``playground/CartpoleBalance``. A family's package is imported only to build one of its envs;
a missing optional package is an error naming the extra that installs it."""
from __future__ import annotations

from pgkit.envs.protocol import Environment
from pgkit.settings import envs as names
from pgkit.settings.errors import InputError
from pgkit.settings.run import BACKENDS


def env_names() -> list[str]:
  return list(names.all_names())


def validate_env(name: str, backend: str = "positional") -> None:
  """Raises a ValueError naming ``env``/``backend`` when they are unknown, or naming the extra
  to install when the env's family package is missing."""
  problem = names.problem(name)
  if problem:
    raise InputError(f"env must be {problem}, got {name!r}")
  if backend not in BACKENDS:
    raise InputError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
  missing = names.missing_extra(name)
  if missing:
    raise InputError(missing)


def make_env(name: str, backend: str = "positional") -> Environment:
  """A single (unbatched) environment; batching and resets are done in ``acting``."""
  validate_env(name, backend)
  family, task = names.split(name)
  if family == "gymnax":
    from pgkit.envs.adapters import gymnax_adapter
    return gymnax_adapter.make(task)
  if family == "playground":
    from pgkit.envs.adapters import playground_adapter
    return playground_adapter.make(task)
  from pgkit.envs.adapters import brax_adapter
  return brax_adapter.make(task, backend)


def check_restorable(env: Environment, needs_states: bool, algo: str) -> None:
  """Vine branching restarts saved states: an error before compiling when ``env`` cannot."""
  if needs_states and not env.restorable:
    raise InputError(f"{algo}: branching from saved states needs an env whose states can be "
                     f"restored, and {env.name} cannot; use a single-path algorithm (e.g. trpo)")
