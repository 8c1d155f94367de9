"""The algorithm registry: a name or an import path -> ``Algorithm``.

``@algorithm(options=..., hparams=..., presets=...)`` turns an assembly
``build(run, options, hparams) -> OnPolicy | OffPolicy`` into a registered ``Algorithm``. A
user's algorithm in its own file is declared the same way and gets what a built-in gets: CLI
flags and help, presets, validation, sweeps, checkpoints. ``get("my_module:clip_kl")`` (or
``"path/to/file.py:clip_kl"``) imports it.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any, Callable, Mapping, NamedTuple

from pgkit.settings.errors import InputError
from pgkit.settings.fields import HParams, Options, names
from pgkit.settings.run import RunSettings


class Algorithm(NamedTuple):
  """A registered algorithm: its assembly and the types of its settings."""

  name: str
  build: Callable[..., Any]  # build(run, options, hparams) -> OnPolicy | OffPolicy
  options: type  # an Options subclass (static)
  hparams: type  # an HParams subclass (floats, may be traced)
  presets: Mapping[str, Mapping[str, Any]]  # env -> {field: value} over all three parts
  ref: str  # "module:attribute" (or "file.py:attribute") that imports it again

  def __call__(self, run, options, hparams):
    return self.build(run, options, hparams)

  # An algorithm is itself (its presets are a dict): hashed and compared by identity, so it can
  # key the caches of compiled trainers.
  def __hash__(self):
    return id(self)

  def __eq__(self, other):
    return self is other

  def __ne__(self, other):
    return self is not other

  @property
  def summary(self) -> str:
    return (self.build.__doc__ or "").strip().split("\n")[0]


_REGISTRY: dict[str, Algorithm] = {}


def _ref(build) -> str:
  module = build.__module__
  # A script, or a file that ``_import`` loaded by its path (not in sys.modules): name its file
  # so that settings files can find it again. A REPL's ``__main__`` has no file; keep its name.
  file = getattr(build, "__globals__", {}).get("__file__")
  if file and (module == "__main__" or module not in sys.modules):
    module = os.path.relpath(file)
  return f"{module}:{build.__name__}"


def _check_fields(name: str, options: type, hparams: type, presets) -> None:
  if not (isinstance(options, type) and issubclass(options, Options)):
    raise TypeError(f"algorithm {name!r}: options must be an Options subclass, got {options!r}")
  if not (isinstance(hparams, type) and issubclass(hparams, HParams)):
    raise TypeError(f"algorithm {name!r}: hparams must be an HParams subclass, got {hparams!r}")
  if getattr(options, "trainer", None) is None:
    raise TypeError(f"algorithm {name!r}: options must extend a trainer's options "
                    "(algorithms.OnPolicyOptions or algorithms.OffPolicyOptions)")
  parts = {"run settings": names(RunSettings), "options": names(options),
           "hparams": names(hparams)}
  seen: dict[str, str] = {}
  for part, fields in parts.items():
    for f in fields:
      if f in seen:
        raise TypeError(f"algorithm {name!r}: field {f!r} is declared in both {seen[f]} and "
                        f"{part}; every setting needs one name")
      seen[f] = part
  for env, values in presets.items():
    unknown = sorted(set(values) - set(seen))
    if unknown:
      raise TypeError(f"algorithm {name!r}: preset for {env!r} sets unknown fields {unknown}")


def algorithm(name: str | None = None, *, options: type, hparams: type,
              presets: Mapping[str, Mapping[str, Any]] | None = None,
              register: bool = True) -> Callable[[Callable], Algorithm]:
  """Declares ``build(run, options, hparams)`` as an algorithm (registered by name)."""

  def wrap(build: Callable) -> Algorithm:
    algo = Algorithm(name or build.__name__, build, options, hparams,
                     {env: dict(v) for env, v in (presets or {}).items()}, _ref(build))
    _check_fields(algo.name, options, hparams, algo.presets)
    if register:
      _REGISTRY[algo.name] = algo
    return algo

  return wrap


def _builtins() -> dict[str, Algorithm]:
  import pgkit.algorithms  # noqa: F401  (registers the built-in algorithms)
  return _REGISTRY


def names_of_algorithms() -> list[str]:
  return sorted(_builtins())


_FILES: dict[str, Any] = {}


def import_module(module: str):
  """Imports ``module`` (a dotted name, or a path to a .py file) and the algorithms it declares."""
  if module.endswith(".py"):
    path = os.path.abspath(module)
    if path not in _FILES:
      if not os.path.isfile(path):
        raise InputError(f"algo: no file {module!r}")
      spec = importlib.util.spec_from_file_location(
          os.path.splitext(os.path.basename(path))[0], path)
      _FILES[path] = importlib.util.module_from_spec(spec)
      spec.loader.exec_module(_FILES[path])
    return _FILES[path]
  if not module or module.startswith("."):  # importlib: ValueError or TypeError, unnamed
    raise InputError(f"algo: {module!r} is not a module name (an import path is "
                     "'module:name' or 'file.py:name')")
  if os.getcwd() not in sys.path and "" not in sys.path:
    sys.path.insert(0, os.getcwd())  # console scripts do not put the working folder on the path
  try:
    return importlib.import_module(module)
  except ModuleNotFoundError as e:
    raise InputError(f"algo: cannot import {module!r} ({e})") from None


def get(ref: str | Algorithm) -> Algorithm:
  """The algorithm named ``ref`` (``"ppo_clip"``) or at an import path (``"pkg.mod:name"``)."""
  if isinstance(ref, Algorithm):
    return ref
  if isinstance(ref, str) and ":" in ref:
    module, attr = ref.rsplit(":", 1)
    found = getattr(import_module(module), attr, None)
    if isinstance(found, Algorithm):
      return found
    raise InputError(f"algo: {ref!r} is not an algorithm (declare it with "
                     "@pgkit.algorithm(options=..., hparams=...))")
  registry = _builtins()
  if not isinstance(ref, str) or ref not in registry:
    raise InputError(f"algo must be one of {sorted(registry)} or an import path "
                     f"'module:name', got {ref!r}")
  return registry[ref]
