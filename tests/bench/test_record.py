"""ppo-vs-brax and ablation keep every finished run at once and resume a stopped comparison; a
record of other settings is never overwritten; the time budget stops before a run that would
not fit."""
import json

import pytest

from pgkit import cli
from pgkit.bench import ablation, ppo_vs_brax, record
from pgkit.bench.runs import Curve, RunStats
from pgkit.settings.errors import InputError


def _run(trainer, seed):
  # Returns differ per trainer and seed, so a run read back is recognisably the one trained.
  base = 100.0 * seed + (0.0 if trainer == "brax" else 50.0)
  return RunStats(trainer, seed, 9.5, 100.0, 1000.0 + base, 2048.0,
                  Curve([0, 163840], [base, base + 1.0], [1.0, 2.0]))


@pytest.fixture
def trained(monkeypatch):
  """Both trainers mocked: each call appends (trainer, seed) and advances a fake clock by 60 s."""
  calls, clock = [], [0.0]

  def fake(trainer):
    def run(*args, **kwargs):
      seed = args[4] if trainer == "brax" else args[1]
      calls.append((trainer, seed))
      clock[0] += 60.0
      return _run(trainer, seed)
    return run

  monkeypatch.setattr(ppo_vs_brax.runs, "run_brax", fake("brax"))
  monkeypatch.setattr(ppo_vs_brax.runs, "run_pgkit", fake("pgkit"))
  monkeypatch.setattr(ppo_vs_brax.timing, "raw_env_steps_per_s", lambda env, n: 1e5)
  monkeypatch.setattr(ppo_vs_brax, "make_env", lambda env, backend: None)
  monkeypatch.setattr(record.time, "perf_counter", lambda: clock[0])
  return calls


def _compare(out, seeds, **kw):
  return ppo_vs_brax.compare("inverted_pendulum", "positional", 1000, seeds, None,
                             print_fn=lambda line: None, out=str(out), **kw)


def test_each_run_is_saved_as_it_ends_and_the_same_command_trains_only_the_missing_ones(
    trained, tmp_path):
  _compare(tmp_path, 1)
  assert trained == [("brax", 0), ("pgkit", 0)]
  trained.clear()
  report = _compare(tmp_path, 3)
  # Seed 1 runs pgkit first (the order alternates per seed), seed 0 comes from the file.
  assert trained == [("pgkit", 1), ("brax", 1), ("brax", 2), ("pgkit", 2)]
  assert report["complete"]
  assert [r.steps_per_s for r in report["results"]["pgkit"]] == [1050.0, 1150.0, 1250.0]
  # steps/s ratio: mean(1050, 1150, 1250) / mean(1000, 1100, 1200) = 1150 / 1100.
  assert report["ratios"]["steps_per_s"] == pytest.approx(1150.0 / 1100.0)
  saved = json.load(open(tmp_path / "ppo-vs-brax-inverted_pendulum.json"))
  assert sorted(r["seed"] for r in saved["runs"]["brax"]) == [0, 1, 2]
  assert saved["raw_steps_per_s"] == 1e5 and saved["device"] == f"1× cpu ({record.cpu_model()})"
  trained.clear()
  _compare(tmp_path, 3)
  assert trained == []  # everything is in the file
  report = _compare(tmp_path, 2)  # compares seeds 0 and 1 of the three the file holds
  assert trained == [] and [r.seed for r in report["results"]["brax"]] == [0, 1]


def test_a_run_that_fails_leaves_the_runs_before_it_in_the_file(trained, tmp_path, monkeypatch):
  def killed(*args, **kwargs):
    raise KeyboardInterrupt  # the machine's limit, mid-run
  monkeypatch.setattr(ppo_vs_brax.runs, "run_pgkit", killed)
  with pytest.raises(KeyboardInterrupt):
    _compare(tmp_path, 2)
  saved = json.load(open(tmp_path / "ppo-vs-brax-inverted_pendulum.json"))
  assert [r["seed"] for r in saved["runs"]["brax"]] == [0] and saved["runs"]["pgkit"] == []


def test_a_record_of_other_settings_is_refused_before_training(trained, tmp_path):
  _compare(tmp_path, 1)
  path = tmp_path / "ppo-vs-brax-inverted_pendulum.json"
  before = path.read_text()
  trained.clear()
  with pytest.raises(InputError, match="num_timesteps differ.*another --out folder"):
    ppo_vs_brax.compare("inverted_pendulum", "positional", 2000, 2, None,
                        print_fn=lambda line: None, out=str(tmp_path))
  with pytest.raises(InputError, match="eval_envs differ"):
    _compare(tmp_path, 2, eval_envs=64)
  assert trained == []
  assert path.read_text() == before


