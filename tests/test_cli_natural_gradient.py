"""``pgkit train npg|trpo|trpo_vine`` parse the new flags and print the common final line."""
import re

import pytest

from pgkit import cli

FINAL = re.compile(r"^final: algo=trpo_vine env=inverted_pendulum eval_return=(-?[\d.]+) "
                   r"env_steps=(\d+) wall_s=([\d.]+) steps_per_s=([\d.]+)$")


def test_train_trpo_vine_prints_final_line(capsys):
  code = cli.main(["train", "trpo_vine", "--env", "inverted_pendulum", "--backend", "spring",
                   "--num-timesteps", "256", "--num-envs", "4", "--unroll-length", "32",
                   "--critic-minibatches", "2", "--episode-length", "50", "--num-chunks", "1",
                   "--vine-states", "8", "--vine-actions", "2", "--vine-horizon", "4",
                   "--cg-iters", "3", "--max-kl", "0.02", "--policy-hidden", "8",
                   "--critic-hidden", "8"])
  assert code == 0
  lines = capsys.readouterr().out.strip().splitlines()
  match = FINAL.match(lines[-1])
  assert match, lines[-1]
  assert int(match.group(2)) == 256 and 0 < float(match.group(1)) <= 50


@pytest.mark.parametrize("flag, value, name", [("--max-kl", "0", "max_kl"),
                                               ("--backtrack-ratio", "1.5", "backtrack_ratio"),
                                               ("--sampling", "tree", "sampling")])
def test_bad_flags_are_reported(capsys, flag, value, name):
  assert cli.main(["train", "trpo", "--env", "inverted_pendulum", flag, value]) == 2
  assert name in capsys.readouterr().err
