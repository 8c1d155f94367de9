"""A tiny run trained into a run folder, then looked at the way a user would: its progress lines,
its logs (JSONL, CSV and TensorBoard agree), ``pgkit eval``, ``render``, ``plot`` and ``list``.
The run trains gymnax's CartPole (the cheapest env to compile); ``render`` draws Brax envs, so its
test trains one iteration of inverted_pendulum into a folder of its own.
(GIF and MP4 rendering need an offscreen OpenGL context chosen when MuJoCo is first imported;
they are not tested here.)"""
import base64
import csv
import json
import re
import struct
import zlib

import numpy as np
import pytest

from pgkit import cli
from pgkit.settings.errors import InputError
from pgkit.tools import evaluate, plot, render
from pgkit.training import run
from tests.training.test_vmap import TINY

# 20 iterations of 4 envs × 8 steps in two reports (so progress lines fill in between them),
# episodes of at most 50 steps (so every report has finished episodes).
ITERATIONS = 20
PROGRESS = re.compile(r"^progress +(\d+\.\d)%  env_steps (\d+)/640  steps/s (\d+)  "
                      r"eta (\d+:\d\d:\d\d)  return (-?\d+\.\d\d)$")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
  folder = tmp_path_factory.mktemp("runs") / "tiny"
  settings = TINY.replace(num_timesteps=ITERATIONS * 32, num_chunks=2, eval_envs=4, seed=2,
                          run_dir=str(folder))
  lines = []
  result = run(settings, print_fn=lines.append)
  return folder, settings, result, lines


@pytest.fixture(scope="module")
def evaluated(trained):
  """Seed 3 of the same settings, evaluated at every report: another member of the group for
  ``plot`` (``eval_at_reports`` is an output setting, and the compiled functions are shared)."""
  folder, settings = trained[0].parent / "tiny-seed3", trained[1]
  lines = []
  result = run(settings.replace(seed=3, run_dir=str(folder), eval_at_reports=True),
               print_fn=lines.append)
  return folder, result, lines


def test_plain_progress_lines_every_tenth(trained):
  _, _, result, lines = trained
  found = [PROGRESS.match(line) for line in lines if line.startswith("progress")]
  assert all(found), lines
  percent = [float(m.group(1)) for m in found]
  # one line at each tenth of the 20 iterations (2, 4, ..., 18, 20), reports at 10 and 20 also
  assert percent == [10.0 * k for k in range(1, 11)]
  assert [int(m.group(2)) for m in found] == [64 * k for k in range(1, 11)]
  assert all(int(m.group(3)) > 0 for m in found[1:]) and found[-1].group(4) == "0:00:00"
  reports = [line for line in lines if line.startswith("iter")]
  assert len(reports) == 2 and reports[0].endswith("50%  eta " + reports[0].split("eta ")[1])
  assert lines[-1] == result.final_line()


def test_logs_agree(trained):
  folder, _, result, _ = trained
  rows = [json.loads(r) for r in (folder / "metrics.jsonl").read_text().splitlines()]
  assert [(r["iteration"], r["env_steps"]) for r in rows] == [(10, 320), (20, 640)]
  for name in ("kl", "entropy", "loss", "policy_grad_norm", "critic_grad_norm", "steps_per_s",
               "episode_return", "wall_s"):
    assert all(np.isfinite(r[name]) for r in rows), name
  with open(folder / "metrics.csv") as f:
    table = list(csv.DictReader(f))
  assert [float(t["kl"]) for t in table] == [r["kl"] for r in rows]
  assert json.loads((folder / "result.json").read_text()) == result.to_dict()


def test_tensorboard_holds_the_jsonl_values(trained):
  from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
  folder, _, _, _ = trained
  rows = [json.loads(r) for r in (folder / "metrics.jsonl").read_text().splitlines()]
  events = EventAccumulator(str(folder))
  events.Reload()
  for name in ("kl", "episode_return", "value_loss"):
    scalars = events.Scalars(name)
    assert [s.step for s in scalars] == [r["env_steps"] for r in rows]
    np.testing.assert_allclose([s.value for s in scalars], [r[name] for r in rows], rtol=1e-6)
  assert "iteration" not in events.Tags()["scalars"]


