"""A catalogue of bad inputs, and what a user gets for each: the contract across CLI and Python.

* Python: ``pgkit.InputError`` (a ``ValueError``) from ``Settings.validate()``,
  ``make_trainer(settings)`` and ``run(settings)`` alike, with one message.
* CLI: ``pgkit.cli.main(argv)`` returns 2 and prints exactly one line, ``pgkit: error: <the
  same message>``; a value tyro cannot parse (``--num-envs abc``, a choice it does not offer)
  exits with tyro's own box (``SystemExit(2)``) naming the flag.
* The message names the parameter (and the algorithm), shows the value and what is allowed.
* Nothing compiles first: ``runner.make_trainer`` and ``trainer._trainer`` raise here, so a case
  that is wrongly accepted fails at once instead of training; and a folder that already holds a
  run is left exactly as it was.

Every case fails before compiling, so the file runs in seconds.
"""
import json
import math
import os
from typing import Callable, NamedTuple

import pytest

import pgkit
from pgkit import cli
from pgkit.settings import InputError, get, load, preset, save
from pgkit.settings.envs import GYMNAX_ENVS

# pgkit.training imports distrax, whose TFP backend warns on import.
pytestmark = pytest.mark.filterwarnings(
    "ignore:jax.core.pytype_aval_mappings is deprecated:DeprecationWarning")

ENV = "inverted_pendulum"
BASE = preset("ppo_clip", ENV)  # what `pgkit train ppo_clip` resolves to
ENVS = ("ant, fast, halfcheetah, hopper, humanoid, humanoidstandup, inverted_double_pendulum, "
        "inverted_pendulum, pusher, reacher, swimmer, walker2d")
ALGOS = ("['a2c', 'is_pg', 'mpo', 'npg', 'ppo_clip', 'ppo_kl', 'reinforce', 'trpo', "
         "'trpo_vine', 'vmpo']")


@pytest.fixture(autouse=True)
def no_compile(monkeypatch):
  """Compiling (or training, or benchmarking) is an error: every case here must fail first."""
  import pgkit.bench.algorithms
  import pgkit.bench.ppo_vs_brax
  import pgkit.bench.robustness
  import pgkit.sweeps.population
  import pgkit.training.runner as runner
  import pgkit.training.trainer as trainer

  def fail(*args, **kwargs):
    raise AssertionError("compiled before validating")

  monkeypatch.setattr(runner, "make_trainer", fail)
  monkeypatch.setattr(trainer, "_trainer", fail)  # behind pgkit.make_trainer's validation
  monkeypatch.setattr(pgkit.bench.ppo_vs_brax, "compare", fail)
  monkeypatch.setattr(pgkit.bench.algorithms, "curve", fail)
  monkeypatch.setattr(pgkit.bench.robustness, "population_returns", fail)
  monkeypatch.setattr(pgkit.sweeps.population, "train", fail)


def _cli_error(argv, capsys) -> str:
  """The message of ``pgkit ARGV``, which must exit 2 with one ``pgkit: error:`` line."""
  assert cli.main(argv) == 2
  err = capsys.readouterr().err
  assert err.startswith("pgkit: error: ") and err.count("\n") == 1, err
  return err[len("pgkit: error: "):-1]


def _tyro_error(argv, capsys) -> str:
  """tyro's box for a value it cannot parse: SystemExit(2); returns what was printed."""
  with pytest.raises(SystemExit) as e:
    cli.main(argv)
  assert e.value.code == 2
  captured = capsys.readouterr()
  return captured.out + captured.err


def _flags(changes: dict) -> list[str]:
  """The CLI flags that set ``changes``."""
  out = []
  for name, value in changes.items():
    values = value if isinstance(value, tuple) else (value,)
    out += ["--" + name.replace("_", "-"), *map(str, values)]
  return out


def _folder(path) -> dict:
  """Every file below ``path`` with its bytes (to show nothing was written or deleted)."""
  return {os.path.relpath(os.path.join(d, n), path): open(os.path.join(d, n), "rb").read()
          for d, _, files in os.walk(path) for n in files}


# ---- 1, 4. Settings out of range, wrong choices, rules between fields: Python and CLI --------

