"""``pgkit train ALGO [flags]`` parsed into settings, without training: flags over presets and
settings files, flags ALGO does not declare refused, ``--help`` without Brax."""
import math
import os
import subprocess
import sys

import pytest

from pgkit import cli
from pgkit.settings import preset, save
from tests.settings.helpers import BUILTINS, flat, write_user_algorithm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("argv, env, changes", [
    (["ppo_clip", "--num-envs", "4096", "--learning-rate", "0.01", "--policy-hidden", "8", "8"],
     "inverted_pendulum", dict(num_envs=4096, learning_rate=0.01, policy_hidden=(8, 8))),
    (["ppo_clip", "--env", "inverted_double_pendulum"], "inverted_double_pendulum", {}),
    (["ppo_clip", "--env", "inverted_double_pendulum", "--num-envs", "64"],
     "inverted_double_pendulum", dict(num_envs=64)),
    (["vmpo", "--top-k-fraction", "0.25"], "inverted_pendulum", dict(top_k_fraction=0.25)),
    (["ppo_clip", "--normalize-advantages", "False", "--normalize-observations", "False"],
     "inverted_pendulum", dict(normalize_advantages=False, normalize_observations=False)),
    (["ppo_clip", "--num-envs=256", "--target-kl", "inf", "--run-dir", "runs/a"],
     "inverted_pendulum", dict(num_envs=256, target_kl=math.inf, run_dir="runs/a")),
    (["mpo", "--target-update", "periodic", "--replay-capacity", "64", "--warmup-steps", "0"],
     "inverted_pendulum", dict(target_update="periodic", replay_capacity=64, warmup_steps=0)),
    (["trpo", "--max-kl", "0.05", "--cg-iters", "3", "--seed", "2"], "inverted_pendulum",
     dict(max_kl=0.05, cg_iters=3, seed=2)),
    (["reinforce"], "inverted_pendulum", {}),
])
def test_flags_override_presets(argv, env, changes):
  settings = cli.parse_train(argv)
  assert settings.algo.name == argv[0]
  assert flat(settings) == {**flat(preset(argv[0], env)), **changes}


def test_env_picks_its_preset():
  settings = cli.parse_train(["ppo_clip", "--env", "inverted_double_pendulum"])
  assert (settings.run.num_envs, settings.hparams.reward_scaling) == (128, 0.1)


def test_config_file_then_flags(tmp_path):
  path = str(tmp_path / "settings.json")
  saved = preset("ppo_clip", num_envs=128, clip_epsilon=0.3, epochs=2, seed=5)
  save(saved, path)
  assert cli.parse_train(["ppo_clip", "--config", path]) == saved
  settings = cli.parse_train(["ppo_clip", "--config", path, "--seed", "7", "--epochs", "3"])
  assert flat(settings) == {**flat(saved), "seed": 7, "epochs": 3}
  # --env with a settings file changes the env only; the file's other values stay
  assert flat(cli.parse_train(["ppo_clip", "--config", path, "--env", "reacher"])) == \
      {**flat(saved), "env": "reacher"}


def test_config_of_a_file_algorithm(tmp_path, monkeypatch):
  """``pgkit train file.py:name --config settings.json`` finds the same algorithm again."""
  monkeypatch.chdir(tmp_path)
  write_user_algorithm(tmp_path / "algos" / "cli_user_algo.py")
  ref = "algos/cli_user_algo.py:clip_twice"
  path = str(tmp_path / "settings.json")
  save(cli.parse_train([ref, "--twice-coef", "4"]), path)
  settings = cli.parse_train([ref, "--config", path, "--seed", "1"])
  assert (settings.hparams.twice_coef, settings.run.seed, settings.run.num_envs) == (4.0, 1, 32)


@pytest.mark.parametrize("argv, flag", [
    (["ppo_clip", "--num-envs", "abc"], "--num-envs"),
    (["ppo_clip", "--normalize-advantages", "maybe"], "--normalize-advantages"),
    (["ppo_clip", "--env", "inverted_pendulum", "--backend"], "--backend"),
])
def test_unparseable_values_exit_2(argv, flag, capsys):
  with pytest.raises(SystemExit) as e:
    cli.parse_train(argv)
  assert e.value.code == 2
  assert flag in capsys.readouterr().err


