"""A sweep's grid: ``--grid NAME=v1,v2,...`` axes over an algorithm's settings, checked.

A hyperparameter axis (a float of ``ALGO``'s hparams) is traced: its values become one array
per member, and every point of every traced axis trains in one compiled call. An axis over an
option or a run setting changes the compiled program (shapes, code paths), so each of its values
is a compiled call of its own. Every element is parsed by the field's type and every grid point
is validated with the settings' own checks before anything compiles.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Any, NamedTuple

from pgkit.settings import Settings, fields
from pgkit.settings.errors import InputError
from pgkit.settings.run import OUTPUT_FIELDS

NOT_GRIDDED = ("seed", "devices") + OUTPUT_FIELDS  # the seeds are --seeds; places are output


class Axis(NamedTuple):
  name: str
  traced: bool  # a hyperparameter (vmapped) rather than an option or run setting (a loop)
  values: tuple


class Grid(NamedTuple):
  axes: tuple[Axis, ...]

  @property
  def traced(self) -> tuple[Axis, ...]:
    return tuple(a for a in self.axes if a.traced)

  @property
  def static(self) -> tuple[Axis, ...]:
    return tuple(a for a in self.axes if not a.traced)

  @staticmethod
  def points(axes) -> list[dict[str, Any]]:
    """Every combination of the axes' values (the last axis varies fastest)."""
    return [dict(zip([a.name for a in axes], combo))
            for combo in itertools.product(*[a.values for a in axes])]

  def describe(self) -> str:
    traced = ", ".join(f"{a.name} ({len(a.values)})" for a in self.traced) or "none"
    static = ", ".join(f"{a.name} ({len(a.values)})" for a in self.static)
    calls = len(self.points(self.static))
    text = f"traced (vmapped in one compiled call): {traced}"
    if static:
      text += f"; static (a loop of {calls} compiled calls, one per value): {static}"
    return text


def _field(base: Settings, name: str) -> tuple[dataclasses.Field, bool]:
  for part, traced in ((base.hparams, True), (base.options, False), (base.run, False)):
    for f in dataclasses.fields(part):
      if f.name == name:
        return f, traced
  raise KeyError(name)


def _parse_value(f: dataclasses.Field, text: str, where: str):
  kind = type(f.default) if f.default is not None else str
  try:
    if kind is bool:
      if text.lower() not in ("true", "false"):
        raise ValueError
      return text.lower() == "true"
    if kind is tuple:
      raise InputError(f"{where}: {f.name} (a tuple) cannot be a grid axis")
    return kind(text)
  except ValueError:
    raise InputError(f"{where}: {text!r} is not {fields.allowed(f).describe(kind)}") from None


def parse_axis(base: Settings, spec: str, owners, flag: str = "--grid") -> Axis:
  """``NAME=v1,v2,...`` -> an Axis, each value parsed and checked by ``NAME``'s declaration;
  ``owners(flag)`` lists the algorithms that declare a flag; errors name ``flag``."""
  name, sep, values = spec.partition("=")
  algo = base.algo.name
  if not sep or not name or not values:
    raise InputError(f"{flag} must be NAME=v1,v2,..., got {spec!r}")
  if name in NOT_GRIDDED:
    raise InputError(f"{flag} {name}: {name} cannot be a grid axis"
                     + (" (the seeds are --seeds)" if name == "seed" else ""))
  try:
    f, traced = _field(base, name)
  except KeyError:
    elsewhere = owners("--" + name.replace("_", "-"))
    hint = (f"it belongs to {', '.join(elsewhere)}" if elsewhere
            else f"see pgkit train {algo} --help for its settings")
    raise InputError(f"{flag} {name}: {name} is not a setting of {algo} ({hint})") from None
  parsed = tuple(_parse_value(f, v.strip(), f"{flag} {name}") for v in values.split(","))
  for value in parsed:
    try:
      base.replace(**{name: value}).validate()
    except InputError as e:
      raise InputError(f"{flag} {name}={value!r}: {e}") from None
  return Axis(name, traced, parsed)


def parse_grid(base: Settings, specs: list[str], owners) -> Grid:
  axes = [parse_axis(base, s, owners) for s in specs]
  names = [a.name for a in axes]
  repeated = sorted({n for n in names if names.count(n) > 1})
  if repeated:
    raise InputError(f"--grid names {repeated} more than once; give each axis once")
  grid = Grid(tuple(axes))
  for point in grid.points(grid.axes):  # the rules between fields, at every point
    try:
      base.replace(**point).validate()
    except InputError as e:
      raise InputError(f"--grid point {point}: {e}") from None
  return grid