class Bad(NamedTuple):
  """``preset(algo, ENV, **changes)`` is refused: ``{algo}: {field} must be {allowed}, got
  {changes[field]!r}``; on the CLI the same line, or tyro's box when ``tyro`` (a choice tyro
  does not offer)."""

  algo: str
  changes: dict
  field: str
  allowed: str
  tyro: bool = False

  @property
  def message(self) -> str:
    return f"{self.algo}: {self.field} must be {self.allowed}, got {self.changes[self.field]!r}"


def bad(algo, field, value, allowed, tyro=False, **more) -> Bad:
  return Bad(algo, {**more, field: value}, field, allowed, tyro)


INT, POSITIVE, UNIT = "an integer >= 1", "a finite number > 0", "a finite number >= 0 and <= 1"
SETTINGS = {
    # integers
    "num_envs=0": bad("ppo_clip", "num_envs", 0, INT),
    "unroll_length=-1": bad("ppo_clip", "unroll_length", -1, INT),
    "num_timesteps=0": bad("a2c", "num_timesteps", 0, INT),
    "seed=-1": bad("reinforce", "seed", -1, "an integer >= 0"),
    "epochs=0": bad("ppo_clip", "epochs", 0, INT),
    "trpo-cg_iters=0": bad("trpo", "cg_iters", 0, INT),
    "mpo-replay_capacity=0": bad("mpo", "replay_capacity", 0, INT),
    "trpo_vine-vine_actions=1": bad("trpo_vine", "vine_actions", 1, "an integer >= 2"),
    # floats: bounds, nan, inf where it is not allowed
    "clip_epsilon=-0.1": bad("ppo_clip", "clip_epsilon", -0.1, POSITIVE),
    "discount=1.5": bad("ppo_clip", "discount", 1.5, UNIT),
    "gae_lambda=-0.1": bad("ppo_clip", "gae_lambda", -0.1, UNIT),
    "learning_rate=0": bad("ppo_clip", "learning_rate", 0.0, POSITIVE),
    "learning_rate=nan": bad("ppo_clip", "learning_rate", math.nan, POSITIVE),
    "learning_rate=inf": bad("ppo_clip", "learning_rate", math.inf, POSITIVE),
    "trpo-max_kl=0": bad("trpo", "max_kl", 0.0, POSITIVE),
    "trpo-backtrack_ratio=1": bad("trpo", "backtrack_ratio", 1.0, "a finite number > 0 and < 1"),
    "mpo-polyak_tau=0": bad("mpo", "polyak_tau", 0.0, "a finite number > 0 and <= 1"),
    "vmpo-top_k_fraction=1.5": bad("vmpo", "top_k_fraction", 1.5, "a finite number > 0 and <= 1"),
    "is_pg-max_ratio=-1": bad("is_pg", "max_ratio", -1.0, "a number > 0 (inf allowed)"),
    "target_kl=-inf": bad("ppo_clip", "target_kl", -math.inf, "a number > 0 (inf allowed)"),
    # tuples
    "policy_hidden=0": bad("ppo_clip", "policy_hidden", (0,), "integers, each >= 1"),
    "critic_hidden=64,-1": bad("npg", "critic_hidden", (64, -1), "integers, each >= 1"),
    # choices (tyro refuses those it offers as choices; --env is read before tyro)
    "env=moon_lander": bad("ppo_clip", "env", "moon_lander", f"one of {ENVS}"),
    "backend=bogus": bad("ppo_clip", "backend", "bogus",
                         "one of spring, positional, generalized, mjx", tyro=True),
    "policy=categorical": bad("ppo_clip", "policy", "categorical",
                              "auto, tanh_gaussian or gaussian (inverted_pendulum has "
                              "continuous actions)"),
    "policy=gaussian-on-cartpole": bad("ppo_clip", "policy", "gaussian",
                                       "auto or categorical (gymnax/CartPole-v1 has discrete "
                                       "actions)", env="gymnax/CartPole-v1"),
    "policy=tanh_gaussian-mpo-on-cartpole": bad(
        "mpo", "policy", "tanh_gaussian",
        "auto or categorical (gymnax/CartPole-v1 has discrete actions)", env="gymnax/CartPole-v1"),
    "policy=softmax": bad("ppo_clip", "policy", "softmax",
                          "one of auto, tanh_gaussian, gaussian, categorical", tyro=True),
    "env=gymnax/Nope": bad("ppo_clip", "env", "gymnax/Nope", "one of " + ", ".join(
        "gymnax/" + t for t in GYMNAX_ENVS)),
    "env=atari/Pong": bad("ppo_clip", "env", "atari/Pong",
                          f"a Brax env ({ENVS}) or FAMILY/TASK with FAMILY one of gymnax, "
                          "playground"),
    "activation=gelu": bad("ppo_clip", "activation", "gelu", "one of tanh, swish, relu, elu",
                           tyro=True),
    "critic_matmul=float16": bad("mpo", "critic_matmul", "float16", "one of float32, bfloat16",
                                 tyro=True),
    "lr_schedule=cosine": bad("a2c", "lr_schedule", "cosine", "one of constant, linear",
                              tyro=True),
    "on_divergence=explode": bad("ppo_clip", "on_divergence", "explode", "one of warn, error",
                                 tyro=True),
    "ppo_kl-kl_rule=halving": bad("ppo_kl", "kl_rule", "halving",
                                  "one of dual_ascent, multiplicative", tyro=True),
    "is_pg-importance=bogus": bad("is_pg", "importance", "bogus",
                                  "one of per_step, per_decision, trajectory", tyro=True),
    "mpo-target_update=soft": bad("mpo", "target_update", "soft", "one of periodic, polyak",
                                  tyro=True),
    # booleans
    "normalize_observations=yes": bad("ppo_clip", "normalize_observations", "yes",
                                      "true or false", tyro=True),
    # rules between fields: ppo_clip's preset has 64 envs × 1 unroll of 32 steps
    "minibatches>sequences": bad("ppo_clip", "minibatches", 65, "<= num_envs · unrolls = 64"),
    "critic_minibatches>sequences": bad("ppo_clip", "critic_minibatches", 65,
                                        "<= num_envs · unrolls = 64"),
    "critic_minibatches>sequences(unrolls)": bad("a2c", "critic_minibatches", 16,
                                                 "<= num_envs · unrolls = 12", num_envs=6,
                                                 unrolls=2),
    # trpo_vine: 32 envs × 64 steps = 2048 states to branch from
    "trpo_vine-vine_states>states": bad(
        "trpo_vine", "vine_states", 2049, "<= num_envs · unroll_length · unrolls = 2048 (the "
        "states of one iteration's rollout)"),
    # mpo: 8 envs × 1 unroll of 16 steps
    "mpo-replay_capacity<sequences": bad(
        "mpo", "replay_capacity", 4, ">= num_envs · unrolls = 8 (the sequences one iteration "
        "inserts)"),
    "mpo-warmup_steps>replay": bad(
        "mpo", "warmup_steps", 1025, "<= replay_capacity · unroll_length = 1024 (what the replay "
        "holds; more would never be collected and nothing would be learned)",
        replay_capacity=64),
    # vmpo: 64 envs × 32 steps in 4 minibatches of 512 samples
    "vmpo-top_k_fraction_keeps_none": bad(
        "vmpo", "top_k_fraction", 0.001, ">= 1/512 (it keeps no sample of a minibatch of 512)"),
}

