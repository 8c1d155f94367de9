"""The shim that runs Brax's PPO trainer on current jax places its replicated state where Brax's
pmapped functions place their outputs, so Brax's training epoch compiles once, not twice."""
import jax
import jax.numpy as jnp
import numpy as np

from pgkit.bench import brax_compat


def test_replicated_state_is_placed_as_braxs_pmap_outputs(monkeypatch):
  from brax.training.agents.ppo import train
  if hasattr(jax, "device_put_replicated"):  # an older jax has its own
    monkeypatch.delattr(jax, "device_put_replicated")
  brax_compat.install()
  devices = jax.local_devices()[:1]
  tree = {"w": jnp.arange(6.0).reshape(2, 3), "step": jnp.array(7)}
  put = jax.device_put_replicated(tree, devices)
  np.testing.assert_array_equal(put["w"], np.arange(6.0).reshape(1, 2, 3))
  np.testing.assert_array_equal(put["step"], [7])
  # What one of Brax's pmapped steps returns, under Brax's axis name:
  step = jax.pmap(lambda t: jax.tree.map(lambda a: a + 1, t), axis_name=train._PMAP_AXIS_NAME,
                  devices=devices)
  out = step(put)
  for a, b in zip(jax.tree.leaves(put), jax.tree.leaves(out)):
    assert a.sharding == b.sharding  # so feeding ``out`` back compiles nothing new
  # A plain stack (the shim's earlier form) is placed elsewhere, which recompiled Brax's epoch.
  assert jnp.stack([tree["w"]]).sharding != out["w"].sharding
