"""JAX's persistent compilation cache, on by default for ``pgkit train/sweep/eval/render``.

A run compiles its training unit, ``init`` and ``evaluate`` (5–20 s each on a CPU); with the
cache a second run of the same program (same settings but seed, output places or
hyperparameter values, same jax and machine) loads the compiled executables from disk instead.
The key is a hash of the lowered program, the compile options and the jax/XLA versions, so a
stale entry is never used (jax's "Persistent compilation cache" documentation).

Where: ``$PGKIT_COMPILATION_CACHE`` (a folder), else jax's own ``$JAX_COMPILATION_CACHE_DIR``,
else ``$XDG_CACHE_HOME/pgkit/jax`` (``~/.cache/pgkit/jax``). ``PGKIT_COMPILATION_CACHE=off``
turns it off. From Python nothing changes unless ``enable()`` is called (jax's default).
"""
from __future__ import annotations

import os

ENV = "PGKIT_COMPILATION_CACHE"
OFF = ("off", "0", "false", "no", "none")


def directory(environ=os.environ) -> str | None:
  """The cache folder the environment asks for, or None when it turns the cache off."""
  chosen = environ.get(ENV) or environ.get("JAX_COMPILATION_CACHE_DIR")
  if chosen is not None and chosen.strip().lower() in OFF:
    return None
  if chosen:
    return chosen
  home = environ.get("HOME") or os.path.expanduser("~")
  base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
  return os.path.join(base, "pgkit", "jax")


def enable(environ=os.environ) -> str | None:
  """Points jax's persistent cache at ``directory(environ)`` (every compiled function, however
  short its compile) and returns the folder, or None when the cache is off or the folder cannot
  be made (a read-only home: the run compiles as usual)."""
  path = directory(environ)
  if path is None:
    return None
  try:
    os.makedirs(path, exist_ok=True)
  except OSError:
    return None
  import jax
  jax.config.update("jax_compilation_cache_dir", path)
  jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
  return path
