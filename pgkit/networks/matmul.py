"""The networks' matrix products: float32, or bfloat16 operands with float32 accumulation."""
from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp

_BF16 = jnp.bfloat16


def contracting(lhs_axis: int, rhs_axis: int):
  """``dot_general``'s dimension numbers contracting one axis of each operand, no batch axes."""
  return ((lhs_axis,), (rhs_axis,)), ((), ())


def bfloat16_product(x: jax.Array, w: jax.Array, dims) -> jax.Array:
  """``lax.dot_general(x, w, dims)`` on bfloat16-rounded operands, accumulated in float32."""
  return jax.lax.dot_general(x.astype(_BF16), w.astype(_BF16), dims,
                             preferred_element_type=jnp.float32)


@jax.custom_vjp
def bfloat16_matmul(x: jax.Array, w: jax.Array) -> jax.Array:
  """``x [N, in] @ w [in, out]`` on bfloat16 operands, accumulated and returned in float32.

  The backward pass runs its two products the same way, ``∂x = bf16(g) bf16(w)ᵀ`` and
  ``∂w = bf16(x)ᵀ bf16(g)``, with the cotangent ``g`` rounded to bfloat16 as well: left to
  JAX's transpose rule, ``g`` would stay float32 and XLA would take the float32 product for
  both. On a CPU with AVX512_BF16, XLA's CPU backend runs the forward product and ``∂x`` at
  1.6-1.9× the float32 rate through YNNPACK; ``∂w``, which contracts over the batch axis, at
  the float32 rate (YNNPACK's bfloat16 kernel takes only a left operand contracted on its last
  axis, and XLA folds any transpose that would make one); examples/benchmarks/RESULTS.md,
  "bfloat16 critic". XLA's own kernels convert bfloat16 operands to float32, so a run with this
  critic compiles its training unit with YNNPACK's products (``training.xla_options``).
  Rounding the operands to bfloat16 (8 significant bits) is what TPUs do by default for
  float32 matmuls.
  Mixed precision as in "Mixed Precision Training" (Micikevicius et al., arXiv:1710.03740) and
  "A Study of BFLOAT16 for Deep Learning Training" (Kalamkar et al., arXiv:1905.12322).
  """
  return bfloat16_product(x, w, contracting(1, 0))


def _forward(x, w):
  x, w = x.astype(_BF16), w.astype(_BF16)  # rounded once, kept for the backward products
  return bfloat16_product(x, w, contracting(1, 0)), (x, w)


def _backward(saved, g):
  x, w = saved
  return bfloat16_product(g, w, contracting(1, 1)), bfloat16_product(x, g, contracting(0, 0))


bfloat16_matmul.defvjp(_forward, _backward)


def _bfloat16_dot_general(lhs, rhs, dimension_numbers, precision=None,
                          preferred_element_type=None):
  """``flax.linen.Dense``'s ``dot_general`` hook for a 2-D input (``networks.MLP`` flattens)."""
  del precision, preferred_element_type
  if lhs.ndim != 2 or dimension_numbers != contracting(1, 0):
    raise ValueError(f"bfloat16 matmul takes [N, in] @ [in, out]; got {dimension_numbers} "
                     f"for shapes {lhs.shape} and {rhs.shape}")
  return bfloat16_matmul(lhs, rhs)


MATMULS: dict[str, Callable] = {"float32": jax.lax.dot_general,
                                "bfloat16": _bfloat16_dot_general}
