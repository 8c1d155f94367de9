"""Runs that survive: a SIGTERM stops a ``pgkit train`` with a checkpoint and the command that
resumes it, a SIGKILL during a save leaves a folder that resumes, an unreadable newest
checkpoint falls back to the previous one; every resumed run is bitwise equal to an
uninterrupted one, and so are two runs of one seed."""
import os
import shlex
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from pgkit import cli
from pgkit.settings import preset
from pgkit.training import checkpoints, run

# 24 iterations of 4 envs × 8 steps on gymnax's CartPole (the cheapest env to compile), a report
# (and checkpoint) after every one.
ENV = "gymnax/CartPole-v1"
FLAGS = dict(num_envs=4, unroll_length=8, num_timesteps=24 * 32,
             episode_length=50, epochs=2, minibatches=2, critic_epochs=1, critic_minibatches=2,
             policy_hidden=(8,), critic_hidden=(8,), num_chunks=24, seed=1)
SETTINGS = preset("ppo_clip", ENV, **FLAGS)
QUIET = lambda line: None


def _argv(folder):
  argv = [sys.executable, "-m", "pgkit.cli", "train", "ppo_clip", "--env", ENV]
  for name, value in FLAGS.items():
    argv += ["--" + name.replace("_", "-"), *map(str, value if isinstance(value, tuple) else
                                                 (value,))]
  return argv + ["--run-dir", str(folder)]


def _equal(a, b):
  for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
    np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.fixture(scope="module")
def uninterrupted():
  return run(SETTINGS, print_fn=QUIET).state


def _final_checkpoint(folder, like):
  ckpt = checkpoints.Checkpoints(str(folder / "checkpoints"))
  assert ckpt.latest() == 24
  return ckpt.restore(24, like)


def test_same_seed_is_bitwise_equal(uninterrupted):
  _equal(run(SETTINGS, print_fn=QUIET).state, uninterrupted)


def test_sigterm_saves_and_the_printed_command_resumes_exactly(tmp_path, uninterrupted, capsys):
  proc = subprocess.Popen(_argv(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
  for line in proc.stdout:  # the first progress line: training is under way
    if line.startswith("iter"):
      break
  proc.send_signal(signal.SIGTERM)
  _, err = proc.communicate(timeout=120)
  assert proc.returncode == 128 + signal.SIGTERM, err
  message = err.strip().splitlines()[-1]
  assert message.startswith("pgkit: stopped by SIGTERM at iteration "), message
  command = message.split("resume with: ")[1]
  assert command == (f"pgkit train ppo_clip --config "
                     f"{tmp_path / 'settings.json'}")
  stopped_at = int(message.split("at iteration ")[1].split(";")[0])
  assert 1 <= stopped_at < 24 and checkpoints.Checkpoints(str(tmp_path / "checkpoints")).latest() == stopped_at
  # The printed command, run here (its compiled trainer is the one ``uninterrupted`` built).
  assert cli.main(shlex.split(command)[1:]) == 0
  assert f"resumed from {tmp_path / 'checkpoints' / str(stopped_at)}" in capsys.readouterr().out
  _equal(_final_checkpoint(tmp_path, uninterrupted), uninterrupted)


def test_sigkill_during_a_save_leaves_a_folder_that_resumes(tmp_path, uninterrupted):
  proc = subprocess.Popen(_argv(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
  caught, deadline, saves = None, time.time() + 240, tmp_path / "checkpoints"
  while caught is None and proc.poll() is None and time.time() < deadline:
    names = os.listdir(saves) if saves.exists() else []
    caught = next((n for n in names if ".orbax-checkpoint-tmp" in n), None)
    if caught is None:
      time.sleep(0.001)
  proc.kill()  # SIGKILL, while orbax writes ``caught``
  proc.wait()
  assert caught, "no checkpoint save was seen in progress"
  result = run(SETTINGS.replace(run_dir=str(tmp_path)), print_fn=QUIET)
  assert not any(".orbax-checkpoint-tmp" in n for n in os.listdir(saves))
  _equal(result.state, uninterrupted)


def test_unreadable_newest_checkpoint_falls_back_to_the_previous(tmp_path, uninterrupted):
  settings = SETTINGS.replace(run_dir=str(tmp_path))
  run(settings, print_fn=QUIET)
  newest = checkpoints.Checkpoints(str(tmp_path / "checkpoints"))
  assert newest.steps() == [23, 24]
  for root, _, files in os.walk(newest.path(24)):
    for name in files:
      with open(os.path.join(root, name), "wb") as f:
        f.write(b"not a checkpoint")
  lines = []
  result = run(settings, print_fn=lines.append)
  assert any(line.startswith(f"checkpoint {newest.path(24)} cannot be read") for line in lines)
  assert f"resumed from {newest.path(23)} at iteration 23" in lines
  _equal(result.state, uninterrupted)