def test_the_time_budget_starts_no_run_that_would_end_after_it(trained, tmp_path):
  # Each run takes 60 s: after 2 runs (120 s) a third would end at 180 s > 150 s.
  report = _compare(tmp_path, 3, time_budget=150.0)
  assert trained == [("brax", 0), ("pgkit", 0)] and not report["complete"]
  assert [r.seed for r in report["results"]["brax"]] == [0]
  report = _compare(tmp_path, 3, time_budget=150.0)  # resumes: two more
  assert trained[2:] == [("pgkit", 1), ("brax", 1)]
  report = _compare(tmp_path, 3)
  assert trained[4:] == [("brax", 2), ("pgkit", 2)] and report["complete"]


def test_a_bad_time_budget_is_refused_on_the_cli_and_in_python(trained, capsys):
  assert cli.main(["bench", "ppo-vs-brax", "--time-budget", "0"]) == 2
  assert capsys.readouterr().err == (
      "pgkit: error: time_budget must be a number of seconds > 0, got 0.0\n")
  with pytest.raises(InputError, match="got nan"):
    ppo_vs_brax.compare("inverted_pendulum", "positional", 1000, 1, None,
                        time_budget=float("nan"))
  assert trained == []


def test_ablation_takes_its_baseline_from_a_ppo_vs_brax_record_of_the_same_settings(
    trained, tmp_path):
  _compare(tmp_path, 2)
  trained.clear()
  results, lines = _ablate(tmp_path, ["clip_epsilon=0.2"])
  assert trained == [("pgkit", 0), ("pgkit", 1)]  # the variant only
  assert [(r.trainer, r.seed, r.curve.returns) for r in results[ablation.BASE]] == [
      (ablation.BASE, 0, [50.0, 51.0]), (ablation.BASE, 1, [150.0, 151.0])]  # pgkit's, by _run
  assert f"baseline: 2 runs of pgkit from {tmp_path}/ppo-vs-brax-inverted_pendulum.json" in lines
  # Brax's runs of that record are the reference row, as Brax trained them (_run: base 0, 100).
  assert f"reference: 2 runs of brax from {tmp_path}/ppo-vs-brax-inverted_pendulum.json" in lines
  assert [(r.trainer, r.seed, r.curve.returns) for r in results[ablation.BRAX]] == [
      (ablation.BRAX, 0, [0.0, 1.0]), (ablation.BRAX, 1, [100.0, 101.0])]
  # At 163,840 steps: Brax 1 and 101 (mean 51, stdev 71); the variant, pgkit's mock, 51 and 151.
  assert "| Brax PPO (ppo-vs-brax) | 2 | 51 ± 71 |" in lines
  assert "| clip_epsilon=0.2 | 2 | 101 ± 71 |" in lines
  assert (tmp_path / "ablation-inverted_pendulum.png").stat().st_size > 0
  other = tmp_path / "other"
  ppo_vs_brax.compare("inverted_pendulum", "positional", 2000, 2, None,
                      print_fn=lambda line: None, out=str(other))
  trained.clear()
  _ablate(other, [])  # 1000 steps: the record of 2000 is another run's, so the baseline trains
  assert trained == [("pgkit", 0), ("pgkit", 1)]


