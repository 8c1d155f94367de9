"""The written-out env tables against each family's own registry."""
import pytest

from pgkit.settings import envs


def test_gymnax_table_matches_gymnax():
  gymnax = pytest.importorskip("gymnax")
  # Left out: MNISTBandit downloads MNIST; the bandits' and FrozenLake's observations are not
  # float arrays of a fixed size.
  left_out = {"MNISTBandit-bsuite", "SimpleBandit-bsuite", "BernoulliBandit-misc",
              "GaussianBandit-misc", "FrozenLake-misc"}
  assert set(envs.GYMNAX_ENVS) == set(gymnax.registered_envs) - left_out
  for task, spec in envs.GYMNAX_ENVS.items():
    env, params = gymnax.make(task)
    assert spec.discrete == hasattr(env.action_space(params), "n"), task
    assert spec.episode_length == params.max_steps_in_episode, task


def test_playground_tables_match_playground():
  pytest.importorskip("mujoco_playground")
  from mujoco_playground import dm_control_suite, locomotion, manipulation
  assert envs.PLAYGROUND_SUITE == tuple(dm_control_suite.ALL_ENVS)
  assert set(envs.PLAYGROUND_DOWNLOADED) == set(locomotion.ALL_ENVS) | set(manipulation.ALL_ENVS)


def test_names_select_families_and_action_spaces():
  assert envs.split("ant") == ("brax", "ant")
  assert envs.split("gymnax/CartPole-v1") == ("gymnax", "CartPole-v1")
  assert envs.discrete("gymnax/CartPole-v1") and not envs.discrete("gymnax/Pendulum-v1")
  assert not envs.discrete("playground/CartpoleBalance") and not envs.discrete("ant")
  assert envs.problem("playground/CartpoleBalance") is None
  assert "gymnax/CartPole-v1" in envs.problem("gymnax/Nope")