def test_eval_reproduces_the_final_evaluation(trained, capsys):
  folder, settings, result, _ = trained
  # The run's own evaluation key and episode count on the last checkpoint: the same episodes.
  out = evaluate.evaluate(str(folder))
  assert (out["iteration"], out["env_steps"], out["episodes"]) == (20, 640, 4)
  np.testing.assert_allclose(out["returns"].mean(), result.eval_return, rtol=1e-5)
  # CartPole pays 1 per step alive: each return is its episode's length (≤ 50 steps)
  sampled = evaluate.evaluate(str(folder), episodes=6, stochastic=True, checkpoint=10)
  np.testing.assert_array_equal(sampled["returns"], sampled["lengths"])
  assert sampled["returns"].shape == (6,) and np.all((1 <= sampled["lengths"]) &
                                                      (sampled["lengths"] <= 50))
  assert cli.main(["eval", str(folder), "--episodes", "4"]) == 0
  line = capsys.readouterr().out.strip()
  assert line.startswith(f"eval: run={folder} checkpoint=20 env_steps=640 policy=deterministic "
                         f"episodes=4 return={result.eval_return:.2f} ± ")
  with pytest.raises(InputError, match=r"checkpoint must be one of the iterations saved in "
                                       r".*, \[10, 20\]; got 5$"):
    evaluate.evaluate(str(folder), checkpoint=5)


def _viewer_json(page: str) -> dict:
  """The system and trajectory Brax's viewer page carries (base64 of zlib of JSON)."""
  encoded = re.search(r'var system = "([A-Za-z0-9+/=]+)";', page).group(1)
  return json.loads(zlib.decompress(base64.b64decode(encoded)))


def test_render_html_holds_the_episode(trained, tmp_path):
  with pytest.raises(InputError, match=r"render: env 'gymnax/CartPole-v1' has no Brax system"):
    render.render(str(trained[0]), str(tmp_path / "cartpole.html"))
  folder = tmp_path / "brax"
  run(TINY.replace(env="inverted_pendulum", backend="spring", num_timesteps=32, eval_envs=1,
                   run_dir=str(folder)), print_fn=lambda line: None)
  out = tmp_path / "episode.html"
  frames, episode_return = render.render(str(folder), str(out), steps=30)
  page = out.read_text()
  assert page.lstrip().lower().startswith("<!doctype html") and "</html>" in page
  system = _viewer_json(page)
  positions = np.array([x["pos"] for x in system["states"]["x"]])
  # the reset state and one per step; the deterministic policy of a 32-step run falls within
  # the 30 steps or survives them (return = steps alive)
  assert positions.shape[0] == frames == int(episode_return) + 1 and 2 <= frames <= 31
  assert positions.shape[1:] == (2, 3) and np.ptp(positions, axis=0).max() > 0  # cart and pole


def test_evaluations_at_reports_are_the_checkpoints_evaluations(trained, evaluated):
  folder, result, lines = evaluated
  rows = [json.loads(r) for r in (folder / "metrics.jsonl").read_text().splitlines()]
  assert [r["iteration"] for r in rows] == [10, 20]
  # the run's evaluation key and episodes on each report's state: what ``pgkit eval`` computes
  # from that report's checkpoint; the last report's is the final evaluation itself
  at_10 = evaluate.evaluate(str(folder), checkpoint=10)["returns"].mean()
  np.testing.assert_allclose(rows[0]["eval_return"], at_10, rtol=1e-5)
  assert rows[1]["eval_return"] == result.eval_return
  reports = [line for line in lines if line.startswith("iter")]
  assert [f"eval {r['eval_return']:8.2f}  kl " in line for r, line in zip(rows, reports)] == [
      True, True]
  with open(folder / "metrics.csv") as f:
    assert [float(t["eval_return"]) for t in csv.DictReader(f)] == [r["eval_return"]
                                                                    for r in rows]
  # without the setting (seed 2) no report evaluates
  assert not any("eval_return" in json.loads(r)
                 for r in (trained[0] / "metrics.jsonl").read_text().splitlines())


