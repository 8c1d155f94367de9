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

Functions a run calls once or a few times (``init``, the evaluation, policy playback) are
compiled for compile time: on a CPU also with XLA's elemental IR emitters instead of its fusion
emitters (``xla_cpu_use_fusion_emitters=false``). On the 2-core AMD EPYC, ppo_clip's preset
evaluation compiled in 3.0-3.4 s instead of 4.7-4.9 s (inverted_pendulum) and 6.1-6.2 s
instead of 9.0-9.5 s (halfcheetah), ``init`` in 1.4 s instead of 2.1 s and 3.3-3.4 s instead of
3.8-3.9 s, and the evaluations ran as fast (0.15-0.20 s) or faster (2.5 s instead of 2.7-2.8 s).
The training unit keeps the fusion emitters: with the elemental ones it compiled in 5.3-6.2 s
instead of 7.1-9.5 s but stepped 3-9 % slower (inverted_pendulum at Brax's settings). jax
0.11.2's XLA has no such option (its CPU backend always takes the fusion emitters): there
``accepted`` drops it and those functions compile with XLA's default.

``init``, which a run calls exactly once and which runs in well under a second, is compiled
with ``setup`` as well: XLA's lowest backend optimisation level (``xla_backend_optimization_level
= 0``, LLVM's optimisations off). On the Intel Xeon of 2026-12-06 (2 cores) ``init`` of the
ppo_clip presets compiled in 1.7 s instead of 3.6 s (inverted_pendulum), 2.7 s instead of 5.0 s
(hopper) and 2.0 s instead of 4.4 s (ant), and ran in 0.13 s instead of 0.06 s (hopper); the
evaluation is not, because its episodes ran 3-5× slower (ant: 17 s instead of 3.3 s), nor the
training unit (examples/benchmarks/RESULTS.md, "A run's start: `init` at XLA's lowest
optimisation level").

A run with the bfloat16 critic (``critic_matmul=bfloat16``) compiles its training unit with
YNNPACK's single products as well (``bfloat16_dots``): XLA's own kernels convert bfloat16
operands to float32, so without them the option saved nothing (a ppo_clip step at Brax's
inverted_pendulum settings: 5,118 ms against float32's 5,113; with them 4,739 ms against
5,028, and on Ant 35,695 against 37,344), at the cost of YNNPACK's slower small products in the
physics (examples/benchmarks/RESULTS.md, "The bfloat16 critic needs YNNPACK's products").

``PGKIT_YNNPACK=on`` keeps XLA's default for YNNPACK, and an ``XLA_FLAGS`` that sets
``xla_cpu_experimental_ynn_fusion_type``, ``xla_cpu_use_fusion_emitters`` or
``xla_backend_optimization_level`` itself is left to rule.
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
WITH_PRODUCTS = REDUCTIONS_ONLY + ",LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT"
EMITTERS = "xla_cpu_use_fusion_emitters"
LEVEL = "xla_backend_optimization_level"


def compiler_options(environ=os.environ, backend: str | None = None, once: bool = False,
                     setup: bool = False,
                     bfloat16_dots: bool = False) -> dict[str, str | bool | int] | None:
  """The options for the default backend (``backend`` when given): on a CPU, YNNPACK fusions
  for reductions only, and with ``bfloat16_dots`` for single products too (unless
  ``PGKIT_YNNPACK=on`` or ``XLA_FLAGS`` names the option), with ``once`` (or ``setup``) the
  elemental emitters and with ``setup`` optimisation level 0 (each unless ``XLA_FLAGS`` names
  its option); None when there are none."""
  if (backend or jax.default_backend()) != "cpu":
    return None
  flags, options = environ.get("XLA_FLAGS", ""), {}
  if environ.get(ENV, "").strip().lower() not in ON and OPTION not in flags:
    options[OPTION] = WITH_PRODUCTS if bfloat16_dots else REDUCTIONS_ONLY
  if (once or setup) and EMITTERS not in flags:
    options[EMITTERS] = False
  if setup and LEVEL not in flags:
    options[LEVEL] = 0
  return {k: v for k, v in options.items() if accepted(k, v)} or None


@functools.lru_cache(maxsize=None)
def accepted(option: str, value: str | bool | int) -> bool:
  """Whether this jax's XLA compiles with ``option=value`` (a jax before the option, or one
  that renamed it, gets XLA's defaults rather than an error): one tiny compile per process."""
  try:
    jax.jit(lambda x: x + 1, compiler_options={option: value}).lower(1.0).compile()
  except Exception:  # XLA reports an unknown option or value as a runtime error
    return False
  return True


def jit(fn: Callable, once: bool = False, setup: bool = False, bfloat16_dots: bool = False,
        **kwargs) -> Callable:
  """``jax.jit(fn, **kwargs)`` with ``compiler_options(...)`` of the same flags: ``once`` for a
  function a run calls once or at its reports, compiled for compile time; ``setup`` for one it
  calls exactly once and that runs briefly (``init``), compiled for compile time alone;
  ``bfloat16_dots`` for the training unit of a run with the bfloat16 critic."""
  return jax.jit(fn, compiler_options=compiler_options(
      once=once, setup=setup, bfloat16_dots=bfloat16_dots), **kwargs)
