"""``pgkit bench algorithms``'s table: the final return's mean ± sample std over seeds."""
import numpy as np

from pgkit.bench import algorithms
from pgkit.settings import preset


def test_the_table_gives_the_final_return_mean_and_sample_std(monkeypatch, tmp_path):
  settings = preset("reinforce", "inverted_pendulum")

  def curve(algo, env, seeds):  # evaluated at 0 and 100 steps; seeds end at 2, 4 and 9
    returns = np.array([[1.0, 1.0, 1.0], [2.0, 4.0, 9.0]])
    return np.array([0, 100]), returns[:, :seeds], 12.3, settings

  monkeypatch.setattr(algorithms, "curve", curve)
  rows = []
  algorithms.benchmark(["inverted_pendulum"], ["reinforce"], 3, str(tmp_path), rows.append)
  # mean (2 + 4 + 9) / 3 = 5; squares of deviations 9 + 1 + 16 = 26, ddof 1: sqrt(26 / 2) = 3.61
  assert rows == [f"| inverted_pendulum | reinforce | {settings.run.backend} | 100 | 5.0 ± 3.6 | "
                  "1.0 | 12 |"]
  rows.clear()
  algorithms.benchmark(["inverted_pendulum"], ["reinforce"], 1, str(tmp_path), rows.append)
  assert " | 2.0 ± 0.0 | " in rows[0]  # one seed: no spread, not NaN
  assert (tmp_path / "algorithms.png").stat().st_size > 0