def test_plot_draws_seed_bands(trained, evaluated, tmp_path, capsys):
  folder = trained[0]
  runs = [str(folder), str(folder.parent / "tiny-seed3")]
  out = tmp_path / "curves.png"
  assert cli.main(["plot", *runs, "--metrics", "kl,entropy", "--out", str(out)]) == 0
  assert capsys.readouterr().out.strip() == f"plot: wrote {out} (1 groups of runs, 2 runs)"
  header = out.read_bytes()[:24]
  assert header[:8] == b"\x89PNG\r\n\x1a\n"
  assert struct.unpack(">II", header[16:24]) == (900, 700)  # plot.SIZE at plot.DPI
  (group,) = plot._groups(runs)
  xs, mean, std = group.curve("env_steps", "kl")
  kls = [[json.loads(r)["kl"] for r in (folder.parent / name / "metrics.jsonl").read_text()
          .splitlines()] for name in ("tiny", "tiny-seed3")]
  np.testing.assert_array_equal(xs, [320, 640])
  np.testing.assert_allclose(mean, np.mean(kls, axis=0))
  np.testing.assert_allclose(std, np.std(kls, axis=0))
  # only seed 3 evaluated at its reports: the dashed curve is its evaluations alone
  evals = [json.loads(r)["eval_return"]
           for r in (evaluated[0] / "metrics.jsonl").read_text().splitlines()]
  np.testing.assert_allclose(group.curve("env_steps", "eval_return")[1:], [evals, [0, 0]])


def test_plot_labels_name_what_differs_between_runs_of_one_algorithm(tmp_path):
  from pgkit import preset
  from pgkit.settings import resolved
  base = preset("ppo_clip", "inverted_pendulum")
  lr = base.hparams.learning_rate
  runs = {"a": base, "b": base.replace(learning_rate=2 * lr),
          "c": preset("trpo", "inverted_pendulum"), "d": base.replace(seed=4)}
  for name, settings in runs.items():
    (tmp_path / name).mkdir()
    resolved.save(settings, str(tmp_path / name / "settings.json"))
    (tmp_path / name / "metrics.jsonl").write_text('{"env_steps": 1, "kl": 0.1}\n')
  groups = plot._groups([str(tmp_path / name) for name in runs])
  # a and d differ only in the seed: one group; trpo differs from ppo_clip in most fields
  assert [(g.label, len(g.runs)) for g in groups] == [
      (f"ppo_clip inverted_pendulum learning_rate={lr}", 2),
      (f"ppo_clip inverted_pendulum learning_rate={2 * lr}", 1), ("trpo inverted_pendulum", 1)]


def test_list_shows_builtin_and_user_algorithms(capsys):
  assert cli.main(["list", "examples/custom_assembly.py"]) == 0
  out = capsys.readouterr().out
  assert re.search(r"^  ppo_clip +on_policy +PPO", out, re.M)
  assert re.search(r"^  clip_kl +on_policy +PPO-clip plus a fixed KL penalty", out, re.M)
  assert re.search(r"^  mpo +off_policy ", out, re.M)
  assert ("presets: gymnax/CartPole-v1, inverted_double_pendulum, inverted_pendulum, "
          "playground/CartpoleBalance, reacher") in out
  assert ("presets: ant, gymnax/CartPole-v1, halfcheetah, hopper, humanoid, "
          "inverted_double_pendulum, inverted_pendulum, playground/CartpoleBalance, reacher, "
          "walker2d") in out  # ppo_clip's