@pytest.mark.parametrize("argv, fragments", [
    (["train", "ppo_clip", "--replay-capacity", "10"],
     ["--replay-capacity is not a setting of ppo_clip (it belongs to mpo)"]),
    (["train", "a2c", "--top-k-fraction", "0.5"], ["--top-k-fraction", "a2c", "vmpo"]),
    (["train", "ppo_clip", "--learning-rat", "1e30"],
     ["unknown flag --learning-rat for ppo_clip", "did you mean --learning-rate?"]),
    (["train", "ppo_clip", "--num-env", "8"], ["did you mean --num-envs?"]),
    (["train", "ppo_clip", "--clip-epsilon", "-0.2"],
     ["ppo_clip: clip_epsilon must be a finite number > 0, got -0.2"]),
    (["train", "ppo_clip", "--minibatches", "65"], ["minibatches must be <= num_envs · unrolls"]),
    (["train", "mpo", "--replay-capacity", "4"], ["mpo: replay_capacity must be >= "]),
    (["train", "ppo_clip", "--env", "moon_lander"], ["ppo_clip: env must be one of ant, "]),
    (["train", "sarsa_max"], ["algo must be one of ['a2c', "]),
    (["train"], ["ALGO is required"]),
    (["train", "ppo_clip", "--config", "/nonexistent/settings.json"],
     ["settings file '/nonexistent/settings.json' cannot be read"]),
    (["frobnicate"], ["unknown command 'frobnicate'"]),
])
def test_main_refuses(argv, fragments, capsys, no_training):
  assert cli.main(argv) == 2
  err = capsys.readouterr().err
  assert err.startswith("pgkit: error: ")
  for fragment in fragments:
    assert fragment in err


def test_config_of_another_algorithm_is_refused(tmp_path, capsys, no_training):
  path = str(tmp_path / "settings.json")
  save(preset("a2c"), path)
  assert cli.main(["train", "ppo_clip", "--config", path]) == 2
  assert f"config: {path!r} holds settings of a2c, not ppo_clip" in capsys.readouterr().err


def test_train_help_lists_algorithms(capsys):
  with pytest.raises(SystemExit) as e:
    cli.parse_train(["--help"])
  assert e.value.code == 0
  out = capsys.readouterr().out
  for name in BUILTINS:
    assert f"  {name} " in out


def _python(*args):
  env = {**os.environ, "PYTHONPATH": ROOT, "COLUMNS": "200"}
  return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                        cwd=ROOT, timeout=120)


def test_algorithm_help_shows_only_its_flags():
  done = _python("-m", "pgkit.cli", "train", "trpo", "--help")
  assert done.returncode == 0, done.stderr
  text = done.stdout + done.stderr
  for flag in ("--max-kl", "--cg-iters", "--linesearch-steps", "--num-envs", "--config"):
    assert flag in text
  for other in ("replay", "retrace", "target-update", "top-k", "--clip-epsilon"):
    assert other not in text.lower()
  env_help = text[text.index("--env"):text.index("--backend")]
  assert "number" not in env_help, env_help  # a free-text field has no numeric range


def test_sweep_help_shows_its_flags_then_the_algorithms():
  done = _python("-m", "pgkit.cli", "sweep", "ppo_clip", "--help")
  assert done.returncode == 0, done.stderr
  text = done.stdout + done.stderr
  assert text.startswith("usage: pgkit sweep ALGO")
  for flag in ("--seeds K", "--grid NAME=v1,v2", "--bootstrap-reps N", "--clip-epsilon"):
    assert flag in text


def test_help_imports_no_brax():
  done = _python("-c", "from pgkit import cli\n"
                       "try:\n  cli.parse_train(['trpo', '--help'])\nexcept SystemExit:\n  pass\n"
                       "import sys\nprint(sorted(m for m in ('brax', 'distrax', 'flax', "
                       "'orbax.checkpoint') if m in sys.modules))")
  assert done.returncode == 0, done.stderr
  assert done.stdout.strip().splitlines()[-1] == "[]"