# ---- 2. Wrong types in Python (the CLI parses values into their types) -----------------------

PYTHON_TYPES = {
    "num_envs=4.5": bad("ppo_clip", "num_envs", 4.5, INT),
    "num_envs=True": bad("ppo_clip", "num_envs", True, INT),
    "epochs='4'": bad("ppo_clip", "epochs", "4", INT),
    "learning_rate='fast'": bad("ppo_clip", "learning_rate", "fast", POSITIVE),
    "learning_rate='3e-4'": bad("ppo_clip", "learning_rate", "3e-4", POSITIVE),
    "learning_rate=None": bad("ppo_clip", "learning_rate", None, POSITIVE),
    "policy_hidden=[64]": bad("ppo_clip", "policy_hidden", [64], "integers, each >= 1"),
    "policy_hidden=64": bad("ppo_clip", "policy_hidden", 64, "integers, each >= 1"),
    "normalize_observations=1": bad("ppo_clip", "normalize_observations", 1, "true or false"),
    "run_dir=3": bad("ppo_clip", "run_dir", 3, "a string"),
}


@pytest.mark.parametrize("case", [*SETTINGS.values(), *PYTHON_TYPES.values()],
                         ids=[*SETTINGS, *PYTHON_TYPES])
def test_python_refuses(case):
  """``validate()``, ``make_trainer`` and ``run`` refuse with the same message."""
  changes = dict(case.changes)
  settings = preset(case.algo, changes.pop("env", ENV), **changes)
  for entry in (type(settings).validate, pgkit.make_trainer, pgkit.run):
    with pytest.raises(InputError) as e:
      entry(settings)
    assert str(e.value) == case.message, entry


