"""Settings files: to_dict/from_dict, save/load, older files, differences, check_settings."""
import json
import math
import os
import re

import pytest

from pgkit.runs.folder import SETTINGS as SETTINGS_FILE, check_settings
from pgkit.settings import differences, from_dict, load, preset, save
from tests.settings.helpers import BUILTINS


PPO = preset("ppo_clip", policy_hidden=(8, 16), target_kl=math.inf, run_dir="runs/a", seed=3)


@pytest.mark.parametrize("algo", BUILTINS)
def test_json_round_trip(algo):
  settings = preset(algo, "inverted_pendulum", critic_hidden=(4, 5, 6), seed=9)
  data = json.loads(json.dumps(settings.to_dict()))
  assert data["algo"] == algo and data["run"]["critic_hidden"] == [4, 5, 6]
  assert from_dict(data) == settings


def test_round_trip_keeps_tuples_and_inf():
  data = json.loads(json.dumps(PPO.to_dict()))
  assert data["hparams"]["target_kl"] == data["hparams"]["value_clip_epsilon"] == math.inf
  loaded = from_dict(data)
  assert loaded.run.policy_hidden == (8, 16) and loaded.hparams.target_kl == math.inf
  assert loaded == PPO and loaded.algo is PPO.algo


def test_save_and_load(tmp_path):
  path = tmp_path / "new" / "folder" / "settings.json"
  save(PPO, str(path))
  assert os.listdir(path.parent) == ["settings.json"]  # no temporary file left
  assert json.loads(path.read_text())["run"]["seed"] == 3
  assert load(str(path)) == PPO
  save(PPO.replace(seed=4), str(path))  # overwrites
  assert load(str(path)).run.seed == 4


def _named(path) -> str:
  """The path as a settings error shows it, as a regex."""
  return re.escape(repr(str(path)))


@pytest.mark.parametrize("text, message", [
    ("{\"algo\": \"ppo_clip\", ", "is not valid JSON"),
    ("[1, 2]", "not a pgkit settings file"),
    ("{\"run\": {}}", "not a pgkit settings file"),
])
def test_bad_file_names_its_path(tmp_path, text, message):
  path = tmp_path / "settings.json"
  path.write_text(text)
  with pytest.raises(ValueError, match=f"^settings file {_named(path)}:? {message}"):
    load(str(path))


def test_missing_file(tmp_path):
  path = tmp_path / "none.json"
  with pytest.raises(ValueError, match=f"^settings file {_named(path)} cannot be read"):
    load(str(path))


def test_older_file_takes_defaults(tmp_path):
  """A field added to pgkit after a file was written takes its declared default."""
  data = PPO.to_dict()
  del data["hparams"]["learning_rate"]  # 1e-3 in the preset, 3e-4 declared
  del data["run"]["num_chunks"]
  data.pop("options")
  path = tmp_path / "old.json"
  path.write_text(json.dumps(data))
  old = load(str(path))
  assert old.hparams.learning_rate == 3e-4 and old.run.num_chunks == 10
  assert old.options == PPO.algo.options()
  assert old.hparams.clip_epsilon == PPO.hparams.clip_epsilon and old.run.seed == 3


@pytest.mark.parametrize("saved, run_dir", [({"checkpoint_dir": "c", "log_dir": "l"}, "c"),
                                            ({"log_dir": "l"}, "l")])
def test_file_from_before_run_folders_names_its_run_dir(tmp_path, saved, run_dir):
  data = PPO.to_dict()
  del data["run"]["run_dir"]
  data["run"].update(saved)
  path = tmp_path / "old.json"
  path.write_text(json.dumps(data))
  assert load(str(path)) == PPO.replace(run_dir=run_dir)


@pytest.mark.parametrize("part, cls", [
    ("run", "RunSettings"), ("options", "PPOClipOptions"), ("hparams", "PPOClipHParams")])
def test_unknown_field_is_refused(part, cls):
  data = PPO.to_dict()
  data[part]["frobnicate"] = 1
  with pytest.raises(ValueError, match=rf"^f.json: unknown fields \['frobnicate'\] for {cls}$"):
    from_dict(data, where="f.json")


def test_differences():
  changed = PPO.replace(num_envs=128, epochs=2, clip_epsilon=0.3, learning_rate=2e-3,
                        run_dir="elsewhere", wandb_project="p")
  assert differences(PPO, changed) == ["num_envs", "epochs", "clip_epsilon", "learning_rate"]
  assert differences(PPO, PPO.replace(run_dir=None, wandb_project="x")) == []
  assert differences(PPO, PPO) == []
  other = differences(preset("ppo_clip"), preset("a2c"))
  assert other[0] == "algo" and {"epochs", "minibatches", "clip_epsilon"} <= set(other)


def test_check_settings(tmp_path):
  directory = str(tmp_path / "run")
  check_settings(directory, PPO)
  path = tmp_path / "run" / SETTINGS_FILE
  assert load(str(path)) == PPO
  written = path.stat().st_mtime_ns, path.read_text()
  check_settings(directory, PPO)  # the same settings resume
  check_settings(directory, PPO.replace(run_dir="moved"))
  with pytest.raises(ValueError, match=r"holds a run with different settings "
                                       r"\['num_envs', 'learning_rate'\]"):
    check_settings(directory, PPO.replace(num_envs=128, learning_rate=0.5))
  assert (path.stat().st_mtime_ns, path.read_text()) == written


def test_check_settings_accepts_older_file(tmp_path):
  """A settings.json without a field added later resumes when the run uses its default."""
  data = PPO.to_dict()
  assert data["hparams"].pop("target_kl") == math.inf  # its declared default
  (tmp_path / SETTINGS_FILE).write_text(json.dumps(data))
  check_settings(str(tmp_path), PPO)
  with pytest.raises(ValueError, match=r"\['target_kl'\]"):
    check_settings(str(tmp_path), PPO.replace(target_kl=0.05))


def test_check_settings_refuses_checkpoints_without_settings(tmp_path):
  (tmp_path / "3").mkdir()  # a step folder of a run whose settings are unknown
  with pytest.raises(ValueError, match="holds files but no settings.json"):
    check_settings(str(tmp_path), PPO)
  assert os.listdir(tmp_path) == ["3"]
