"""``pgkit.gc_tuning``: the youngest generation's threshold, for the process and for a block."""
import gc

import pytest

from pgkit import cli, gc_tuning


@pytest.fixture
def threshold():
  """Runs the test from CPython's default thresholds and puts back the process's after."""
  before = gc.get_threshold()
  gc.set_threshold(700, 10, 10)
  yield
  gc.set_threshold(*before)


def test_relax_raises_only_the_youngest_generation(threshold):
  gc_tuning.relax()
  assert gc.get_threshold() == (100_000, 10, 10)


def test_relax_keeps_a_rarer_or_disabled_collection(threshold):
  gc.set_threshold(500_000, 5, 5)
  gc_tuning.relax()
  assert gc.get_threshold() == (500_000, 5, 5)
  gc.set_threshold(0, 10, 10)  # 0: automatic collection off
  gc_tuning.relax()
  assert gc.get_threshold() == (0, 10, 10)


def test_relaxed_restores_the_threshold_it_found(threshold):
  with gc_tuning.relaxed():
    assert gc.get_threshold() == (100_000, 10, 10)
  assert gc.get_threshold() == (700, 10, 10)

  @gc_tuning.relaxed()
  def inside():
    return gc.get_threshold()

  assert inside() == (100_000, 10, 10) and inside() == (100_000, 10, 10)
  assert gc.get_threshold() == (700, 10, 10)
  with pytest.raises(RuntimeError), gc_tuning.relaxed():
    raise RuntimeError("restored on the way out too")
  assert gc.get_threshold() == (700, 10, 10)


def test_the_command_relaxes_the_collector(threshold, capsys):
  assert cli.main([]) == 2  # no command: the usage, before anything is imported
  assert gc.get_threshold() == (100_000, 10, 10)