@pytest.mark.parametrize("case", SETTINGS.values(), ids=SETTINGS)
def test_cli_refuses(case, capsys):
  argv = ["train", case.algo, *_flags(case.changes)]
  if case.tyro:
    shown = _tyro_error(argv, capsys)
    assert "--" + case.field.replace("_", "-") in shown and str(case.changes[case.field]) in shown
  else:
    assert _cli_error(argv, capsys) == case.message


# CLI values tyro cannot parse at all: its box names the flag.
@pytest.mark.parametrize("argv, flag", [
    (["ppo_clip", "--num-envs", "abc"], "--num-envs"),
    (["ppo_clip", "--num-envs", "4.5"], "--num-envs"),
    (["ppo_clip", "--learning-rate", "fast"], "--learning-rate"),
    (["ppo_clip", "--policy-hidden", "64", "wide"], "--policy-hidden"),
    (["ppo_clip", "--normalize-advantages", "maybe"], "--normalize-advantages"),
    (["ppo_clip", "--clip-epsilon"], "--clip-epsilon"),
    (["ppo_clip", "stray"], "stray"),
], ids=["int=abc", "int=4.5", "float=fast", "tuple=64,wide", "bool=maybe", "no-value",
        "positional"])
def test_cli_unparsable(argv, flag, capsys):
  assert flag in _tyro_error(["train", *argv], capsys)


# ---- 3. Unknown names -------------------------------------------------------------------------

NOT_AN_ALGORITHM = ("algo: 'pgkit.settings:preset' is not an algorithm (declare it with "
                    "@pgkit.algorithm(options=..., hparams=...))")


@pytest.mark.parametrize("ref, message", [
    ("sarsa_max", f"algo must be one of {ALGOS} or an import path 'module:name', got 'sarsa_max'"),
    ("no_such_module:x", "algo: cannot import 'no_such_module' (No module named "
                         "'no_such_module')"),
    ("no/such/folder/algos.py:x", "algo: no file 'no/such/folder/algos.py'"),
    ("pgkit.settings:preset", NOT_AN_ALGORITHM),
    ("pgkit.settings:no_such_name", NOT_AN_ALGORITHM.replace("preset", "no_such_name")),
    (":x", "algo: '' is not a module name (an import path is 'module:name' or "
           "'file.py:name')"),
], ids=["unknown-name", "unknown-module", "missing-file", "not-an-algorithm", "missing-attribute",
        "no-module"])
def test_unknown_algorithm(ref, message, capsys):
  with pytest.raises(InputError) as e:
    get(ref)
  assert str(e.value) == message
  with pytest.raises(InputError) as e:
    preset(ref)
  assert str(e.value) == message
  assert _cli_error(["train", ref], capsys) == message


@pytest.mark.parametrize("call, message", [
    (lambda: get(3), f"algo must be one of {ALGOS} or an import path 'module:name', got 3"),
    (lambda: preset(None), f"algo must be one of {ALGOS} or an import path 'module:name', "
                           "got None"),
    (lambda: preset("ppo_clip", ENV, bogus=1), "bogus is not a setting of ppo_clip; its "
                                               "settings are ['activation', "),
    (lambda: BASE.replace(bogus=1), "bogus is not a setting of ppo_clip; its settings are "
                                    "['activation', "),
    (lambda: preset("mpo").replace(epochs=4), "epochs is not a setting of mpo; its settings "
                                              "are ['activation', "),
    (lambda: BASE.run.replace(bogus=1), "RunSettings has no field ['bogus']; fields: ['env', "),
], ids=["algo=3", "algo=None", "preset-bogus", "replace-bogus", "replace-other-algorithms",
        "RunSettings.replace-bogus"])
def test_python_unknown_names(call, message):
  with pytest.raises(InputError) as e:
    call()
  assert str(e.value).startswith(message)


