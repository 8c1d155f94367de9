"""Fixtures of the settings tests."""
import sys
import types

import pytest


@pytest.fixture
def no_training(monkeypatch):
  """``pgkit.cli.main`` fails before training instead of training (and imports no trainer)."""
  runner = types.ModuleType("pgkit.training.runner")

  def run(settings):
    raise AssertionError(f"training started with {settings}")

  runner.run = run
  monkeypatch.setitem(sys.modules, "pgkit.training.runner", runner)
