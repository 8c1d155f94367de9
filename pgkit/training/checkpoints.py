"""Checkpoints of the whole train state with orbax, for runs that resume exactly.

A checkpoint is the full ``TrainState`` (parameters, optimizer and dual states, observation
statistics, the Brax env states and the PRNG key), so a resumed run continues bit for bit where
the saved one stopped. Each is written to ``iter_<N>`` by orbax (which writes to a temporary
folder and renames it when complete); older ones are deleted only after a newer one is complete,
so an interrupted save never costs the last good checkpoint. ``run.json`` records the
configuration; resuming with a different one is refused.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil

import jax
import orbax.checkpoint as ocp

_NAME = re.compile(r"^iter_(\d+)$")


def _iterations(directory: str) -> list[int]:
  if not os.path.isdir(directory):
    return []
  return sorted(int(m.group(1)) for m in map(_NAME.match, os.listdir(directory)) if m)


def latest(directory: str) -> int | None:
  """The iteration of the newest complete checkpoint in ``directory``, or None."""
  its = _iterations(directory)
  return its[-1] if its else None


def save(directory: str, state, iteration: int, keep: int = 2) -> str:
  path = os.path.join(os.path.abspath(directory), f"iter_{iteration:08d}")
  checkpointer = ocp.StandardCheckpointer()
  checkpointer.save(path, state)
  checkpointer.wait_until_finished()
  for old in _iterations(directory)[:-keep]:
    shutil.rmtree(os.path.join(directory, f"iter_{old:08d}"), ignore_errors=True)
  return path


def restore(directory: str, iteration: int, like):
  """Restores the checkpoint of ``iteration`` into the structure, shapes and dtypes of ``like``."""
  path = os.path.join(os.path.abspath(directory), f"iter_{iteration:08d}")
  target = jax.tree.map(ocp.utils.to_shape_dtype_struct, like)
  return ocp.StandardCheckpointer().restore(path, target)


def check_run_record(directory: str, config, hp, seed: int, num_chunks: int) -> None:
  """Writes ``run.json`` on first use; refuses to resume a run configured differently."""
  os.makedirs(directory, exist_ok=True)
  record = {"config": dataclasses.asdict(config),
            "hparams": {k: float(v) for k, v in hp._asdict().items()},
            "seed": seed, "num_chunks": num_chunks}
  record = json.loads(json.dumps(record))
  path = os.path.join(directory, "run.json")
  if os.path.exists(path):
    with open(path) as f:
      saved = json.load(f)
    if saved != record:
      diff = sorted(k for k in record if saved.get(k) != record[k])
      raise ValueError(f"checkpoint_dir {directory!r} holds a run with different {diff}; "
                       "use a new checkpoint_dir or the same settings")
    return
  with open(path, "w") as f:
    json.dump(record, f, indent=1)
