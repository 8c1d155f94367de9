"""Data parallelism with ``jax.sharding``: one ``Mesh`` over the devices, axis ``"data"``.

* A run: the env batch is split along ``num_envs`` (every leaf of the train state's
  ``env_state``, so the rollout and the batch built from it follow), while parameters,
  optimizer, dual and normaliser states are replicated. The loss is a mean over the sharded
  batch, so the compiler inserts the reduction that averages the gradients; nothing here
  writes a collective.
* A population (``pgkit sweep``): the member axis of every leaf is split instead, one group of
  members per device.

The annotations are ``jax.lax.with_sharding_constraint`` inside the compiled functions and
global ``jax.Array`` inputs (``put``); on one device (and one process) nothing is added, so the
compiled program is the one without this module. Several processes (``jax.distributed``) use
the same code: the mesh then spans the devices of every process (``mesh``).
"""
from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

from pgkit.settings.errors import InputError

AXIS = "data"


def resolve(devices: int) -> int:
  """The local devices a run uses: ``devices`` (0: all local devices), checked."""
  available = jax.local_device_count()
  if devices == 0:
    return available
  if not 1 <= devices <= available:
    raise InputError(f"devices must be 0 (all) or between 1 and {available} (the local devices "
                     f"of this process), got {devices}")
  return devices


def mesh(devices: int) -> Mesh | None:
  """The mesh over the first ``devices`` local devices of every process; None for one device
  in one process (then nothing is sharded)."""
  if devices == 1 and jax.process_count() == 1:
    return None
  per_process: dict[int, list] = {}
  for d in jax.devices():
    per_process.setdefault(d.process_index, []).append(d)
  chosen = [d for p in sorted(per_process) for d in per_process[p][:devices]]
  return Mesh(np.array(chosen), (AXIS,))


def size(m: Mesh | None) -> int:
  return 1 if m is None else m.size


def check_divisible(what: str, n: int, m: Mesh | None, devices_flag: str = "--devices") -> None:
  """``n`` (num_envs, or a population's runs) must split evenly over the mesh."""
  if n % size(m):
    raise InputError(f"{what} must be divisible by the {size(m)} devices it is split over, got "
                     f"{n}; change {what} or set {devices_flag}")


def _split_leading(x, m: Mesh):
  return NamedSharding(m, P(AXIS) if getattr(x, "ndim", 0) >= 1 else P())


def constrain_population(tree, m: Mesh | None):
  """Every leaf split along its leading (member) axis."""
  if m is None:
    return tree
  return jax.tree.map(lambda x: jax.lax.with_sharding_constraint(x, _split_leading(x, m)), tree)


def replicate(tree, m: Mesh | None):
  """Every leaf replicated (metrics and results every process can read)."""
  if m is None:
    return tree
  return jax.tree.map(lambda x: jax.lax.with_sharding_constraint(x, NamedSharding(m, P())),
                      tree)


def constrain_state(state, m: Mesh | None):
  """A run's train state: ``env_state`` split along ``num_envs``, everything else replicated."""
  if m is None:
    return state
  return replicate(state, m)._replace(env_state=constrain_population(state.env_state, m))


def put(tree, m: Mesh | None, split: Any = False):
  """Host values as global arrays on the mesh: replicated, or split along the leading axis
  where ``split`` (a bool, or a pytree prefix of bools) says so. Every process passes the same
  values and keeps the part on its own devices."""
  if m is None:
    return tree

  def one(x, s):
    x = np.asarray(x)
    sharding = _split_leading(x, m) if s else NamedSharding(m, P())
    return jax.make_array_from_callback(x.shape, sharding, lambda index: x[index])

  if isinstance(split, bool):
    return jax.tree.map(lambda x: one(x, split), tree)
  return jax.tree.map(lambda s, sub: jax.tree.map(lambda x: one(x, s), sub), split, tree)


def fetch(tree):
  """Host (numpy) values of a tree of arrays; a replicated array held by several processes is
  read from this process's own copy."""
  def one(x):
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
      return np.asarray(x.addressable_data(0))
    return np.asarray(x)
  return jax.tree.map(one, jax.device_get(tree) if _addressable(tree) else tree)


def _addressable(tree) -> bool:
  return all(not isinstance(x, jax.Array) or x.is_fully_addressable for x in jax.tree.leaves(tree))
