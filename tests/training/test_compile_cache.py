"""The ``pgkit`` command's persistent compilation cache: where it lives, how it turns off, and
that a second identical run compiles nothing new (every executable comes from the cache)."""
import os
import subprocess
import sys

import pytest

from pgkit.training import compile_cache

from tests.training.test_reliability import FLAGS


@pytest.mark.parametrize("environ, expected", [
    ({"HOME": "/h"}, "/h/.cache/pgkit/jax"),
    ({"HOME": "/h", "XDG_CACHE_HOME": "/x"}, "/x/pgkit/jax"),
    ({"HOME": "/h", "JAX_COMPILATION_CACHE_DIR": "/j"}, "/j"),
    ({"HOME": "/h", "JAX_COMPILATION_CACHE_DIR": "/j", "PGKIT_COMPILATION_CACHE": "/p"}, "/p"),
    ({"HOME": "/h", "PGKIT_COMPILATION_CACHE": "/p", "XDG_CACHE_HOME": "/x"}, "/p"),
    ({"HOME": "/h", "PGKIT_COMPILATION_CACHE": "off"}, None),
    ({"HOME": "/h", "PGKIT_COMPILATION_CACHE": "0", "JAX_COMPILATION_CACHE_DIR": "/j"}, None),
])
def test_directory(environ, expected):
  assert compile_cache.directory(environ) == expected


def _train(tmp_path, run: str, cache: str) -> list[str]:
  # gymnax's CartPole: its programs compile in seconds, where a Brax env's take ~10 s each.
  argv = [sys.executable, "-m", "pgkit.cli", "train", "ppo_clip", "--env", "gymnax/CartPole-v1",
          "--run-dir", str(tmp_path / run)]
  flags = {k: v for k, v in FLAGS.items() if k != "backend"}
  for name, value in dict(flags, num_timesteps=64, num_chunks=1).items():
    argv += ["--" + name.replace("_", "-"), *map(str, value if isinstance(value, tuple) else
                                                 (value,))]
  env = dict(os.environ, PGKIT_COMPILATION_CACHE=cache)
  out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
  assert out.returncode == 0, out.stderr
  return out.stdout.splitlines()


def test_second_run_compiles_from_the_cache(tmp_path):
  cache = tmp_path / "cache"
  lines = _train(tmp_path, "first", str(cache))
  assert any(line.startswith("compiled the training unit in ") for line in lines), lines
  first = sorted(os.listdir(cache))
  assert any(name.startswith("jit_run_chunk-") for name in first), first
  _train(tmp_path, "second", str(cache))  # another run folder, the same program
  assert sorted(os.listdir(cache)) == first  # nothing compiled: no entry added

