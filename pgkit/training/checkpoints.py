"""Checkpoints of the whole train state with orbax's ``CheckpointManager``, for exact resumes.

A checkpoint is the full train state (parameters, optimizer, dual and reweighter states,
observation statistics, the Brax env states, the replay and the PRNG key), so a resumed run
continues bit for bit where the saved one stopped. orbax writes each step to a temporary folder
and renames it when complete (atomic finalisation) and removes temporaries a killed save left
behind, so a kill at any moment leaves a folder that resumes; the newest two steps are kept, and
an unreadable newest step is reported by path and the previous one is used. The run folder's
``settings.json`` records the resolved settings; resuming under different ones is refused
(``pgkit.runs.folder``).
"""
from __future__ import annotations

import os
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp


def _empty(x) -> bool:
  return 0 in getattr(x, "shape", ())


def _storable(state):
  """orbax refuses zero-size arrays (MJX's ``act`` for a model without actuator state, in a
  Playground env state): each is saved as a scalar placeholder, rebuilt from the template's
  shape on restore."""
  return jax.tree.map(lambda x: np.zeros((), x.dtype) if _empty(x) else x, state)


class Checkpoints:
  """The checkpoints of one run in ``directory`` (steps are iteration numbers)."""

  def __init__(self, directory: str, keep: int = 2):
    self.directory = os.path.abspath(directory)
    self.manager = ocp.CheckpointManager(self.directory, options=ocp.CheckpointManagerOptions(
        max_to_keep=keep, create=True, cleanup_tmp_directories=True,
        enable_async_checkpointing=False))

  def path(self, iteration: int) -> str:
    return os.path.join(self.directory, str(iteration))

  def steps(self) -> list[int]:
    return sorted(self.manager.all_steps())

  def latest(self) -> int | None:
    steps = self.steps()
    return steps[-1] if steps else None

  def save(self, iteration: int, state) -> str:
    """Writes ``state`` (complete once this returns) and drops steps older than the kept ones."""
    self.manager.save(iteration, args=ocp.args.StandardSave(_storable(state)), force=True)
    self.manager.wait_until_finished()
    return self.path(iteration)

  def restore(self, iteration: int, like):
    """The state of ``iteration`` in the structure, shapes and dtypes of ``like``."""
    target = jax.tree.map(lambda x: jax.ShapeDtypeStruct((), x.dtype) if _empty(x)
                          else ocp.utils.to_shape_dtype_struct(x), like)
    state = self.manager.restore(iteration, args=ocp.args.StandardRestore(target))
    return jax.tree.map(lambda r, x: jnp.zeros(x.shape, x.dtype) if _empty(x) else r, state,
                        like)

  def restore_latest(self, like, warn: Callable[[str], None] = print):
    """``(iteration, state)`` of the newest readable step, or ``(None, like)`` if there is none.

    An unreadable step is reported by path and moved aside to ``<step>.unreadable`` (kept for
    inspection, out of the way of the step the resumed run will write), and the previous one is
    tried."""
    found = None, like
    for iteration in reversed(self.steps()):
      try:
        found = iteration, self.restore(iteration, like)
        break
      except Exception as e:  # orbax raises many kinds for a damaged step; none is fatal here
        reason = (str(e).splitlines() or [""])[0][:200]
        os.replace(self.path(iteration), self.path(iteration) + ".unreadable")
        warn(f"checkpoint {self.path(iteration)} cannot be read ({type(e).__name__}: {reason});"
             f" moved to {self.path(iteration)}.unreadable, trying the previous one")
    self.manager.reload()
    return found

  def close(self) -> None:
    self.manager.close()