@pytest.mark.parametrize("argv, message", [
    (["train", "ppo_clip", "--replay-capacity", "10"],
     "--replay-capacity is not a setting of ppo_clip (it belongs to mpo); see pgkit train "
     "ppo_clip --help"),
    (["train", "trpo", "--epochs", "4"],
     "--epochs is not a setting of trpo (it belongs to is_pg, ppo_clip, ppo_kl, vmpo); see "
     "pgkit train trpo --help"),
    (["train", "mpo", "--minibatches", "2"],
     "--minibatches is not a setting of mpo (it belongs to is_pg, ppo_clip, ppo_kl, vmpo); see "
     "pgkit train mpo --help"),
    (["train", "ppo_clip", "--learning-rat", "1e-3"],
     "unknown flag --learning-rat for ppo_clip; did you mean --learning-rate?"),
    (["train", "ppo_clip", "--lr", "3e-4"], "unknown flag --lr for ppo_clip; "),
    (["train", "ppo_clip", "--num-env", "8"],
     "unknown flag --num-env for ppo_clip; did you mean --num-envs?"),
    (["train", "ppo_clip", "--num-envs=8", "--bogus=1"], "unknown flag --bogus for ppo_clip; "),
    (["train", "ppo_clip", "--env"], "argument --env: expected one argument"),
    (["train", "ppo_clip", "--config"], "argument --config: expected one argument"),
    (["train"], "ALGO is required: pgkit train ALGO "),
    (["train", "--num-envs", "8"], "ALGO is required: pgkit train ALGO "),
    (["frobnicate"], "unknown command 'frobnicate'; one of ['train', 'sweep', 'eval', 'render', "
     "'plot', 'list', 'bench']"),
    (["bench", "ppo-vs-brax", "--seeds", "0"], "seeds must be >= 1, got 0"),
    (["bench", "ppo-vs-brax", "--env", "moon_lander"], "env must be one of "),
    (["bench", "ablation", "--env", "swimmer"],
     "env must be one of ['ant', 'halfcheetah', 'hopper', 'humanoid', 'inverted_double_pendulum',"
     " 'inverted_pendulum', 'walker2d'] for ppo-vs-brax and ablation (those with Brax PPO "
     "settings), got 'swimmer'"),
    (["bench", "ablation", "--change", "clip_epsilon=-1"],
     "--change clip_epsilon=-1.0: ppo_clip: clip_epsilon must be a finite number > 0, got -1.0"),
    (["bench", "ablation", "--change", "replay_capacity=8"],
     "--change replay_capacity: replay_capacity is not a setting of ppo_clip (it belongs to "
     "mpo)"),
    (["bench", "ablation", "--algo", "trpo"],
     "algo must be one of ['is_pg', 'ppo_clip', 'ppo_kl'] or an algorithm of your own "
     "(module:name) declaring Brax's PPO schedule (epochs, minibatches, critic_updates, "
     "entropy_coef), got 'trpo'"),
    (["bench", "ablation", "--algo", "ppo_kl", "--change", "clip_epsilon=0.2"],
     "--change clip_epsilon: clip_epsilon is not a setting of ppo_kl (it belongs to ppo_clip)"),
    (["bench", "algorithms", "--algos", "sarsa_max"],
     f"algos must be among {ALGOS}, got ['sarsa_max']"),
    (["bench", "robustness", "--seeds", "0"], "seeds must be >= 1, got 0"),
    (["bench", "robustness", "--algos", "ppo_clip,sarsa_max"],
     f"algos must be among {ALGOS}, got ['sarsa_max']"),
    (["bench", "robustness", "--env", "ant"],
     "env must be one of ['inverted_double_pendulum', 'inverted_pendulum', 'reacher'] "
     "(those with a solve threshold), got 'ant'"),
], ids=["other-algorithms-flag", "trpo--epochs", "mpo--minibatches", "typo", "abbreviation-lr",
        "abbreviation-num-env", "unknown-flag=value", "env-without-value",
        "config-without-value", "no-algo", "flag-instead-of-algo", "unknown-command",
        "bench-seeds=0", "bench-env", "ablation-env", "ablation-change-value",
        "ablation-change-name", "ablation-algo", "ablation-algo-change", "bench-algos",
        "robustness-seeds=0", "robustness-algos", "robustness-env"])
