"""The registry: built-ins by name, a user's algorithm by import path or file, declarations."""
import os
import sys

import pytest

import pgkit
from pgkit.algorithms import OnPolicyOptions
from pgkit.algorithms.ppo_clip import PPOClipHParams, PPOClipOptions
from pgkit.settings import Algorithm, Options, algorithm, field, from_dict, get, preset, registry
from tests.settings.helpers import BUILTINS, write_user_algorithm

MODULE = "pgkit_settings_test_user_algos"  # a module name nothing else uses


def build(run, options, hp):
  """A build that is never called."""
  raise AssertionError("built")


@pytest.mark.parametrize("name", BUILTINS)
def test_builtins_found_by_name(name):
  algo = get(name)
  assert isinstance(algo, Algorithm) and algo.name == name
  assert algo is getattr(pgkit.algorithms, name) and get(algo) is algo
  assert algo.ref.startswith("pgkit.algorithms.") and get(algo.ref) is algo
  assert algo.options.trainer == ("off_policy" if name == "mpo" else "on_policy")
  assert algo.summary and "\n" not in algo.summary


def test_summary_is_first_docstring_line():
  assert get("trpo").summary == "TRPO with single-path sampling."


def test_unknown_name_lists_choices():
  with pytest.raises(ValueError, match=r"^algo must be one of \['a2c', 'is_pg', 'mpo', 'npg', "
                                       r"'ppo_clip', .*'vmpo'\] .* got 'sarsa_max'$"):
    get("sarsa_max")


class DuplicateRunOptions(OnPolicyOptions):
  num_envs: int = field(4, "duplicates a run setting", ge=1)


class DuplicateHParamOptions(OnPolicyOptions):
  learning_rate: float = field(1e-3, "duplicates a hyperparameter", gt=0.0)


class PlainOptions(Options):
  width: int = field(4, "an option of no trainer", ge=1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(options=DuplicateRunOptions, hparams=PPOClipHParams),
     "field 'num_envs' is declared in both run settings and options"),
    (dict(options=DuplicateHParamOptions, hparams=PPOClipHParams),
     "field 'learning_rate' is declared in both options and hparams"),
    (dict(options=PlainOptions, hparams=PPOClipHParams),
     "options must extend a trainer's options"),
    (dict(options=dict, hparams=PPOClipHParams), "options must be an Options subclass"),
    (dict(options=PPOClipOptions, hparams=PPOClipOptions), "hparams must be an HParams subclass"),
    (dict(options=PPOClipOptions, hparams=PPOClipHParams,
          presets={"inverted_pendulum": dict(num_envs=8, clip_eps=0.1, zeta=1)}),
     "preset for 'inverted_pendulum' sets unknown fields ['clip_eps', 'zeta']"),
])
def test_bad_declarations(kwargs, message):
  before = dict(registry._REGISTRY)
  with pytest.raises(TypeError, match="^algorithm 'bad': " + message.replace("[", r"\[")):
    algorithm("bad", **kwargs)(build)
  assert registry._REGISTRY == before


def test_declaration_registers_by_name():  # conftest restores the registry afterwards
  unregistered = algorithm("mine", options=PPOClipOptions, hparams=PPOClipHParams,
                           register=False)(build)
  assert "mine" not in registry._REGISTRY
  mine = algorithm(options=PPOClipOptions, hparams=PPOClipHParams,
                   presets={"reacher": dict(clip_epsilon=0.1)})(build)
  assert mine.name == "build" and get("build") is mine
  assert mine.ref == f"{__name__}:build"
  assert preset(mine, "reacher").hparams.clip_epsilon == 0.1
  # compared and hashed by identity (they key caches of compiled trainers)
  assert unregistered != mine and mine == mine and hash(mine) == id(mine)


@pytest.fixture
def user_module(tmp_path, monkeypatch):
  write_user_algorithm(tmp_path / f"{MODULE}.py")
  monkeypatch.syspath_prepend(str(tmp_path))
  yield MODULE
  sys.modules.pop(MODULE, None)


def test_list_shows_the_given_module_s_unregistered_algorithm(user_module):
  from pgkit.tools import listing
  rows = {name: (trainer, summary) for name, trainer, summary, _ in listing.rows([user_module])}
  assert rows["clip_twice"] == ("on_policy", "PPO-clip, declared in a user's file.")
  assert rows["ppo_clip"][0] == "on_policy" and "clip_twice" not in registry._REGISTRY


def test_import_path(user_module):
  algo = get(f"{user_module}:clip_twice")
  assert algo.name == "clip_twice" and algo.ref == f"{user_module}:clip_twice"
  assert get(algo.ref) is algo
  assert algo.summary == "PPO-clip, declared in a user's file."
  assert "clip_twice" not in registry._REGISTRY
  settings = preset(algo)
  assert (settings.run.num_envs, settings.hparams.twice_coef) == (32, 3.0)
  assert from_dict(settings.to_dict()) == settings


def test_file_path(tmp_path, monkeypatch):
  monkeypatch.chdir(tmp_path)
  write_user_algorithm(tmp_path / "sub" / "user_algo_file.py")
  algo = get("sub/user_algo_file.py:clip_twice")
  assert algo.name == "clip_twice"
  assert get(f"{tmp_path}/sub/user_algo_file.py:clip_twice") is algo  # the same file, absolute
  # its ref names the file, so a saved settings file finds the same algorithm again
  assert algo.ref == os.path.join("sub", "user_algo_file.py") + ":clip_twice"
  settings = preset(algo, twice_coef=5.0)
  assert settings.to_dict()["algo"] == algo.ref
  assert from_dict(settings.to_dict()) == settings


@pytest.mark.parametrize("ref, message", [
    (f"{MODULE}:not_an_algorithm", "is not an algorithm"),
    (f"{MODULE}:missing", "is not an algorithm"),
    ("pgkit_no_such_module_xyz:algo", "cannot import 'pgkit_no_such_module_xyz'"),
    ("no/such/file.py:algo", "no file 'no/such/file.py'"),
])
def test_bad_refs(user_module, ref, message):
  with pytest.raises(ValueError, match=message):
    get(ref)
