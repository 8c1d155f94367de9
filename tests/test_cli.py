"""``pgkit train`` runs to its final line and writes settings.json beside the logs (it loads
back); flags an algorithm does not read, and bad values, exit 2 with one line naming them."""
import re

import pytest

from pgkit import cli, settings

FINAL = re.compile(r"^final: algo=(\w+) env=gymnax/CartPole-v1 eval_return=(-?[\d.]+) "
                   r"env_steps=(\d+) wall_s=([\d.]+) steps_per_s=([\d.]+)$")
TINY = ["--env", "gymnax/CartPole-v1", "--episode-length", "50",
        "--policy-hidden", "8", "--critic-hidden", "8"]


def _final(capsys):
  lines = capsys.readouterr().out.strip().splitlines()
  match = FINAL.match(lines[-1])
  assert match, lines[-1]
  return lines, match


def test_train_prints_final_line_and_writes_settings(capsys, tmp_path):
  # The settings of tests/training's TINY run: the compiled trainer and chunk are shared.
  code = cli.main(["train", "ppo_clip", *TINY, "--num-timesteps", "96", "--num-envs", "4",
                   "--unroll-length", "8", "--epochs", "2", "--minibatches", "2",
                   "--critic-epochs", "1", "--critic-minibatches", "2", "--learning-rate",
                   "3e-4", "--discount", "0.99", "--num-chunks", "3", "--run-dir",
                   str(tmp_path)])
  assert code == 0
  lines, match = _final(capsys)
  assert match.group(1) == "ppo_clip" and int(match.group(3)) == 96
  assert 0 < float(match.group(2)) <= 50
  assert lines[0] == f"run folder: {tmp_path}"
  assert len([line for line in lines if line.startswith("iter ")]) == 3  # one per report
  assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 3
  saved = settings.load(str(tmp_path / "settings.json"))
  assert saved.run.num_envs == 4 and saved.options.minibatches == 2
  assert saved.hparams.learning_rate == 3e-4
  assert saved == cli.parse_train(["ppo_clip", "--config", str(tmp_path / "settings.json")])


def test_trpo_vine_flags_reach_its_settings():
  # Parsing only: the vine trainer itself runs in tests/algorithms.
  s = cli.parse_train(["trpo_vine", *TINY, "--vine-states", "8", "--vine-actions", "2",
                       "--vine-horizon", "4", "--cg-iters", "3", "--max-kl", "0.02",
                       "--unrolls", "2"])
  assert (s.options.vine_states, s.options.vine_actions, s.options.vine_horizon) == (8, 2, 4)
  assert s.options.cg_iters == 3 and s.hparams.max_kl == 0.02 and s.run.unrolls == 2
  assert s.run.env == "gymnax/CartPole-v1" and s.run.policy_hidden == (8,)


@pytest.mark.parametrize("algo, flag, value, name", [
    ("trpo", "--max-kl", "0", "trpo: max_kl"),
    ("trpo", "--backtrack-ratio", "1.5", "trpo: backtrack_ratio"),
    ("trpo", "--epochs", "4", "--epochs is not a setting of trpo"),
    ("ppo_clip", "--replay-capacity", "10", "--replay-capacity is not a setting of ppo_clip"),
    ("mpo", "--minibatches", "2", "--minibatches is not a setting of mpo"),
    ("ppo_clip", "--learning-rat", "1e30", "did you mean --learning-rate"),
])
def test_bad_flags_are_reported(capsys, algo, flag, value, name):
  assert cli.main(["train", algo, flag, value]) == 2
  assert name in capsys.readouterr().err
