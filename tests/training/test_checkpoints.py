"""An interrupted run resumed from its checkpoint ends with exactly the parameters of an
uninterrupted one; a NaN chunk is reported and never saved."""
import json
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests.training.test_vmap import TINY
from pgkit import envs
from pgkit.training import DivergenceError, NonFiniteError, checkpoints, health, run, runner


class Interrupt(Exception):
  pass


def test_resume_is_exact(tmp_path):
  settings = TINY.replace(seed=3, num_chunks=3)
  full = run(settings, print_fn=lambda s: None)
  saved = settings.replace(run_dir=str(tmp_path))
  ckpts = str(tmp_path / "checkpoints")

  def stop_after_first_progress(line):
    if line.startswith("iter"):
      raise Interrupt()

  with pytest.raises(Interrupt):
    run(saved, print_fn=stop_after_first_progress)
  assert checkpoints.Checkpoints(ckpts).latest() == 1
  # A folder written before a field existed resumes: the missing field takes its default.
  path = tmp_path / "settings.json"
  record = json.loads(path.read_text())
  del record["hparams"]["value_clip_epsilon"]
  path.write_text(json.dumps(record))
  lines = []
  resumed = run(saved, print_fn=lines.append)
  # resumed, compiled, the reports of iterations 2 and 3, final
  assert lines[0].startswith("resumed from") and len(lines) == 1 + 1 + 2 + 1
  assert lines[1].startswith("compiled the training unit in ")
  for a, b in zip(jax.tree.leaves(full.state), jax.tree.leaves(resumed.state)):
    np.testing.assert_array_equal(a, b)
  assert resumed.env_steps == full.env_steps
  # Its wall time is the resumed process's, so its rate counts iterations 2 and 3 only.
  assert resumed.steps_per_s == pytest.approx(full.env_steps * 2 / 3 / resumed.wall_s)
  # The logs hold one continuous run: the interrupted run reported nothing, the resumed one
  # iterations 2 and 3 (and its result).
  rows = [json.loads(r) for r in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert [r["iteration"] for r in rows] == [2, 3]
  table = (tmp_path / "metrics.csv").read_text().splitlines()
  assert table[0].startswith("iteration,env_steps,") and len(table) == 3
  assert json.loads((tmp_path / "result.json").read_text())["env_steps"] == full.env_steps
  with pytest.raises(ValueError, match=r"different settings \['seed', 'learning_rate'\]"):
    run(saved.replace(learning_rate=1e-2, seed=4))


def test_nonfinite_is_caught_in_the_graph_and_never_saved(tmp_path):
  # An absurd learning rate drives the networks to non-finite values within a few updates; the
  # step that produces one is masked, so the state stays at the last finite values.
  settings = TINY.replace(learning_rate=1e30, critic_learning_rate=1e30,
                          max_grad_norm=float("inf"), num_chunks=3, run_dir=str(tmp_path))
  with pytest.raises(NonFiniteError, match=r"^non-finite \w+ at iteration 1; .*no checkpoint"):
    run(settings, print_fn=lambda s: None)
  assert checkpoints.Checkpoints(str(tmp_path / "checkpoints")).latest() is None


def test_divergence_warns_or_stops(tmp_path):
  # A learning rate of 30 stays finite but moves the policy by ~1e8 nats per iteration.
  settings = TINY.replace(learning_rate=30.0, critic_learning_rate=30.0, num_chunks=3)
  lines = []
  run(settings, print_fn=lines.append)
  assert lines[2].startswith("warning: iteration 1: KL(π_old‖π_θ) per iteration averaged ")
  with pytest.raises(DivergenceError, match="iteration 1: KL.*on_divergence=error"):
    run(settings.replace(on_divergence="error"), print_fn=lambda s: None)


def test_a_report_without_learner_updates_is_not_a_divergence():
  # An off-policy report of warm-up only has no KL (NaN, ``Trainer.report_means``): neither a
  # warning nor, with on_divergence=error, an error; a KL above MAX_KL still is.
  lines = []
  runner._check_divergence(math.nan, 4, "error", lines.append)
  assert lines == []
  with pytest.raises(DivergenceError, match="iteration 4: KL.*averaged 2 nats"):
    runner._check_divergence(2.0, 4, "error", lines.append)


class _State(NamedTuple):
  x: jnp.ndarray
  iteration: jnp.ndarray
  health: health.Health


def test_guard_keeps_the_last_finite_state_from_the_first_bad_value_on():
  old = _State(jnp.ones(2), jnp.array(4), health.healthy())
  new = old._replace(x=jnp.full(2, 2.0), iteration=jnp.array(5))
  ok = health.guard(old, new, {"reward": jnp.ones(3)}, {"loss": jnp.array(1.0)})
  np.testing.assert_array_equal(ok.x, [2.0, 2.0])
  assert int(ok.health.code) == -1
  bad = health.guard(old, new, {"reward": jnp.ones(3)}, {"loss": jnp.array(jnp.nan)})
  np.testing.assert_array_equal(bad.x, [1.0, 1.0])  # the update is not applied
  names = health.names(["loss"])
  assert names[int(bad.health.code)] == "loss" and int(bad.health.iteration) == 5
  later = health.guard(bad, new._replace(iteration=jnp.array(6)), {}, {"loss": jnp.array(0.0)})
  np.testing.assert_array_equal(later.x, [1.0, 1.0])  # masked for the rest of the chunk
  assert int(later.health.iteration) == 5  # the first bad value is the one reported
  with pytest.raises(NonFiniteError, match=r"^non-finite loss at iteration 5; .* checkpoint /c/4$"):
    health.report(jax.device_get(later.health), ["loss"], "/c/4")


def test_first_non_finite_names_the_first_bad_quantity():
  """Quantities numbered in order; integer leaves and empty quantities are counted but never
  bad; NaN and ±inf both count; the first bad quantity wins."""
  fine = {"w": jnp.ones((3, 2)), "steps": jnp.array([7], jnp.int32)}
  bad = {"w": jnp.ones((3, 2)), "b": jnp.array([0.0, jnp.inf])}
  first = jax.jit(health.first_non_finite)
  assert int(first([fine, (), fine, jnp.array(1.0)])) == -1
  assert int(first([fine, (), bad, jnp.array(jnp.nan)])) == 2
  assert int(first([fine, (), fine, jnp.array(-jnp.inf)])) == 3
  assert int(first([jnp.array([jnp.nan, 0.0]), bad])) == 0
  assert int(first([(), {"n": jnp.array(3)}])) == -1


def test_zero_size_arrays_round_trip(tmp_path):
  # A Playground (MJX) env state holds zero-size arrays, which orbax alone refuses to save.
  state = {"w": jnp.arange(3.0), "act": jnp.zeros((4, 0)), "n": jnp.array(7, jnp.int32)}
  ckpt = checkpoints.Checkpoints(str(tmp_path))
  ckpt.save(5, state)
  like = jax.tree.map(jnp.zeros_like, state)
  restored = ckpt.restore(5, like)
  assert restored["act"].shape == (4, 0) and restored["act"].dtype == jnp.float32
  np.testing.assert_array_equal(restored["w"], [0.0, 1.0, 2.0])
  assert int(restored["n"]) == 7


class _MomentsBefore(NamedTuple):  # the observation statistics as checkpoints held them before
  count: jax.Array                 # the clip travelled with them
  mean: jax.Array
  m2: jax.Array


def test_observation_clip_comes_from_the_settings_not_the_checkpoint(tmp_path):
  stats = envs.update_stats(envs.init_stats(2, math.inf), jnp.asarray([[0.0, 1.0], [2.0, 3.0]]))
  ckpt = checkpoints.Checkpoints(str(tmp_path))
  ckpt.save(1, {"obs_stats": stats})
  ckpt.save(2, {"obs_stats": _MomentsBefore(stats.count, stats.mean, stats.m2)})
  for step in (1, 2):  # one written with a clip, one from before it existed
    restored = ckpt.restore(step, {"obs_stats": envs.init_stats(2, 3.0)})["obs_stats"]
    assert restored.clip == 3.0 and int(restored.count) == 2
    np.testing.assert_allclose(restored.mean, [1.0, 2.0])
    np.testing.assert_allclose(restored.m2, [2.0, 2.0])
