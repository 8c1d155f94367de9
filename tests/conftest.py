"""Shared test settings: Brax's deprecation notice is filtered in pyproject.toml.

Every test process (xdist workers and the ``pgkit`` subprocesses some tests start) shares one
persistent compilation cache for the session (``pgkit.training.compile_cache``), so a program
that several tests compile (the CLI's tiny runs, restored trainers) compiles once.

A test that imports a user's algorithm (``examples/custom_assembly.py`` registers ``clip_kl``)
leaves the registry as it found it, so that the algorithm lists other tests compare against do
not depend on which tests an xdist worker ran before them.
"""
import atexit
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true")
if "PGKIT_COMPILATION_CACHE" not in os.environ:  # the controller's: inherited by the workers
  os.environ["PGKIT_COMPILATION_CACHE"] = tempfile.mkdtemp(prefix="pgkit-tests-xla-")
  atexit.register(shutil.rmtree, os.environ["PGKIT_COMPILATION_CACHE"], True)

from pgkit import gc_tuning  # noqa: E402

gc_tuning.relax()  # as the pgkit command does: fewer collections while jax imports and traces

from pgkit.training import compile_cache  # noqa: E402

compile_cache.enable()


@pytest.fixture(autouse=True)
def _registry_as_found():
  from pgkit.settings import registry
  before = dict(registry._builtins())  # the built-ins imported first: they stay
  yield
  registry._REGISTRY.clear()
  registry._REGISTRY.update(before)
