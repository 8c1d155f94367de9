"""The ppo-vs-brax report: matched steps, mean ± std over seeds, the JSON record and the PNG."""
import sys

import numpy as np
import pytest

from pgkit import cli
from pgkit.bench import curves, ppo_vs_brax
from pgkit.bench.runs import Curve, RunStats
from pgkit.settings.errors import InputError
from pgkit.tools.plot import pyplot


def _run(trainer, seed, steps, returns):
  return RunStats(trainer, seed, 9.5, 100.0, 1234.5, 2048.0,
                  Curve(list(steps), list(returns), [1.0 * i for i in range(len(steps))]))


# Brax evaluated at 0, 10, 20 and 30 steps, pgkit at 0, 10, 20 (seed 1 also at 25): every run
# of both was evaluated at 0, 10 and 20 only.
RESULTS = {
    "brax": [_run("brax", 0, [0, 10, 20, 30], [1.0, 3.0, 5.0, 7.0]),
             _run("brax", 1, [0, 10, 20, 30], [3.0, 5.0, 9.0, 7.0])],
    "pgkit": [_run("pgkit", 0, [0, 10, 20], [2.0, 2.0, 6.0]),
              _run("pgkit", 1, [0, 10, 20, 25], [2.0, 8.0, 6.0, 4.0])],
}


def test_matched_steps_and_mean_std():
  steps = curves.matched_steps(RESULTS)
  assert steps == [0, 10, 20]
  mean, std = curves.mean_std(RESULTS["brax"], steps)
  # Two seeds a, b: mean (a + b) / 2, sample std (ddof 1)
  # sqrt(2 ((a − b) / 2)² / (2 − 1)) = |a − b| / √2.
  # Brax at 0: (1 + 3) / 2 = 2 ± 2/√2; at 10: 4 ± 2/√2; at 20: 7 ± 4/√2.
  r2 = np.sqrt(2.0)
  np.testing.assert_allclose(mean, [2.0, 4.0, 7.0])
  np.testing.assert_allclose(std, [2 / r2, 2 / r2, 4 / r2])
  mean, std = curves.mean_std(RESULTS["pgkit"], steps)
  np.testing.assert_allclose(mean, [2.0, 5.0, 6.0])
  np.testing.assert_allclose(std, [0.0, 6 / r2, 0.0])
  # One run: std 0 (no spread to estimate), not NaN.
  mean, std = curves.mean_std(RESULTS["pgkit"][:1], steps)
  np.testing.assert_allclose(mean, [2.0, 2.0, 6.0])
  np.testing.assert_allclose(std, [0.0, 0.0, 0.0])


def test_matched_table_prints_seeds_and_mean_std():
  lines = []
  ppo_vs_brax._matched_table(RESULTS, lines.append)
  assert lines[0].startswith("\neval return at matched env steps")
  assert lines[1:] == [
      "          0: brax 1/3 (2 ± 1)   pgkit 2/2 (2 ± 0)",  # 2/√2 = 1.41
      "         10: brax 3/5 (4 ± 1)   pgkit 2/8 (5 ± 4)",  # 6/√2 = 4.24
      "         20: brax 5/9 (7 ± 3)   pgkit 6/6 (6 ± 0)"]  # 4/√2 = 2.83


def test_save_load_roundtrip(tmp_path):
  path = str(tmp_path / "sub" / "ppo-vs-brax-x.json")
  curves.save(RESULTS, path, env="x", ratios={"steps_per_s": 1.25})
  assert curves.load(path) == RESULTS


def test_draw_bands_are_mean_and_std(tmp_path):
  plt = pyplot("test")
  axes = []

  class Recording:  # matplotlib's pyplot, remembering the axes draw() used
    def subplots(self, *a, **k):
      fig, ax = plt.subplots(*a, **k)
      axes.append(ax)
      return fig, ax

    def close(self, fig):
      plt.close(fig)

  path = tmp_path / "curve.png"
  curves.draw(RESULTS, "x", str(path), Recording())
  assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
  (ax,) = axes
  assert [line.get_label() for line in ax.lines] == ["brax (2 seeds)", "pgkit (2 seeds)"]
  np.testing.assert_allclose(ax.lines[1].get_xydata(), [[0, 2.0], [10, 5.0], [20, 6.0]])
  band = ax.collections[1].get_paths()[0].vertices  # pgkit: 2 ± 0, 5 ± 6/√2, 6 ± 0
  spread = 6 / np.sqrt(2)
  np.testing.assert_allclose([band[:, 1].min(), band[:, 1].max()], [5 - spread, 5 + spread])


def test_out_without_matplotlib_names_the_extra(monkeypatch, capsys):
  monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
  for name in ("run_brax", "run_pgkit"):  # compare must refuse before either trains
    monkeypatch.setattr(ppo_vs_brax.runs, name, lambda *a, **k: pytest.fail("trained"))
  assert cli.main(["bench", "ppo-vs-brax", "--out", "somewhere"]) == 2
  assert capsys.readouterr().err == (
      "pgkit: error: pgkit bench ppo-vs-brax --out needs matplotlib: pip install 'pgkit[plot]'\n")


def test_change_runs_pgkits_side_with_it_and_a_bad_one_is_refused_before_training(
    monkeypatch, capsys):
  seen = []
  monkeypatch.setattr(ppo_vs_brax.runs, "run_brax", lambda *a, **k: RESULTS["brax"][0])
  monkeypatch.setattr(ppo_vs_brax.runs, "run_pgkit",
                      lambda s, seed, **k: seen.append(s) or RESULTS["pgkit"][0])
  monkeypatch.setattr(ppo_vs_brax.timing, "raw_env_steps_per_s", lambda env, n: 1e5)
  monkeypatch.setattr(ppo_vs_brax, "make_env", lambda env, backend: None)
  assert cli.main(["bench", "ppo-vs-brax", "--seeds", "1",
                   "--change", "critic_matmul=bfloat16,clip_epsilon=0.2"]) == 0
  (s,) = seen
  assert (s.run.critic_matmul, s.hparams.clip_epsilon) == ("bfloat16", 0.2)
  assert s.run.num_envs == 2048  # the rest stays Brax's published inverted_pendulum settings
  assert "pgkit with critic_matmul=bfloat16,clip_epsilon=0.2" in capsys.readouterr().out
  seen.clear()
  assert cli.main(["bench", "ppo-vs-brax", "--change", "critic_matmul=fp8"]) == 2
  assert not seen
  err = capsys.readouterr().err
  assert "critic_matmul" in err and "fp8" in err and "float32, bfloat16" in err


def test_change_from_python_names_an_unknown_setting():
  with pytest.raises(InputError, match="bogus is not a setting of ppo_clip"):
    ppo_vs_brax.compare("inverted_pendulum", "positional", 1000, 1, None, change="bogus=1")
