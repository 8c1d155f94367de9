"""The run folder's logs: JSONL, CSV and TensorBoard hold the same rows, a resumed run keeps
exactly the rows up to its checkpoint in all three, and W&B receives them when asked."""
import csv
import json
import sys
import types

import numpy as np

from pgkit.runs import folder as folder_lib
from pgkit.runs.loggers import Logs
from pgkit.settings import preset

SETTINGS = preset("ppo_clip")


def _row(iteration: int) -> dict:
  return {"iteration": iteration, "env_steps": 100 * iteration, "kl": 0.01 * iteration,
          "episode_return": 10.0 + iteration}


def _write(run_dir, rows, resume_at=0, settings=SETTINGS):
  logs = Logs(str(run_dir), settings, resume_at)
  for r in rows:
    logs.write(r)
  logs.close()


def _scalars(run_dir, name):
  from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
  events = EventAccumulator(str(run_dir))
  events.Reload()
  return [(s.step, s.value) for s in events.Scalars(name)]


def test_a_resumed_run_keeps_the_rows_up_to_its_checkpoint(tmp_path):
  _write(tmp_path, [_row(i) for i in (1, 2, 3, 4)])
  # resumed from the checkpoint of iteration 2: rows 3 and 4 are written again
  _write(tmp_path, [_row(i) | {"kl": 1.0} for i in (3, 4, 5)], resume_at=2)
  rows = folder_lib.read_metrics(str(tmp_path))
  assert [(r["iteration"], r["kl"]) for r in rows] == [(1, 0.01), (2, 0.02), (3, 1.0), (4, 1.0),
                                                       (5, 1.0)]
  with open(tmp_path / "metrics.csv") as f:
    table = list(csv.DictReader(f))
  assert list(table[0]) == ["iteration", "env_steps", "episode_return", "kl"]
  assert [(int(t["iteration"]), float(t["kl"])) for t in table] == \
      [(r["iteration"], r["kl"]) for r in rows]
  # TensorBoard: the second writer purged the first one's steps from 201 on
  kl = _scalars(tmp_path, "kl")
  assert [step for step, _ in kl] == [100, 200, 300, 400, 500]
  np.testing.assert_allclose([v for _, v in kl], [0.01, 0.02, 1.0, 1.0, 1.0], rtol=1e-6)
  assert _scalars(tmp_path, "episode_return")[-1] == (500, 15.0)


def test_wandb_receives_every_row(tmp_path, monkeypatch):
  calls = []

  class Run:
    def log(self, data, step):
      calls.append(("log", data, step))

    def finish(self):
      calls.append(("finish",))

  def init(**kwargs):
    calls.append(("init", kwargs))
    return Run()

  monkeypatch.setitem(sys.modules, "wandb", types.SimpleNamespace(init=init))
  settings = SETTINGS.replace(run_dir=str(tmp_path / "run-a"), wandb_project="ablations")
  (tmp_path / "run-a").mkdir()
  _write(tmp_path / "run-a", [_row(1), _row(2)], settings=settings)
  (_, init_kwargs), *logged, finish = calls
  assert init_kwargs["project"] == "ablations" and init_kwargs["id"] == "run-a"
  assert init_kwargs["config"] == settings.to_dict() and init_kwargs["resume"] == "allow"
  assert logged == [("log", {"iteration": 1, "kl": 0.01, "episode_return": 11.0}, 100),
                    ("log", {"iteration": 2, "kl": 0.02, "episode_return": 12.0}, 200)]
  assert finish == ("finish",)
  assert json.loads((tmp_path / "run-a" / "metrics.jsonl").read_text().splitlines()[0]) == _row(1)


def _strict(line: str) -> dict:
  """json.loads refusing Python's NaN/Infinity extension (RFC 8259 JSON only)."""
  def refuse(name):
    raise ValueError(f"{name} is not JSON")
  return json.loads(line, parse_constant=refuse)


def test_values_that_are_not_finite_are_null_in_the_jsonl_and_nan_when_read(tmp_path):
  # An off-policy report of warm-up only has no learner metrics: NaN (Trainer.report_means)
  warmup = {"iteration": 1, "env_steps": 100, "kl": float("nan"), "q_mean": float("inf"),
            "reward_mean": 0.5}
  _write(tmp_path, [warmup, _row(2)])
  lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
  assert _strict(lines[0]) == {"iteration": 1, "env_steps": 100, "kl": None, "q_mean": None,
                               "reward_mean": 0.5}
  assert _strict(lines[1]) == _row(2)
  first, second = folder_lib.read_metrics(str(tmp_path))
  assert np.isnan(first["kl"]) and np.isnan(first["q_mean"]) and first["reward_mean"] == 0.5
  assert second == _row(2)
  with open(tmp_path / "metrics.csv") as f:
    table = list(csv.DictReader(f))
  assert (table[0]["kl"], table[0]["q_mean"], table[1]["kl"]) == ("nan", "inf", "0.02")


def test_a_name_first_seen_after_the_first_row_gets_its_csv_column(tmp_path):
  # No episode ended in the first report (episode_return absent), nor in the fourth
  rows = [{"iteration": 1, "env_steps": 100, "kl": 0.01}, _row(2), _row(3),
          {"iteration": 4, "env_steps": 400, "kl": 0.04},
          _row(5) | {"eval_return": 7.5}, _row(6) | {"eval_return": 8.0}]
  _write(tmp_path, rows)
  with open(tmp_path / "metrics.csv") as f:
    table = list(csv.DictReader(f))
  assert list(table[0]) == ["iteration", "env_steps", "episode_return", "eval_return", "kl"]
  assert [t["episode_return"] for t in table] == ["", "12.0", "13.0", "", "15.0", "16.0"]
  assert [t["eval_return"] for t in table] == ["", "", "", "", "7.5", "8.0"]
  assert [float(t["kl"]) for t in table] == [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]
  assert not (tmp_path / "metrics.csv.tmp").exists()
  # Resumed from iteration 1's checkpoint: the table is rebuilt from the kept row
  _write(tmp_path, [_row(2)], resume_at=1)
  with open(tmp_path / "metrics.csv") as f:
    table = list(csv.DictReader(f))
  assert [dict(t) for t in table] == [
      {"iteration": "1", "env_steps": "100", "episode_return": "", "kl": "0.01"},
      {"iteration": "2", "env_steps": "200", "episode_return": "12.0", "kl": "0.02"}]