def test_ppo_vs_brax_takes_an_ablation_variants_runs_and_its_reference_row(trained, tmp_path):
  _compare(tmp_path, 2)
  out = tmp_path / "abl"
  out.mkdir()
  (out / "ppo-vs-brax-inverted_pendulum.json").write_text(
      (tmp_path / "ppo-vs-brax-inverted_pendulum.json").read_text())
  _ablate(out, ["entropy_coef=0"])
  (out / "ppo-vs-brax-inverted_pendulum.json").unlink()  # only the ablation's record is left
  path = out / "ablation-inverted_pendulum.json"
  saved = json.load(open(path))
  for run in saved["runs"]["entropy_coef=0"]:  # recognisable: no mock returns these
    run["curve"]["returns"] = [7.0, 8.0 + run["seed"]]
  path.write_text(json.dumps(saved))
  trained.clear()
  lines = []
  report = ppo_vs_brax.compare("inverted_pendulum", "positional", 1000, 2, None,
                               print_fn=lines.append, out=str(out), change="entropy_coef=0")
  assert trained == [] and report["complete"]
  assert [r.curve.returns for r in report["results"]["pgkit"]] == [[7.0, 8.0], [7.0, 9.0]]
  assert [(r.trainer, r.curve.returns) for r in report["results"]["brax"]] == [
      ("brax", [0.0, 1.0]), ("brax", [100.0, 101.0])]  # Brax's, by _run
  assert f"pgkit: 2 runs of 'entropy_coef=0' from {path}" in lines
  assert f"brax: 2 runs of {ablation.BRAX!r} from {path}" in lines
  saved = json.load(open(out / "ppo-vs-brax-inverted_pendulum-entropy_coef-0.json"))
  assert {t: [r["seed"] for r in rs] for t, rs in saved["runs"].items()} == {
      "brax": [0, 1], "pgkit": [0, 1]}
  # The same change written with another value's spelling is the same variant.
  _compare(out, 2, change="entropy_coef=0.0")
  assert trained == []
  _compare(out, 2)  # the baseline: the ablation's (borrowed from ppo-vs-brax there before)
  assert trained == []
  _compare(out, 2, change="entropy_coef=0.5")  # a variant the ablation lacks: pgkit trains
  assert trained == [("pgkit", 0), ("pgkit", 1)]
  trained.clear()
  ppo_vs_brax.compare("inverted_pendulum", "positional", 2000, 1, None,
                      print_fn=lambda line: None, out=str(out / "other"))
  (out / "other" / "ablation-inverted_pendulum.json").write_text(path.read_text())
  (out / "other" / "ppo-vs-brax-inverted_pendulum.json").unlink()
  trained.clear()
  ppo_vs_brax.compare("inverted_pendulum", "positional", 2000, 1, None,
                      print_fn=lambda line: None, out=str(out / "other"))
  assert trained == [("brax", 0), ("pgkit", 0)]  # the ablation's runs are of 1000 steps


def test_another_algorithms_ablation_has_its_own_record_and_borrows_no_ppo_clip_runs(
    trained, tmp_path):
  _compare(tmp_path, 2)
  trained.clear()
  results, lines = _ablate(tmp_path, ["kl_target=0.02"], algo="ppo_kl")
  # ppo-vs-brax's pgkit side is ppo_clip: ppo_kl's baseline trains, and there is no Brax row.
  assert trained == [("pgkit", 0), ("pgkit", 1)] * 2 and ablation.BRAX not in results
  assert lines[0].startswith("# ablation algo=ppo_kl env=inverted_pendulum ")
  saved = json.load(open(tmp_path / "ablation-ppo_kl-inverted_pendulum.json"))
  assert saved[record.SETTINGS]["algo"] == "ppo_kl"
  assert {k: len(v) for k, v in saved["runs"].items()} == {
      ablation.BASE: 2, "kl_target=0.02": 2, ablation.BRAX: 0}
  assert not (tmp_path / "ablation-inverted_pendulum.json").exists()
  assert (tmp_path / "ablation-ppo_kl-inverted_pendulum.png").stat().st_size > 0


def test_paired_keeps_the_seeds_every_trainer_finished():
  runs = {"brax": [_run("brax", 1), _run("brax", 0), _run("brax", 2)],
          "pgkit": [_run("pgkit", 0), _run("pgkit", 1)]}
  assert record.paired(runs, 3) == {"brax": [_run("brax", 0), _run("brax", 1)],
                                 "pgkit": [_run("pgkit", 0), _run("pgkit", 1)]}


def _ablate(out, specs, **kw):
  lines = []
  results = ablation.ablate("inverted_pendulum", "positional", 1000, 2, specs, cli._owners,
                            print_fn=lines.append, out=str(out), **kw)
  return results, lines


def test_ablation_resumes_and_reuses_the_variants_it_has(trained, tmp_path):
  # 60 s a run: two runs fit in 150 s, a third would end at 180 s.
  results, lines = _ablate(tmp_path, ["clip_epsilon=0.2"], time_budget=150.0)
  assert trained == [("pgkit", 0), ("pgkit", 1)]
  assert [r.seed for r in results[ablation.BASE]] == [0, 1] and results["clip_epsilon=0.2"] == []
  assert not any(line.startswith("| change") for line in lines)  # no table until complete
  saved = json.load(open(tmp_path / "ablation-inverted_pendulum.json"))
  assert [r["trainer"] for r in saved["runs"][ablation.BASE]] == [ablation.BASE] * 2
  results, lines = _ablate(tmp_path, ["clip_epsilon=0.2"])
  assert trained[2:] == [("pgkit", 0), ("pgkit", 1)]  # the variant's two seeds only
  assert [r.trainer for r in results["clip_epsilon=0.2"]] == ["clip_epsilon=0.2"] * 2
  # _run's returns at 163,840 steps: seeds 0 and 1 -> 51 and 151, mean 101, stdev 71.
  assert "| clip_epsilon=0.2 | 2 | 101 ± 71 |" in lines
  results, _ = _ablate(tmp_path, ["clip_epsilon=0.2", "entropy_coef=0"])
  assert len(trained) == 6 and sorted(results) == [ablation.BASE, "clip_epsilon=0.2",
                                                     "entropy_coef=0"]
  with pytest.raises(InputError, match="num_timesteps differ"):
    ablation.ablate("inverted_pendulum", "positional", 2000, 2, [], cli._owners,
                    print_fn=lambda line: None, out=str(tmp_path))
  assert cli.main(["bench", "ablation", "--time-budget", "-1"]) == 2
  assert len(trained) == 6


