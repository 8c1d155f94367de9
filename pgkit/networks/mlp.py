"""A plain multilayer perceptron in flax.linen."""
from __future__ import annotations

from typing import Callable, Sequence

import flax.linen as nn
import jax

from pgkit.networks.matmul import MATMULS

ACTIVATIONS: dict[str, Callable] = {"swish": nn.swish, "tanh": nn.tanh, "relu": nn.relu,
                                    "elu": nn.elu}


class MLP(nn.Module):
  """Dense layers with an activation between them; the last layer is linear.

  Inputs of any leading shape ``[..., in]`` run as one ``[N, in]`` matrix: XLA's CPU matmuls
  on a flattened batch ran 20 % faster than on ``[T, B, in]`` (examples/benchmarks/RESULTS.md,
  "Throughput"), for the same products. ``matmul`` picks the products' precision
  (``networks.matmul.MATMULS``); ``bfloat16`` has no forward-mode derivative, so it is for
  networks that are only differentiated in reverse mode (the critics).
  """

  sizes: Sequence[int]
  activation: str = "swish"
  final_scale: float = 1.0
  matmul: str = "float32"

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    act = ACTIVATIONS[self.activation]
    lead = x.shape[:-1]
    x = x.reshape((-1, x.shape[-1]))
    for i, size in enumerate(self.sizes):
      last = i == len(self.sizes) - 1
      init = nn.initializers.variance_scaling(self.final_scale if last else 1.0, "fan_in",
                                              "uniform")
      x = nn.Dense(size, kernel_init=init, dot_general=MATMULS[self.matmul])(x)
      if not last:
        x = act(x)
    return x.reshape(lead + x.shape[-1:])
