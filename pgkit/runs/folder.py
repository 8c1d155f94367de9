"""A run folder: everything one training run leaves behind, in one place.

    RUN_DIR/settings.json            the resolved settings (``--config`` loads them, and resumes)
    RUN_DIR/metrics.jsonl            one row per report: every metric, env_steps, wall_s
                                     (strict JSON: a value that is not finite is ``null``)
    RUN_DIR/metrics.csv              the same rows as a table
    RUN_DIR/events.out.tfevents.*    the same scalars for TensorBoard (x axis: env steps)
    RUN_DIR/checkpoints/<iteration>/ the whole train state (orbax), the newest two
    RUN_DIR/result.json              the final evaluation, written when the run ends

``pgkit eval``, ``pgkit render`` and ``pgkit plot`` read a run folder.
"""
from __future__ import annotations

import datetime
import json
import math
import os

from pgkit.settings.errors import InputError

SETTINGS = "settings.json"
METRICS = "metrics.jsonl"
TABLE = "metrics.csv"
RESULT = "result.json"
CHECKPOINTS = "checkpoints"


def default_run_dir(algo: str, env: str, now: datetime.datetime | None = None) -> str:
  """``runs/<algo>-<env>-<YYYYmmdd-HHMMSS>`` (``-2``, ``-3`` ... when that name is taken)."""
  stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
  name = "-".join(part.replace("/", "_").replace(":", "_") for part in (algo, env, stamp))
  path, n = os.path.join("runs", name), 1
  while os.path.exists(path):
    n += 1
    path = os.path.join("runs", f"{name}-{n}")
  return path


def prepare(run_dir: str, settings) -> None:
  """Creates ``run_dir`` and checks it is writable and holds this run (or nothing)."""
  try:
    os.makedirs(run_dir, exist_ok=True)
    probe = os.path.join(run_dir, ".pgkit-write-test")
    with open(probe, "w"):
      pass
    os.remove(probe)
  except OSError as e:
    raise InputError(f"run_dir {run_dir!r} cannot be used: {e.strerror or e}") from None
  check_settings(run_dir, settings)


def check_settings(directory: str, settings, field: str = "run_dir") -> None:
  """Writes ``settings.json`` on first use; refuses a folder that holds a run with other
  settings, naming the fields that differ (a field added to pgkit later takes its default in
  the saved file, so older folders still resume), or files of a run whose settings are unknown."""
  from pgkit.settings import differences, load, save

  path = os.path.join(directory, SETTINGS)
  if os.path.exists(path):
    try:
      saved = load(path)
    except InputError as e:
      raise InputError(f"{field} {directory!r}: {e}") from None
    diff = differences(saved, settings)
    if diff:
      raise InputError(f"{field} {directory!r} holds a run with different settings {diff}; use "
                       "a new folder, or the settings in its settings.json (--config)")
    return
  if os.path.isdir(directory) and any(not n.startswith(".") for n in os.listdir(directory)):
    raise InputError(f"{field} {directory!r} holds files but no {SETTINGS}, so what they "
                     "belong to is unknown; use a new or empty folder")
  save(settings, path)


def check_fresh(run_dir: str, resuming: bool) -> None:
  """A run that does not resume refuses a folder that already holds a run's metrics."""
  if not resuming and read_metrics(run_dir):
    raise InputError(f"run_dir {run_dir!r} already holds the metrics of a run ({METRICS}) but no "
                     "checkpoint to resume from; use a new folder")


def read_settings(run_dir: str):
  """The settings of the run in ``run_dir`` (an error naming the folder if it holds none)."""
  from pgkit.settings import load

  path = os.path.join(run_dir, SETTINGS)
  if not os.path.isfile(path):
    raise InputError(f"run_dir {run_dir!r} is not a run folder (it holds no {SETTINGS}); "
                     "pgkit train --run-dir DIR makes one")
  return load(path)


def json_line(row: dict) -> str:
  """One row as a line of strict JSON (RFC 8259 has no NaN or infinity): a float that is not
  finite, such as a learner metric in an off-policy report of warm-up only, becomes ``null``."""
  finite = {k: None if isinstance(v, float) and not math.isfinite(v) else v
            for k, v in row.items()}
  return json.dumps(finite, allow_nan=False) + "\n"


def read_metrics(run_dir: str) -> list[dict]:
  """The rows of ``metrics.jsonl`` (none if the run has not reported yet); ``null`` reads as
  NaN."""
  path = os.path.join(run_dir, METRICS)
  if not os.path.exists(path):
    return []
  with open(path) as f:
    rows = [json.loads(line) for line in f if line.strip()]
  return [{k: math.nan if v is None else v for k, v in r.items()} for r in rows]


def read_result(run_dir: str) -> dict | None:
  path = os.path.join(run_dir, RESULT)
  if not os.path.exists(path):
    return None
  with open(path) as f:
    return json.load(f)


def write_result(run_dir: str, result: dict) -> None:
  """``result.json``, written atomically (a temporary file renamed into place)."""
  path = os.path.join(run_dir, RESULT)
  with open(path + ".tmp", "w") as f:
    json.dump(result, f, indent=1)
  os.replace(path + ".tmp", path)
