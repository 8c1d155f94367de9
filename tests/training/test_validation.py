"""Bad input raises a ValueError naming the algorithm and the field, before anything compiles."""
import math

import pytest

import pgkit
from pgkit import cli
from pgkit.training import run

BASE = pgkit.preset("ppo_clip", "inverted_pendulum", num_timesteps=1000)


def _no_compile(monkeypatch):
  import pgkit.training.runner as runner

  def fail(*a, **k):
    raise AssertionError("compiled before validating")

  monkeypatch.setattr(runner, "make_trainer", fail)


@pytest.mark.parametrize("changes, message", [
    (dict(clip_epsilon=-0.1), "ppo_clip: clip_epsilon must be a finite number > 0"),
    (dict(learning_rate=math.inf), "ppo_clip: learning_rate"),
    (dict(learning_rate=math.nan), "ppo_clip: learning_rate"),
    (dict(discount=1.5), "ppo_clip: discount must be a finite number >= 0 and <= 1"),
    (dict(minibatches=65), "ppo_clip: minibatches must be <= num_envs · unrolls = 64, got 65"),
    (dict(env="moon_lander"), "ppo_clip: env must be one of"),
    (dict(backend="bogus"), "ppo_clip: backend"),
    (dict(num_envs=0), "ppo_clip: num_envs must be an integer >= 1"),
    (dict(lr_schedule="cosine-ish"), "ppo_clip: lr_schedule"),
])
def test_bad_settings(monkeypatch, changes, message):
  _no_compile(monkeypatch)
  with pytest.raises(ValueError, match=message):
    run(BASE.replace(**changes))


def test_make_trainer_validates():
  with pytest.raises(ValueError, match="ppo_clip: num_envs"):
    pgkit.make_trainer(BASE.replace(num_envs=0))


def test_unknown_algorithm_from_cli(capsys):
  assert cli.main(["train", "sarsa_max"]) == 2
  assert "algo must be one of" in capsys.readouterr().err


def test_cli_rejects_negative_clip(capsys, monkeypatch):
  _no_compile(monkeypatch)
  assert cli.main(["train", "ppo_clip", "--clip-epsilon", "-0.2"]) == 2
  assert "ppo_clip: clip_epsilon" in capsys.readouterr().err
