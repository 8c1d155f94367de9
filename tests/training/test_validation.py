"""Bad input raises a ValueError naming the parameter, before anything compiles."""
import dataclasses
import math

import pytest

from pgkit import cli
from pgkit.training import Config, HParams, run


def _no_compile(monkeypatch):
  import pgkit.training.runner as runner

  def fail(*a, **k):
    raise AssertionError("compiled before validating")

  monkeypatch.setattr(runner, "make_trainer", fail)


@pytest.mark.parametrize("hp, name", [
    (HParams(clip_epsilon=-0.1), "clip_epsilon"),
    (HParams(learning_rate=math.inf), "learning_rate"),
    (HParams(learning_rate=math.nan), "learning_rate"),
    (HParams(discount=1.5), "discount"),
])
def test_bad_hyperparameters(monkeypatch, hp, name):
  _no_compile(monkeypatch)
  with pytest.raises(ValueError, match=name):
    run(Config(num_timesteps=1000), hp)


@pytest.mark.parametrize("config, name", [
    (Config(num_envs=64, minibatches=5), "minibatches"),
    (Config(env="moon_lander"), "env"),
    (Config(backend="bogus"), "backend"),
    (Config(num_envs=0), "num_envs"),
    (Config(lr_schedule="cosine-ish"), "lr_schedule"),
])
def test_bad_config(monkeypatch, config, name):
  _no_compile(monkeypatch)
  with pytest.raises(ValueError, match=name):
    run(config, HParams())


def test_unknown_algorithm_from_cli(capsys):
  assert cli.main(["train", "sarsa_max"]) == 2
  assert "algo must be one of" in capsys.readouterr().err


def test_cli_rejects_negative_clip(capsys, monkeypatch):
  _no_compile(monkeypatch)
  assert cli.main(["train", "ppo_clip", "--clip-epsilon", "-0.2"]) == 2
  assert "clip_epsilon" in capsys.readouterr().err
