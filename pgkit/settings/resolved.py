"""The resolved settings of a run: algorithm, run settings, options and hyperparameters.

Values flow one way: declared defaults < the env's preset < the algorithm's preset for the env
< a settings file (``--config``) < flags. ``Settings`` is what a run saves beside its logs and
checkpoints (``settings.json``) and what ``--config`` loads; a field missing from an older file
takes its declared default, so adding a field later does not break resuming.
"""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, NamedTuple

import numpy as np

from pgkit.settings import registry
from pgkit.settings.errors import InputError
from pgkit.settings.fields import HParams, Options, names
from pgkit.settings.presets import ENV_PRESETS
from pgkit.settings.run import OUTPUT_FIELDS, RunSettings


class Settings(NamedTuple):
  """Everything a run is: the algorithm and its three typed parts."""

  algo: registry.Algorithm
  run: RunSettings
  options: Options
  hparams: HParams

  @property
  def parts(self) -> dict[str, Any]:
    return {"run": self.run, "options": self.options, "hparams": self.hparams}

  def replace(self, **changes) -> "Settings":
    """Changes fields by name, each routed to the part that declares it."""
    routed = _route(self.algo, changes)
    return self._replace(**{part: getattr(self, part).replace(**values)
                            for part, values in routed.items() if values})

  def validate(self) -> "Settings":
    """Checks every field and the rules between them; a ValueError names the algorithm, the
    field, the value and what is allowed. Nothing is imported or compiled."""
    self.run.validate(self.algo.name)
    self.options.validate(self.algo.name, self.run)
    self.hparams.validate(self.algo.name, self.run)
    return self

  def to_dict(self) -> dict:
    builtin = registry._REGISTRY.get(self.algo.name) is self.algo and \
        self.algo.ref.startswith("pgkit.")
    return {"algo": self.algo.name if builtin else self.algo.ref,
            **{part: _plain(dataclasses.asdict(obj)) for part, obj in self.parts.items()}}


def _plain(values: dict) -> dict:
  """JSON-ready values: arrays of one element become floats, tuples stay lists."""
  out = {}
  for k, v in values.items():
    if hasattr(v, "shape") and not isinstance(v, (str, bytes)):
      v = np.asarray(v).tolist()
    out[k] = list(v) if isinstance(v, tuple) else v
  return out


def _route(algo: registry.Algorithm, values: dict) -> dict[str, dict]:
  parts = {"run": names(RunSettings), "options": names(algo.options),
           "hparams": names(algo.hparams)}
  routed: dict[str, dict] = {p: {} for p in parts}
  for key, value in values.items():
    part = next((p for p, fields in parts.items() if key in fields), None)
    if part is None:
      raise InputError(f"{key} is not a setting of {algo.name}; its settings are "
                       f"{sorted(sum(parts.values(), ()))}")
    routed[part][key] = value
  return routed


def preset(algo, env: str | None = None, **changes) -> Settings:
  """The default settings of ``algo`` (a name, an import path or an ``Algorithm``) on ``env``,
  then ``changes`` by field name."""
  algo = registry.get(algo)
  env = env or RunSettings().env
  shared = {k: v for k, v in ENV_PRESETS.get(env, {}).items()
            if k in names(RunSettings) + names(algo.options) + names(algo.hparams)}
  values = {**shared, **algo.presets.get(env, {}), "env": env, **changes}
  routed = _route(algo, values)
  return Settings(algo, RunSettings(**routed["run"]), algo.options(**routed["options"]),
                  algo.hparams(**routed["hparams"]))


def _typed(cls: type, values: dict, where: str, part: str) -> Any:
  """An instance of ``cls`` from JSON values; missing fields take their defaults."""
  if not isinstance(values, dict):
    raise InputError(f"{where}: {part!r} must be an object of {cls.__name__} fields, got "
                     f"{values!r}")
  fields = {f.name: f for f in dataclasses.fields(cls)}
  unknown = sorted(set(values) - set(fields))
  if unknown:
    raise InputError(f"{where}: unknown fields {unknown} for {cls.__name__}")
  kw = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
  return cls(**kw)


def _upgrade(run):
  """Run settings saved before the run folder: ``checkpoint_dir`` (else ``log_dir``) becomes
  ``run_dir``."""
  if not isinstance(run, dict) or not {"log_dir", "checkpoint_dir"} & set(run):
    return run
  run = dict(run)
  old = run.pop("checkpoint_dir", None), run.pop("log_dir", None)
  run.setdefault("run_dir", old[0] or old[1])
  return run


def from_dict(data: dict, where: str = "settings") -> Settings:
  if not isinstance(data, dict) or "algo" not in data:
    raise InputError(f"{where}: not a pgkit settings file (no 'algo' entry)")
  algo = registry.get(data["algo"])
  return Settings(algo, _typed(RunSettings, _upgrade(data.get("run", {})), where, "run"),
                  _typed(algo.options, data.get("options", {}), where, "options"),
                  _typed(algo.hparams, data.get("hparams", {}), where, "hparams"))


def save(settings: Settings, path: str) -> None:
  """Writes the settings as JSON, atomically (a temporary file renamed into place)."""
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  tmp = path + ".tmp"
  with open(tmp, "w") as f:
    json.dump(settings.to_dict(), f, indent=1)
  os.replace(tmp, path)


def load(path: str) -> Settings:
  try:
    with open(path) as f:
      data = json.load(f)
  except OSError as e:
    raise InputError(f"settings file {path!r} cannot be read: {e.strerror}") from None
  except (json.JSONDecodeError, UnicodeDecodeError) as e:
    raise InputError(f"settings file {path!r} is not valid JSON ({e})") from None
  return from_dict(data, where=f"settings file {path!r}")


def differences(a: Settings, b: Settings) -> list[str]:
  """Names of the fields (and 'algo') in which two settings differ, output places excluded."""
  return dict_differences(a.to_dict(), b.to_dict())


def dict_differences(da: dict, db: dict, keys=set.union) -> list[str]:
  """``differences`` of two ``Settings.to_dict`` forms; ``keys`` picks each part's fields to
  compare from the two sides' (``set.intersection``: only those both hold, e.g. a saved form
  from before a field was added)."""
  out = [] if da["algo"] == db["algo"] else ["algo"]
  for part in ("run", "options", "hparams"):
    for key in sorted(keys(set(da[part]), set(db[part]))):
      if key not in OUTPUT_FIELDS and da[part].get(key) != db[part].get(key):
        out.append(key)
  return out
