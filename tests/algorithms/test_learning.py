"""One learning test per on-policy algorithm on Brax's inverted_pendulum (positional backend);
mpo and vmpo are in test_mpo_learning.py.

Each run uses the algorithm's preset (declared beside it in pgkit/algorithms) and asserts the
deterministic
evaluation return over 16 episodes of up to 1000 steps (1000 is the maximum).
"""
import jax
import pytest

from pgkit.settings import preset
from pgkit.training import make_trainer


def learn(algo, seed=0):
  settings = preset(algo, "inverted_pendulum")
  assert settings.run.backend == "positional"
  trainer = make_trainer(settings)
  hp = settings.hparams
  key, eval_key = jax.random.split(jax.random.PRNGKey(seed))
  evaluate = jax.jit(trainer.evaluate)
  initial = float(evaluate(jax.jit(trainer.init)(key, hp), eval_key))  # eager init is slower
  state, _ = jax.jit(trainer.train)(key, hp)
  final = float(evaluate(state, eval_key))
  print(f"{algo}: initial eval return {initial:.1f}, final {final:.1f}")  # shown with -rP
  return initial, final


@pytest.mark.parametrize("algo", ["ppo_clip", "ppo_kl", "npg", "trpo"])
def test_solves_inverted_pendulum(algo):
  initial, final = learn(algo)
  assert final >= 900, (initial, final)


@pytest.mark.parametrize("algo", ["a2c", "reinforce", "is_pg", "trpo_vine"])
def test_improves_five_fold(algo):
  initial, final = learn(algo)
  assert final >= 5 * initial, (initial, final)
