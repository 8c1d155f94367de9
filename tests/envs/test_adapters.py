"""The gymnax and MuJoCo Playground adapters behind the env protocol."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import envs
from pgkit.settings import InputError

pytest.importorskip("gymnax")


@pytest.fixture(scope="module")
def cartpole():
  return envs.make_env("gymnax/CartPole-v1")


def test_gymnax_steps_match_gymnax_step_env(cartpole):
  import gymnax
  raw, params = gymnax.make("CartPole-v1")
  assert (cartpole.discrete, cartpole.num_actions, cartpole.observation_size) == (True, 2, 4)
  s = cartpole.reset(jax.random.PRNGKey(0))
  gx_state = s.state.env_state
  for t in range(6):
    k_step = jax.random.split(s.state.key)[1]  # the key the adapter hands gymnax
    obs, gx_state, reward, done, _ = raw.step_env(k_step, gx_state, t % 2, params)
    s = cartpole.step(s, jnp.asarray(t % 2))
    np.testing.assert_allclose(s.observation, obs, rtol=1e-6)
    assert float(s.reward) == float(reward) and float(s.termination) == float(done)


def test_gymnax_time_limit_is_pgkits_truncation(cartpole):
  # Balance by a fixed rule (push towards the pole's lean) for 600 steps: gymnax's own limit
  # (500) would end the episode; the adapter lifts it, so only episode_length truncates.
  def balance(s, _):
    s = cartpole.step(s, (s.observation[2] + 0.5 * s.observation[3] > 0).astype(jnp.int32))
    return s, s.termination + s.truncation

  _, ended = jax.jit(lambda s: jax.lax.scan(balance, s, None, length=600))(
      cartpole.reset(jax.random.PRNGKey(1)))
  np.testing.assert_array_equal(ended, np.zeros(600))
  state = envs.reset(cartpole, jax.random.PRNGKey(2), 2)
  fresh = envs.fresh_states(cartpole, jax.random.PRNGKey(3), 2)
  for t in range(3):
    state, _, term, trunc, _, _ = envs.step(cartpole, state, jnp.array([0, 1]), fresh, 3)
  np.testing.assert_array_equal(trunc, [1.0, 1.0])
  np.testing.assert_array_equal(term, [0.0, 0.0])


def test_gymnax_states_restore(cartpole):
  s = cartpole.reset(jax.random.PRNGKey(4))
  a = cartpole.step(cartpole.step(s, jnp.asarray(1)), jnp.asarray(0))
  b = cartpole.step(cartpole.step(s, jnp.asarray(1)), jnp.asarray(0))
  for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
    np.testing.assert_array_equal(x, y)
  assert cartpole.restorable


def test_gymnax_continuous_actions_map_to_the_box():
  pendulum = envs.make_env("gymnax/Pendulum-v1")
  assert (pendulum.discrete, pendulum.action_size) == (False, 1)
  import gymnax
  raw, params = gymnax.make("Pendulum-v1")
  s = pendulum.reset(jax.random.PRNGKey(0))
  # a = 0.5 in [−1, 1] is a torque of 1.0 in gymnax's box [−2, 2].
  _, _, reward, _, _ = raw.step_env(jax.random.PRNGKey(0), s.state.env_state, jnp.array([1.0]),
                                    params)
  np.testing.assert_allclose(pendulum.step(s, jnp.array([0.5])).reward, reward, rtol=1e-6)


def test_restorable_check_names_the_algorithm():
  stub = envs.Environment("stub/Env", None, None, 1, 1, restorable=False)
  with pytest.raises(InputError, match="trpo_vine: branching from saved states needs an env "
                     "whose states can be restored, and stub/Env cannot"):
    envs.check_restorable(stub, True, "trpo_vine")
  envs.check_restorable(stub, False, "trpo")


def test_playground_suite_task_and_downloaded_task(monkeypatch):
  pytest.importorskip("mujoco_playground")
  env = envs.make_env("playground/CartpoleBalance")
  assert (env.discrete, env.action_size, env.observation_size) == (False, 1, 5)
  s = jax.jit(env.reset)(jax.random.PRNGKey(0))
  assert s.observation.shape == (5,) and float(s.termination) == 0.0
  from mujoco_playground._src import mjx_env
  monkeypatch.setattr(mjx_env, "MENAGERIE_PATH", mjx_env.MENAGERIE_PATH / "not_here")
  with pytest.raises(InputError, match="needs robot models that MuJoCo Playground downloads"):
    envs.make_env("playground/Go1JoystickFlatTerrain")
