"""Data parallel, a population over devices, two processes, and ``pgkit sweep``'s folder.

Each check runs the tiny config (``tiny.py``) in subprocesses: one with 4 CPU devices
(``devices_script.py``: one-device references, a data-parallel run, ``pgkit sweep`` over 4
devices) and two ``jax.distributed`` processes (``distributed_script.py``). The references are
computed independently: runs trained alone on one device, numpy/scipy, rliable.
"""
import csv
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import scipy.stats

from tests.scale import tiny

# rliable passes arch a random_state, which arch deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:random_state is deprecated:FutureWarning")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))


def _start(script: str, *args, devices: int = 1) -> subprocess.Popen:
  env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
             XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
  return subprocess.Popen([sys.executable, os.path.join(HERE, script), *map(str, args)],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)


def _finish(proc: subprocess.Popen, timeout: float = 600) -> str:
  out, _ = proc.communicate(timeout=timeout)
  assert proc.returncode == 0, out[-4000:]
  return out


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("localhost", 0))
    return s.getsockname()[1]


def _rows(sweep_dir) -> list[dict]:
  with open(os.path.join(sweep_dir, "metrics.jsonl")) as f:
    return [json.loads(line) for line in f]


def test_four_devices(tmp_path):
  """One subprocess with 4 CPU devices, checked in full here (a fixture shared by two tests
  could run once per xdist worker): the data-parallel run and the sweep spread over the
  devices against runs trained alone on one device, and the sweep's summary against rliable."""
  log = _finish(_start("devices_script.py", tmp_path, devices=4))
  _check_against_one_device(tmp_path, log)
  _check_summary(tmp_path / "sweep")


def _check_against_one_device(out, log):
  ref = np.load(out / "reference.npz")
  np.testing.assert_allclose(np.load(out / "sharded.npz")["params"], ref["params_0"],
                             rtol=1e-5, atol=1e-6)
  rows = _rows(out / "sweep")
  runs = tiny.SEEDS * len(tiny.LEARNING_RATES)
  assert sorted({r["run"] for r in rows}) == list(range(runs))
  for run in range(runs):
    mine = [r for r in rows if r["run"] == run]
    assert mine[0]["seed"] == run % tiny.SEEDS
    assert mine[0]["learning_rate"] == tiny.LEARNING_RATES[run // tiny.SEEDS]
    episodes = ref[f"episodes_{run}"].sum(axis=1)
    returns = ref[f"episode_return_sum_{run}"].sum(axis=1)
    for chunk, row in enumerate(mine):
      np.testing.assert_allclose(row["kl"], ref[f"kl_{run}"][chunk].mean(), rtol=1e-3, atol=1e-6)
      if episodes[chunk]:
        np.testing.assert_allclose(row["episode_return"], returns[chunk] / episodes[chunk],
                                   rtol=1e-4)
  assert "on 4 device(s)" in log and "compiled once" in log and f"runs done {runs}/{runs}" in log


def _check_summary(sweep):
  from rliable import library, metrics
  with open(sweep / "results.csv") as f:
    results = list(csv.DictReader(f))
  with open(sweep / "summary.csv") as f:
    summary = {r["point"]: r for r in csv.DictReader(f)}
  scores = {}
  for lr in tiny.LEARNING_RATES:
    label = f"learning_rate={lr:g}"
    scores[label] = np.array([float(r["eval_return"]) for r in results
                              if float(r["learning_rate"]) == lr])
    assert len(scores[label]) == tiny.SEEDS
  aggregate = lambda x: np.array([metrics.aggregate_mean(x), np.median(x),
                                  metrics.aggregate_iqm(x)])
  points, intervals = library.get_interval_estimates(
      {k: v.reshape(-1, 1) for k, v in scores.items()}, aggregate, reps=2000,
      random_state=np.random.RandomState(0))
  for label, x in scores.items():
    row = {k: float(v) for k, v in summary[label].items() if k != "point"}
    expected = [np.mean(x), np.median(x), scipy.stats.trim_mean(x, 0.25)]
    np.testing.assert_allclose([row["mean"], row["median"], row["iqm"]], expected, rtol=1e-6)
    np.testing.assert_allclose(points[label], expected, rtol=1e-6)
    for i, name in enumerate(("mean", "median", "iqm")):
      np.testing.assert_allclose([row[f"{name}_low"], row[f"{name}_high"]], intervals[label][:, i],
                                 rtol=1e-6)
  assert (sweep / "returns.png").stat().st_size > 10_000
  assert os.path.exists(sweep / "settings.json") and os.path.exists(sweep / "metrics.csv")


def test_two_processes_train_together(tmp_path):
  port = _free_port()
  procs = [_start("distributed_script.py", tmp_path, port, i) for i in range(2)]
  logs = [_finish(p) for p in procs]
  p0, p1 = (np.load(tmp_path / f"params_{i}.npz") for i in range(2))
  np.testing.assert_array_equal(p0["first"], p1["first"])
  np.testing.assert_array_equal(p0["first"], p0["again"])  # resumed at the end: unchanged
  np.testing.assert_array_equal(p0["eval_return"], p1["eval_return"])
  with open(tmp_path / "run" / "metrics.jsonl") as f:
    rows = [json.loads(line) for line in f]
  assert [r["iteration"] for r in rows] == [1, 2, 3]  # written once, by process 0
  assert "final:" in logs[0] and "final:" not in logs[1]
