"""The XLA compile options of pgkit's compiled functions, chosen by measurement.

On a CPU, XLA (jax 0.10/0.11) hands matrix products and reductions to its YNNPACK library by
default (``xla_cpu_experimental_ynn_fusion_type``). Brax's physics is made of thousands of tiny
batched products (``[2048, 2, 3, 3]``); as YNNPACK calls they stepped inverted_pendulum at
124-132 k env steps/s on a 2-core AMD EPYC, with XLA's own kernels at 156-197 k (ant 9.6 k →
13.4 k, halfcheetah 6.1 k → 7.3 k), while the critic's 5120 × 256 products ran as fast either
way. Keeping YNNPACK for reductions costs no speed measured here and keeps the compile time
XLA's default has (giving the reductions to XLA as well added 1-3 s to the training unit's
compile); examples/benchmarks/RESULTS.md, "YNNPACK off: XLA's own kernels". So on a CPU pgkit
compiles its training unit, ``init``, ``evaluate`` and policy playback with YNNPACK fusions for
reductions only; other backends get no options.

``PGKIT_YNNPACK=on`` keeps XLA's default, and an ``XLA_FLAGS`` that sets
``xla_cpu_experimental_ynn_fusion_type`` itself is left to rule.
"""
from __future__ import annotations

import functools
import os
from typing import Callable

import jax

ENV = "PGKIT_YNNPACK"
ON = ("on", "1", "true", "yes")
OPTION = "xla_cpu_experimental_ynn_fusion_type"
REDUCTIONS_ONLY = "LIBRARY_FUSION_TYPE_REDUCE"


def compiler_options(environ=os.environ, backend: str | None = None) -> dict[str, str] | None:
  """The options for the default backend (``backend`` when given): on a CPU, YNNPACK fusions
  for reductions only, unless ``PGKIT_YNNPACK=on`` or ``XLA_FLAGS`` names the option; else
  None."""
  if (backend or jax.default_backend()) != "cpu":
    return None
  if environ.get(ENV, "").strip().lower() in ON or OPTION in environ.get("XLA_FLAGS", ""):
    return None
  return {OPTION: REDUCTIONS_ONLY} if accepted(OPTION, REDUCTIONS_ONLY) else None


@functools.lru_cache(maxsize=None)
def accepted(option: str, value: str) -> bool:
  """Whether this jax's XLA compiles with ``option=value`` (a jax before the option, or one
  that renamed it, gets XLA's defaults rather than an error): one tiny compile per process."""
  try:
    jax.jit(lambda x: x + 1, compiler_options={option: value}).lower(1.0).compile()
  except Exception:  # XLA reports an unknown option or value as a runtime error
    return False
  return True


def jit(fn: Callable, **kwargs) -> Callable:
  """``jax.jit(fn, **kwargs)`` with ``compiler_options()``."""
  return jax.jit(fn, compiler_options=compiler_options(), **kwargs)
