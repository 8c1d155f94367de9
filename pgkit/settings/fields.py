"""Typed settings whose every field is declared once: default, one-line doc, allowed range.

``field(default, doc, gt=0)`` declares a field; subclasses of ``Options`` (static: shapes and
code paths) and ``HParams`` (floats that may be traced arrays) become frozen dataclasses, and
``HParams`` subclasses are also JAX pytrees, so ``jax.vmap(train, (None, axes))(key, hp)``
sweeps them. The CLI, ``--help``, presets, validation and saved settings files are all derived
from these declarations, the way CleanRL's ``Args`` dataclass feeds tyro.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterator, NamedTuple

import numpy as np

from pgkit.settings.errors import InputError


class Range(NamedTuple):
  """What a field allows: numeric bounds (elementwise for tuples and arrays) or choices."""

  ge: float | None = None
  gt: float | None = None
  le: float | None = None
  lt: float | None = None
  choices: tuple | None = None
  inf: bool = False  # +inf is allowed (it switches a mechanism off)

  def describe(self, kind: type | None = None) -> str:
    if self.choices is not None:
      return "one of " + ", ".join(map(str, self.choices))
    if kind is bool:
      return "true or false"
    if kind is str:
      return "a string"
    if kind is tuple:
      return f"integers, each {Range(self.ge, self.gt, self.le, self.lt).describe(None)}"
    parts = [f"{op} {b:g}" for op, b in ((">=", self.ge), (">", self.gt), ("<=", self.le),
                                         ("<", self.lt)) if b is not None]
    bounds = " and ".join(parts)
    if kind is int:
      return f"an integer {bounds}".rstrip()
    if kind is None:
      return bounds or "any value"
    text = f"a number {bounds}" if self.inf else f"a finite number {bounds}"
    return text.rstrip() + (" (inf allowed)" if self.inf else "")

  def allows(self, value: float) -> bool:
    if math.isnan(value):
      return False
    if math.isinf(value):
      return self.inf and value > 0
    return ((self.ge is None or value >= self.ge) and (self.gt is None or value > self.gt)
            and (self.le is None or value <= self.le) and (self.lt is None or value < self.lt))


def field(default: Any, doc: str, *, ge=None, gt=None, le=None, lt=None, choices=None,
          inf: bool = False) -> Any:
  """Declares a settings field with its default, a one-line doc and its allowed range."""
  rng = Range(ge, gt, le, lt, tuple(choices) if choices is not None else None, inf)
  return dataclasses.field(default=default, metadata={"doc": doc, "range": rng})


def doc(f: dataclasses.Field) -> str:
  return f.metadata.get("doc", "")


def allowed(f: dataclasses.Field) -> Range:
  return f.metadata.get("range", Range())


def _kind(f: dataclasses.Field) -> type | None:
  """The base Python type of a field from its default (int, float, bool, str, tuple)."""
  return type(f.default) if f.default is not None else None


def _is_traced(value) -> bool:
  import sys
  if "jax" not in sys.modules:
    return False
  import jax
  return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(value))


def field_error(f: dataclasses.Field, value) -> str | None:
  """What is wrong with ``value`` for field ``f`` (None if it is allowed)."""
  kind, rng = _kind(f), allowed(f)
  if value is None:
    return None if f.default is None else rng.describe(kind)
  if rng.choices is not None:
    return None if value in rng.choices else rng.describe(kind)
  if kind is bool:
    return None if isinstance(value, (bool, np.bool_)) else "true or false"
  if kind is str or f.default is None:
    return None if isinstance(value, str) else "a string"
  if kind is tuple:
    ok = isinstance(value, tuple) and all(
        isinstance(v, int) and not isinstance(v, bool) and rng.allows(v) for v in value)
    return None if ok else rng.describe(tuple)
  if kind is int:
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    return None if ok and rng.allows(float(value)) else rng.describe(int)
  if _is_traced(value):
    return None  # checked before it was traced; a vmapped sweep passes tracers here
  if isinstance(value, (str, bytes)):
    return rng.describe(float)  # numpy would read "3e-4" as a number; JAX would not
  try:
    values = np.asarray(value, dtype=np.float64).ravel()
  except (TypeError, ValueError):
    return rng.describe(float)
  return None if all(rng.allows(float(v)) for v in values) else rng.describe(float)


class _Declared:
  """Base of declared settings: every subclass is a frozen dataclass of ``field``s."""

  def __init_subclass__(cls, **kwargs):
    super().__init_subclass__(**kwargs)
    dataclasses.dataclass(frozen=True)(cls)

  def replace(self, **changes):
    """A copy with some fields changed (``dataclasses.replace``), unknown names rejected."""
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
    if unknown:
      raise InputError(f"{type(self).__name__} has no field {unknown}; fields: "
                       f"{[f.name for f in dataclasses.fields(self)]}")
    return dataclasses.replace(self, **changes)

  def validate(self, owner: str, run=None) -> None:
    """Raises a ValueError naming ``owner`` (the algorithm), the field, its value and what is
    allowed: first each field's own range, then the rules between fields (``relations``)."""
    for f in dataclasses.fields(self):
      value = getattr(self, f.name)
      problem = field_error(f, value)
      if problem:
        raise InputError(f"{owner}: {f.name} must be {problem}, got {_show(value)}")
    for name, problem in self.relations(run):
      raise InputError(f"{owner}: {name} must be {problem}, got {_show(getattr(self, name))}")

  def relations(self, run) -> Iterator[tuple[str, str]]:
    """Yields ``(field, what is allowed)`` for each rule between fields that is broken; ``run``
    is the run's ``RunSettings`` (None when checking a ``RunSettings`` itself)."""
    return iter(())


def _show(value) -> str:
  if isinstance(value, (np.ndarray,)) or type(value).__module__.startswith("jax"):
    return np.array2string(np.asarray(value), separator=", ")
  return repr(value)


class Options(_Declared):
  """Static options of an algorithm: shapes and code paths (hashable; closed over by jit)."""


class HParams(_Declared):
  """Float hyperparameters of an algorithm; a JAX pytree whose leaves may be traced arrays."""

  def __init_subclass__(cls, **kwargs):
    super().__init_subclass__(**kwargs)
    import jax  # only when an HParams class is declared
    jax.tree_util.register_dataclass(
        cls, data_fields=[f.name for f in dataclasses.fields(cls)], meta_fields=[])


def names(cls_or_obj) -> tuple[str, ...]:
  return tuple(f.name for f in dataclasses.fields(cls_or_obj))
