"""The XLA compile options of pgkit's compiled functions, chosen by measurement.

On a CPU, XLA (jax 0.10/0.11) hands matrix products and reductions to its YNNPACK library by
default (``xla_cpu_experimental_ynn_fusion_type``). Brax's physics is made of thousands of tiny
batched products and sums (``[2048, 2, 3, 3]``); as YNNPACK calls they stepped
inverted_pendulum at 124-132 k env steps/s on a 2-core AMD EPYC, with XLA's own kernels at
156-197 k (ant 9.6 k → 13.4 k, halfcheetah 6.1 k → 7.3 k), while the critic's 5120 × 256
products ran as fast either way (examples/benchmarks/RESULTS.md, "YNNPACK off: XLA's own
kernels"). So pgkit compiles its training unit, ``init``, ``evaluate`` and policy playback with
YNNPACK fusions off on a CPU; other backends get no options.

``PGKIT_YNNPACK=on`` keeps XLA's default, and an ``XLA_FLAGS`` that sets
``xla_cpu_experimental_ynn_fusion_type`` itself is left to rule.
"""
from __future__ import annotations

import os
from typing import Callable

import jax

ENV = "PGKIT_YNNPACK"
ON = ("on", "1", "true", "yes")
OPTION = "xla_cpu_experimental_ynn_fusion_type"


def compiler_options(environ=os.environ, backend: str | None = None) -> dict[str, str] | None:
  """The options for the default backend (``backend`` when given): YNNPACK fusions off on a
  CPU, unless ``PGKIT_YNNPACK=on`` or ``XLA_FLAGS`` names the option; else None."""
  if (backend or jax.default_backend()) != "cpu":
    return None
  if environ.get(ENV, "").strip().lower() in ON or OPTION in environ.get("XLA_FLAGS", ""):
    return None
  return {OPTION: ""}


def jit(fn: Callable, **kwargs) -> Callable:
  """``jax.jit(fn, **kwargs)`` with ``compiler_options()``."""
  return jax.jit(fn, compiler_options=compiler_options(), **kwargs)