def test_cli_unknown_names(argv, message, capsys):
  assert _cli_error(argv, capsys).startswith(message)


# ---- 5. Folders and settings files ----------------------------------------------------------

class Folder(NamedTuple):
  """A run folder set up under ``tmp_path`` (``setup(tmp_path) -> (changes, message)``)."""

  setup: Callable


def _under_a_file(field):
  def setup(tmp):
    (tmp / "file").write_text("not a folder")
    path = str(tmp / "file" / "sub")
    return {field: path}, f"{field} {path!r} cannot be used: "
  return Folder(setup)


def _unwritable(tmp):
  folder = tmp / "read-only"
  folder.mkdir()
  folder.chmod(0o500)
  if os.access(folder, os.W_OK):  # root writes anyway
    folder.chmod(0o700)
    pytest.skip("the folder stays writable (running as root)")
  return {"run_dir": str(folder)}, f"run_dir {str(folder)!r} cannot be used: Permission denied"


def _another_runs_metrics(tmp):
  """The same settings, and the metrics of a run that was not checkpointed."""
  folder = tmp / "run"
  save(BASE.replace(run_dir=str(folder)), str(folder / "settings.json"))
  (folder / "metrics.jsonl").write_text('{"iteration": 3, "kl": 0.01}\n')
  return {"run_dir": str(folder)}, (f"run_dir {str(folder)!r} already holds the metrics of a run "
                                    "(metrics.jsonl) but no checkpoint to resume from; use a new "
                                    "folder")


def _different_settings(tmp):
  folder = tmp / "run"
  save(BASE.replace(num_envs=32, learning_rate=0.5), str(folder / "settings.json"))
  (folder / "metrics.jsonl").write_text('{"iteration": 3}\n')
  return {"run_dir": str(folder)}, (
      f"run_dir {str(folder)!r} holds a run with different settings ['num_envs', "
      "'learning_rate']; use a new folder, or the settings in its settings.json (--config)")


def _files_without_settings(tmp):
  folder = tmp / "run"
  (folder / "3").mkdir(parents=True)  # a checkpoint of a run whose settings are unknown
  (folder / "3" / "state").write_text("...")
  return {"run_dir": str(folder)}, (
      f"run_dir {str(folder)!r} holds files but no settings.json, so what they belong "
      "to is unknown; use a new or empty folder")


def _corrupt_settings(tmp):
  folder = tmp / "run"
  folder.mkdir()
  (folder / "settings.json").write_text('{"algo": "ppo_clip", ')
  path = str(folder / "settings.json")
  return {"run_dir": str(folder)}, (f"run_dir {str(folder)!r}: settings file {path!r} is not "
                                    "valid JSON")


FOLDERS = {
    "run_dir-under-a-file": _under_a_file("run_dir"),
    "run_dir-unwritable": Folder(_unwritable),
    "run_dir-holds-metrics": Folder(_another_runs_metrics),
    "run_dir-different-settings": Folder(_different_settings),
    "run_dir-files-without-settings": Folder(_files_without_settings),
    "run_dir-corrupt-settings": Folder(_corrupt_settings),
}


@pytest.mark.parametrize("folder", FOLDERS.values(), ids=FOLDERS)
def test_folder_refused(folder, tmp_path, capsys):
  """Refused by ``run`` and by the CLI before compiling; the folder is left as it was."""
  changes, message = folder.setup(tmp_path)
  before = _folder(tmp_path)
  with pytest.raises(InputError) as e:
    pgkit.run(BASE.replace(**changes))
  assert str(e.value).startswith(message)
  assert _folder(tmp_path) == before
  assert _cli_error(["train", "ppo_clip", *_flags(changes)], capsys).startswith(message)
  assert _folder(tmp_path) == before


def _settings_text(**parts) -> str:
  data = BASE.to_dict()
  for part, values in parts.items():
    data[part] = values if not isinstance(values, dict) else {**data[part], **values}
  return json.dumps(data)


