"""pgkit.random.permutations: every row a permutation, rows independent and uniform."""
import collections
import itertools

import jax
import numpy as np
import scipy.stats

from pgkit.random import permutations


def test_every_row_is_a_permutation_and_rows_differ():
  p = np.asarray(permutations(jax.random.PRNGKey(0), 4, 1000))
  assert p.shape == (4, 1000) and p.dtype == np.int32
  for row in p:
    np.testing.assert_array_equal(np.sort(row), np.arange(1000))
  assert len({tuple(r) for r in p}) == 4


def test_all_orders_equally_likely():
  """60,000 permutations of 3 items: each of the 3! = 6 orders is expected 10,000 times; a
  chi-square test against the uniform distribution (5 degrees of freedom) must not reject."""
  p = np.asarray(permutations(jax.random.PRNGKey(1), 60_000, 3))
  counts = collections.Counter(map(tuple, p))
  assert set(counts) == set(itertools.permutations(range(3)))
  assert scipy.stats.chisquare(list(counts.values())).pvalue > 1e-3


def test_each_item_lands_in_each_position_equally_often():
  """20,000 permutations of 8: position × item counts, each expected 2,500."""
  p = np.asarray(permutations(jax.random.PRNGKey(2), 20_000, 8))
  table = np.stack([np.bincount(p[:, j], minlength=8) for j in range(8)])
  assert scipy.stats.chisquare(table.ravel()).pvalue > 1e-3
  assert np.abs(table - 2500).max() < 250  # about 5 standard deviations (√(2500·7/8) ≈ 47)
