"""Several hosts: ``jax.distributed``, one process per host, every process the same program.

``pgkit train ... --coordinator HOST:PORT --num-processes P --process-id I`` (or the variables
``PGKIT_COORDINATOR``, ``PGKIT_NUM_PROCESSES``, ``PGKIT_PROCESS_ID``; ``--coordinator auto``
lets JAX detect the cluster, e.g. SLURM or Cloud TPU) connects the processes before anything
runs on a device. Each then builds the same mesh over the devices of all processes
(``sharding.mesh``), holds its part of the env batch and a replica of the parameters, and the
compiler exchanges what the gradients need. Only process 0 writes the run folder's settings,
logs and result and prints progress; checkpoints are written by orbax from every process (each
saves the shards it holds, process 0 the metadata), and every process resumes from them.
"""
from __future__ import annotations

import argparse
import os
from typing import NamedTuple

from pgkit.settings.errors import InputError

VARIABLES = {"coordinator": "PGKIT_COORDINATOR", "num_processes": "PGKIT_NUM_PROCESSES",
             "process_id": "PGKIT_PROCESS_ID"}


class Cluster(NamedTuple):
  coordinator: str  # HOST:PORT of process 0, or "auto"
  num_processes: int | None
  process_id: int | None


def _int(name: str, text) -> int | None:
  if text is None:
    return None
  try:
    return int(text)
  except ValueError:
    raise InputError(f"{name} must be an integer, got {text!r}") from None


def parse(argv: list[str]) -> tuple[Cluster | None, list[str]]:
  """The cluster flags (else the variables) and the other arguments; None for one process."""
  parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
  for name in VARIABLES:
    parser.add_argument("--" + name.replace("_", "-"), default=os.environ.get(VARIABLES[name]))
  try:
    known, rest = parser.parse_known_args(argv)
  except argparse.ArgumentError as e:
    raise InputError(str(e)) from None
  cluster = Cluster(known.coordinator, _int("num_processes", known.num_processes),
                    _int("process_id", known.process_id))
  if cluster.coordinator is None:
    if cluster.num_processes is not None or cluster.process_id is not None:
      raise InputError("num_processes and process_id need a coordinator (--coordinator "
                       "HOST:PORT, the address of process 0)")
    return None, rest
  check(cluster)
  return cluster, rest


def check(cluster: Cluster) -> None:
  if cluster.coordinator == "auto":
    return
  host, _, port = cluster.coordinator.rpartition(":")
  if not host or not port.isdigit() or not 0 < int(port) < 65536:
    raise InputError(f"coordinator must be HOST:PORT (a port 1..65535) or auto, got "
                     f"{cluster.coordinator!r}")
  n, i = cluster.num_processes, cluster.process_id
  if n is None or n < 1:
    raise InputError(f"num_processes must be an integer >= 1, got {n}")
  if i is None or not 0 <= i < n:
    raise InputError(f"process_id must be an integer in 0..{n - 1} (num_processes={n}), got {i}")


def initialize(cluster: Cluster | None) -> None:
  """Connects this process to the others (nothing for None)."""
  if cluster is None:
    return
  import jax
  if cluster.coordinator == "auto":
    jax.distributed.initialize()
  else:
    jax.distributed.initialize(cluster.coordinator, cluster.num_processes, cluster.process_id)


def is_main() -> bool:
  """Whether this is process 0, the one that writes and prints."""
  import jax
  return jax.process_index() == 0


def barrier(name: str) -> None:
  """Every process waits here for the others (nothing with one process)."""
  import jax
  if jax.process_count() > 1:
    from jax.experimental import multihost_utils
    multihost_utils.sync_global_devices(name)