# (text of the --config file, the message after its path, whether load(path) itself refuses it)
CONFIGS = {
    "not-json": ('{"algo": "ppo_clip", ', "{path} is not valid JSON", True),
    "not-utf8": (b"\xff\xfe{}", "{path} is not valid JSON ('utf-8' codec", True),
    "not-settings": ("[1, 2]", "{path}: not a pgkit settings file (no 'algo' entry)", True),
    "unknown-field": (_settings_text(run={"bogus": 1}),
                      "{path}: unknown fields ['bogus'] for RunSettings", True),
    "part-not-an-object": (_settings_text(hparams=3),
                           "{path}: 'hparams' must be an object of PPOClipHParams fields, got 3",
                           True),
    "algo-not-a-string": ('{"algo": 3}', "algo must be one of ", True),
    "another-algorithm": (json.dumps(preset("a2c").to_dict()),
                          "config: {path} holds settings of a2c, not ppo_clip", False),
    "value-out-of-range": (_settings_text(hparams={"learning_rate": -1.0}),
                           "ppo_clip: learning_rate must be a finite number > 0, got -1.0", False),
    "value-of-wrong-type": (_settings_text(hparams={"learning_rate": {"fast": True}}),
                            "ppo_clip: learning_rate must be a finite number > 0, got {'fast': "
                            "True}", False),
}


@pytest.mark.parametrize("text, message, loads_badly", CONFIGS.values(), ids=CONFIGS)
def test_config_refused(text, message, loads_badly, tmp_path, capsys):
  path = tmp_path / "settings.json"
  path.write_bytes(text if isinstance(text, bytes) else text.encode())
  shown = f"settings file {str(path)!r}" if loads_badly else repr(str(path))
  message = message.replace("{path}", shown)
  assert _cli_error(["train", "ppo_clip", "--config", str(path)], capsys).startswith(message)
  if loads_badly:
    with pytest.raises(InputError) as e:
      load(str(path))
    assert str(e.value).startswith(message)
  assert path.read_bytes() == (text if isinstance(text, bytes) else text.encode())


@pytest.mark.parametrize("name", ["missing.json", "."], ids=["missing", "a-folder"])
def test_config_unreadable(name, tmp_path, capsys):
  path = str(tmp_path / name)
  message = f"settings file {path!r} cannot be read: "
  assert _cli_error(["train", "ppo_clip", "--config", path], capsys).startswith(message)
  with pytest.raises(InputError) as e:
    load(path)
  assert str(e.value).startswith(message)


# ---- Optional env families whose package is missing --------------------------------------------

@pytest.mark.parametrize("env, extra", [("gymnax/CartPole-v1", "gymnax"),
                                        ("playground/CartpoleBalance", "playground")])
def test_missing_extra_is_named(env, extra, monkeypatch, capsys):
  import importlib.util
  find_spec = importlib.util.find_spec
  module = {"gymnax": "gymnax", "playground": "mujoco_playground"}[extra]
  monkeypatch.setattr(importlib.util, "find_spec",
                      lambda name, *a: None if name == module else find_spec(name, *a))
  message = (f"ppo_clip: env {env!r} needs the {extra!r} extra, which is not installed: "
             f"pip install -e \".[{extra}]\" (or pip install 'pgkit[{extra}]')")
  with pytest.raises(InputError) as e:
    pgkit.make_trainer(preset("ppo_clip", env))
  assert str(e.value) == message
  assert _cli_error(["train", "ppo_clip", "--env", env], capsys) == message


# ---- 6. Commands on a run folder ------------------------------------------------------------

def _run_folders(tmp) -> dict[str, str]:
  """Run folders with settings but no checkpoint: ``run`` without metrics, ``logged`` with one
  row; and ``tmp`` itself, which is no run folder."""
  folders = {"tmp": str(tmp)}
  for name in ("run", "logged"):
    folder = tmp / name
    save(BASE.replace(run_dir=str(folder)), str(folder / "settings.json"))
    folders[name] = str(folder)
  (tmp / "logged" / "metrics.jsonl").write_text('{"iteration": 1, "env_steps": 64, "kl": 0.01}\n')
  return folders


