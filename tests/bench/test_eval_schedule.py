"""``ppo-vs-brax --evals N`` (and ``ablation``'s): both trainers evaluate N times, at the same env
steps, where Brax's trainer puts its ``num_evals`` evaluations; a bad N is refused before
anything trains."""
import pytest

from pgkit import cli
from pgkit.bench import ablation, ppo_vs_brax
from pgkit.bench.runs import Curve, RunStats
from pgkit.settings.errors import InputError

ANT_ITERATION = 2048 * 5 * 32  # Brax's ant: batch_size · unroll_length · num_minibatches


def _settings(env, steps, evals):
  brax_s, base, pgkit_s, eval_every = ppo_vs_brax._settings(env, "positional", steps, 128, None,
                                                            lambda flag: [], evals)
  assert base == pgkit_s  # no change: pgkit's side is the ablation's baseline
  return brax_s, pgkit_s, eval_every


def test_ten_evals_on_ant_follow_braxs_schedule():
  # Brax trains ceil(20e6 / (9 · 327,680)) = ceil(6.78) = 7 iterations between its 10
  # evaluations, 63 in all: 20,643,840 env steps, evaluated every 2,293,760.
  brax_s, pgkit_s, eval_every = _settings("ant", 20_000_000, 10)
  assert brax_s["num_evals"] == 10
  assert pgkit_s.run.steps_per_iteration == ANT_ITERATION
  assert pgkit_s.run.num_timesteps == 63 * ANT_ITERATION == 20_643_840
  assert eval_every == 7 * ANT_ITERATION


def test_without_evals_every_iteration_is_evaluated():
  # 1e6 / 163,840 = 6.1 -> 7 iterations (inverted_pendulum), so 8 evaluations from 0 steps on.
  brax_s, pgkit_s, eval_every = _settings("inverted_pendulum", 1_000_000, None)
  assert brax_s["num_evals"] == 8
  assert pgkit_s.run.num_iterations == 7
  assert eval_every == pgkit_s.run.steps_per_iteration == 163_840


def test_compare_hands_both_trainers_the_same_schedule(monkeypatch):
  seen = {}

  def brax(env, backend, settings, num_timesteps, seed, eval_envs):
    seen["brax"] = settings["num_evals"]
    return RunStats("brax", seed, 1.0, 10.0, 1e3, 1.0, Curve([0, 491_520], [1.0, 2.0], [1, 2]))

  def pgkit(settings, seed, eval_every):
    seen["pgkit"] = (settings.run.num_timesteps, eval_every)
    return RunStats("pgkit", seed, 1.0, 10.0, 1e3, 1.0, Curve([0, 491_520], [1.0, 2.0], [1, 2]))

  monkeypatch.setattr(ppo_vs_brax.runs, "run_brax", brax)
  monkeypatch.setattr(ppo_vs_brax.runs, "run_pgkit", pgkit)
  monkeypatch.setattr(ppo_vs_brax.timing, "raw_env_steps_per_s", lambda env, n: 1e5)
  monkeypatch.setattr(ppo_vs_brax, "make_env", lambda env, backend: None)
  # 1e6 steps = 7 iterations of 163,840; 3 evaluations: ceil(7 / 2) = 4 iterations apart.
  ppo_vs_brax.compare("inverted_pendulum", "positional", 1_000_000, 1, None,
                      print_fn=lambda line: None, evals=3)
  assert seen == {"brax": 3, "pgkit": (8 * 163_840, 4 * 163_840)}


def test_ablation_evaluates_its_variants_on_the_same_schedule(monkeypatch):
  seen = []

  def pgkit(settings, seed, eval_every):
    seen.append((settings.run.num_timesteps, eval_every, settings.hparams.clip_epsilon))
    return RunStats("pgkit", seed, 1.0, 10.0, 1e3, 1.0, Curve([0, 655_360], [1.0, 2.0], [1, 2]))

  monkeypatch.setattr(ablation.runs, "run_pgkit", pgkit)
  ablation.ablate("inverted_pendulum", "positional", 1_000_000, 1, ["clip_epsilon=0.2"],
                  cli._owners, print_fn=lambda line: None, evals=3)
  assert seen == [(8 * 163_840, 4 * 163_840, 0.3), (8 * 163_840, 4 * 163_840, 0.2)]


@pytest.mark.parametrize("bench", ["ppo-vs-brax", "ablation"])
@pytest.mark.parametrize("evals", [1, 0, -3])
def test_fewer_than_two_evals_are_refused_on_the_cli_and_in_python(bench, evals, capsys):
  assert cli.main(["bench", bench, "--evals", str(evals)]) == 2
  assert capsys.readouterr().err == (
      f"pgkit: error: evals must be an integer >= 2 (the first is at 0 env steps), got {evals}\n")
  with pytest.raises(InputError, match=f"evals must be an integer >= 2 .*got {evals}"):
    if bench == "ablation":
      ablation.ablate("inverted_pendulum", "positional", 1000, 1, [], cli._owners, evals=evals)
    else:
      ppo_vs_brax.compare("inverted_pendulum", "positional", 1000, 1, None, evals=evals)