def test_a_record_of_other_pgkit_settings_is_refused_and_one_without_them_is_read(trained,
                                                                                 tmp_path):
  from pgkit.bench import settings
  _compare(tmp_path, 1)
  path = tmp_path / "ppo-vs-brax-inverted_pendulum.json"
  saved = json.load(open(path))
  assert saved[record.SETTINGS]["options"]["critic_updates"] == "separate"
  # The same command after a preset changed: pgkit_equivalent now gives the joint schedule.
  equivalent = settings.pgkit_equivalent
  joint = lambda *a: equivalent(*a).replace(critic_updates="joint")
  with pytest.MonkeyPatch.context() as m:
    m.setattr(settings, "pgkit_equivalent", joint)
    with pytest.raises(InputError, match=r"other settings \(critic_updates differ\)"):
      _compare(tmp_path, 1)
    trained.clear()  # nor does an ablation take that record's runs as its baseline or reference
    results, lines = _ablate(tmp_path, [])
    assert trained == [("pgkit", 0), ("pgkit", 1)] and ablation.BRAX not in results
    assert not any(line.startswith(("baseline:", "reference:")) for line in lines)
  # A record written before the field existed is read, and one with a setting this pgkit does
  # not know (or lacks) is compared on the settings both hold.
  saved["pgkit_settings"]["options"]["a_field_removed_since"] = 1
  del saved["pgkit_settings"]["hparams"]["clip_epsilon"]
  json.dump(saved, open(path, "w"))
  trained.clear()
  assert _compare(tmp_path, 1)["complete"] and trained == []
  del saved["pgkit_settings"]
  json.dump(saved, open(path, "w"))
  assert _compare(tmp_path, 1)["complete"] and trained == []


def test_a_cpu_record_names_the_model_and_one_of_another_model_is_refused(
    trained, tmp_path, monkeypatch):
  monkeypatch.setattr(record, "cpu_model", lambda: "AMD EPYC")
  _compare(tmp_path, 1)
  path = tmp_path / "ppo-vs-brax-inverted_pendulum.json"
  saved = json.load(open(path))
  assert saved["device"] == "1× cpu (AMD EPYC)"
  monkeypatch.setattr(record, "cpu_model", lambda: "Intel(R) Xeon(R) Processor")
  trained.clear()
  with pytest.raises(InputError, match="device differ"):
    _compare(tmp_path, 2)
  out = tmp_path / "abl"
  out.mkdir()
  (out / "ppo-vs-brax-inverted_pendulum.json").write_text(path.read_text())
  _ablate(out, [])  # another CPU's baseline is not borrowed: trained here
  assert trained == [("pgkit", 0), ("pgkit", 1)]
  # A record written before devices named the CPU model ("1× cpu") is compared without it.
  saved["device"] = "1× cpu"
  path.write_text(json.dumps(saved))
  trained.clear()
  _compare(tmp_path, 2)
  assert trained == [("pgkit", 1), ("brax", 1)]  # seed 0 resumed from the old record
  assert json.load(open(path))["device"] == "1× cpu"  # seed 0's CPU is unknown: no model claimed
  (out / "ppo-vs-brax-inverted_pendulum.json").write_text(path.read_text())
  (out / "ablation-inverted_pendulum.json").unlink()
  trained.clear()
  _ablate(out, [])  # the old record's baseline is borrowed, and the ablation names no model
  assert trained == []
  assert json.load(open(out / "ablation-inverted_pendulum.json"))["device"] == "1× cpu"


def test_cpu_model_reads_the_processors_model_name():
  model = record.cpu_model()
  with open("/proc/cpuinfo") as f:  # the CI and this project's machines are Linux
    names = {line.split(":", 1)[1].strip() for line in f if line.startswith("model name")}
  assert model in names and model