TOOLS = {
    "eval-not-a-run": (["eval", "{tmp}"], "run_dir '{tmp}' is not a run folder (it holds no "
                       "settings.json); pgkit train --run-dir DIR makes one"),
    "eval-no-checkpoint": (["eval", "{run}"], "run_dir '{run}' holds no checkpoint yet"),
    "eval-episodes=0": (["eval", "{run}", "--episodes", "0"], "episodes must be >= 1, got 0"),
    "render-format": (["render", "{run}", "--out", "a.avi"],
                      "out must end in one of ['.html', '.gif', '.mp4'], got 'a.avi'"),
    "render-steps=0": (["render", "{run}", "--out", "a.html", "--steps", "0"],
                       "steps must be >= 1, got 0"),
    "plot-no-metrics": (["plot", "{run}"], "run_dir '{run}' has no metrics yet"),
    "plot-unknown-metric": (["plot", "{logged}", "--metrics", "kl,klx"],
                            "metrics ['klx'] are not in every run's metrics; they have "
                            "['env_steps', 'iteration', 'kl']"),
    "list-unknown-module": (["list", "no_such_module"], "algo: cannot import 'no_such_module'"),
}


SWEEP = ["sweep", "ppo_clip", "--run-dir", "{tmp}/sweep"]
TRAIN = ["train", "ppo_clip", "--run-dir", "{tmp}/run"]
SCALE = {  # pgkit sweep, --devices and the cluster flags
    "sweep-seeds=0": (SWEEP + ["--seeds", "0"], "seeds must be an integer >= 1, got '0'"),
    "sweep-grid-unknown": (SWEEP + ["--grid", "foo=1,2"], "--grid foo: foo is not a setting of "
                           "ppo_clip (see pgkit train ppo_clip --help for its settings)"),
    "sweep-grid-other-algo": (SWEEP + ["--grid", "replay_capacity=10,20"],
                              "--grid replay_capacity: replay_capacity is not a setting of "
                              "ppo_clip (it belongs to mpo)"),
    "sweep-grid-not-a-number": (SWEEP + ["--grid", "learning_rate=3e-4,abc"],
                                "--grid learning_rate: 'abc' is not a finite number > 0"),
    "sweep-grid-out-of-range": (SWEEP + ["--grid", "learning_rate=3e-4,-1"],
                                "--grid learning_rate=-1.0: ppo_clip: learning_rate must be a "
                                "finite number > 0, got -1.0"),
    "sweep-grid-option": (SWEEP + ["--grid", "epochs=2,0"], "--grid epochs=0: ppo_clip: epochs "
                          "must be an integer >= 1, got 0"),
    "sweep-grid-seed": (SWEEP + ["--grid", "seed=1,2"],
                        "--grid seed: seed cannot be a grid axis (the seeds are --seeds)"),
    "sweep-grid-malformed": (SWEEP + ["--grid", "learning_rate"],
                             "--grid must be NAME=v1,v2,..., got 'learning_rate'"),
    "sweep-grid-twice": (SWEEP + ["--grid", "epochs=1,2", "--grid", "epochs=3"],
                         "--grid names ['epochs'] more than once"),
    "sweep-devices": (SWEEP + ["--devices", "2"], "devices must be 0 (all) or between 1 and 1"),
    "train-devices": (TRAIN + ["--devices", "2"], "devices must be 0 (all) or between 1 and 1"),
    "coordinator-no-port": (TRAIN + ["--coordinator", "localhost", "--num-processes", "2",
                                     "--process-id", "0"], "coordinator must be HOST:PORT"),
    "process-id": (TRAIN + ["--coordinator", "localhost:1234", "--num-processes", "2",
                            "--process-id", "2"],
                   "process_id must be an integer in 0..1 (num_processes=2), got 2"),
    "num-processes=0": (TRAIN + ["--coordinator", "localhost:1234", "--num-processes", "0",
                                 "--process-id", "0"], "num_processes must be an integer >= 1"),
    "no-coordinator": (TRAIN + ["--num-processes", "2"],
                       "num_processes and process_id need a coordinator"),
    "cluster-no-run-dir": (["train", "ppo_clip", "--coordinator", "localhost:1234",
                            "--num-processes", "2", "--process-id", "0"],
                           "run_dir must be given with several processes"),
}


@pytest.mark.parametrize("argv, message", [*TOOLS.values(), *SCALE.values()],
                         ids=[*TOOLS, *SCALE])
def test_tool_refused(argv, message, tmp_path, capsys):
  """Each refused before anything is compiled or written."""
  folders = _run_folders(tmp_path)
  before = _folder(tmp_path)
  fill = lambda text: text.format(**folders)
  assert _cli_error([fill(a) for a in argv], capsys).startswith(fill(message))
  assert _folder(tmp_path) == before
