"""The robustness table's summary and layout (the training behind it is tests/algorithms/
test_learning.py's), and the seed keys it shares with ``pgkit train --seed``."""
import jax
import jax.numpy as jnp
import numpy as np

from pgkit.bench.robustness import Row, table
from pgkit.training import loop


def test_row_summary():
  # Threshold 900: 1000, 950 and 900 reach it (>=), 899.5 and 120 do not → 3 solved;
  # sorted [120, 899.5, 900, 950, 1000] → median 900, worst 120.
  row = Row("ppo_clip", [1000.0, 120.0, 900.0, 899.5, 950.0], 900.0, 12.0)
  assert (row.solved, row.median, row.worst) == (3, 900.0, 120.0)


def test_table_layout():
  rows = [Row("a2c", [1000.0, 250.4], 900.0, 61.2), Row("mpo", [-3.5, -12.25], -10.0, 7.0)]
  lines = table("reacher", rows, 2, "pgkit bench robustness --seeds 2").splitlines()
  assert lines[0] == "### reacher: final deterministic eval return per seed (2 seeds)"
  assert lines[3] == "Command: `pgkit bench robustness --seeds 2`"
  assert lines[5] == "| algo | threshold | 0 | 1 | solved | median | worst | wall s |"
  assert lines[6] == "|---|---|---|---|---|---|---|---|"
  # median of two seeds is their mean: (1000 + 250.4) / 2 = 625.2; (−3.5 − 12.25) / 2 = −7.875
  assert lines[7] == "| a2c | 900 | 1000 | 250 | 1/2 | 625 | 250 | 61 |"
  assert lines[8] == "| mpo | -10 | -4 | -12 | 1/2 | -8 | -12 | 7 |"


def test_seed_keys_are_those_of_a_run():
  """Seed s of a population starts from ``split(PRNGKey(s))``, as ``pgkit train --seed s``."""
  keys, eval_keys = jax.vmap(loop.seed_keys)(jnp.arange(3))
  for s in range(3):
    key, eval_key = jax.random.split(jax.random.PRNGKey(s))
    np.testing.assert_array_equal(keys[s], key)
    np.testing.assert_array_equal(eval_keys[s], eval_key)
