"""The environment protocol the trainers depend on, whatever the family (Brax, gymnax, MuJoCo
Playground): pure ``reset``/``step`` over an ``EnvStep``.

* ``reset(key) -> EnvStep`` and ``step(env_step, action) -> EnvStep``, unbatched (acting vmaps
  them), jittable, with no hidden state: an ``EnvStep`` can be saved and stepped again from
  (vine branching) when ``restorable``.
* ``EnvStep``: the family's own state, the observation (a flat float vector), the reward of the
  step that led here, ``termination`` (1.0 when the episode ended in a terminal state: no
  bootstrap) and ``truncation`` (1.0 when the env's own time limit cut it: bootstrap), and the
  family's metrics. pgkit's ``episode_length`` truncates on top of the env's own limit
  (``acting.step``).
* Actions: ``discrete`` envs take an integer in ``[0, num_actions)``; continuous ones a vector of
  ``action_size`` values in ``[-1, 1]`` (adapters rescale to the task's own bounds).
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax

Array = jax.Array


class EnvStep(NamedTuple):
  state: Any  # the family's own pure state (a brax/playground State, gymnax's state and key)
  observation: Array  # [obs]
  reward: Array  # []
  termination: Array  # [] 1.0: terminal state, no bootstrap
  truncation: Array  # [] 1.0: the env's own time limit ended the episode, bootstrap
  metrics: Any  # the family's per-step metrics (a dict of arrays)


class Environment(NamedTuple):
  """One task behind the protocol; ``name`` is pgkit's (``gymnax/CartPole-v1``)."""

  name: str
  reset: Callable[[Array], EnvStep]
  step: Callable[[EnvStep, Array], EnvStep]
  observation_size: int
  action_size: int  # continuous: dimensions; discrete: 1 (one integer)
  num_actions: int = 0  # discrete: how many actions; 0 for continuous actions
  restorable: bool = True  # a saved EnvStep can be stepped again (vine branching)
  raw: Any = None  # the family's own env object (for benchmarks and inspection)

  @property
  def discrete(self) -> bool:
    return self.num_actions > 0

  def action_example(self, *shape: int) -> Array:
    """Zeros shaped and typed like a batch ``shape`` of actions (for replay buffers)."""
    import jax.numpy as jnp
    if self.discrete:
      return jnp.zeros(shape, jnp.int32)
    return jnp.zeros(shape + (self.action_size,))
