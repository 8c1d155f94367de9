import re

from pgkit import cli

FINAL = re.compile(r"^final: algo=ppo_clip env=inverted_pendulum eval_return=(-?[\d.]+) "
                   r"env_steps=(\d+) wall_s=([\d.]+) steps_per_s=([\d.]+)$")


def test_train_prints_final_line(capsys, tmp_path):
  code = cli.main(["train", "ppo_clip", "--env", "inverted_pendulum", "--backend", "spring",
                   "--num-timesteps", "1024", "--num-envs", "8", "--unroll-length", "32",
                   "--minibatches", "2", "--critic-minibatches", "2", "--episode-length", "50",
                   "--num-chunks", "2", "--log-dir", str(tmp_path)])
  assert code == 0
  lines = capsys.readouterr().out.strip().splitlines()
  match = FINAL.match(lines[-1])
  assert match, lines[-1]
  assert int(match.group(2)) == 1024 and 0 < float(match.group(1)) <= 50
  assert len(lines) == 3  # two progress lines, one final line
  assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 2
