"""An interrupted run resumed from its checkpoint ends with exactly the parameters of an
uninterrupted one; a NaN chunk is reported and never saved."""
import json

import jax
import numpy as np
import pytest

from tests.training.test_vmap import TINY
from pgkit.training import checkpoints, run


class Interrupt(Exception):
  pass


def test_resume_is_exact(tmp_path):
  settings = TINY.replace(seed=3, num_chunks=3)
  full = run(settings, print_fn=lambda s: None)
  saved = settings.replace(checkpoint_dir=str(tmp_path))

  def stop_after_first_progress(line):
    if line.startswith("iter"):
      raise Interrupt()

  with pytest.raises(Interrupt):
    run(saved, print_fn=stop_after_first_progress)
  assert checkpoints.latest(str(tmp_path)) == 1
  # A folder written before a field existed resumes: the missing field takes its default.
  path = tmp_path / "settings.json"
  record = json.loads(path.read_text())
  del record["hparams"]["value_clip_epsilon"]
  path.write_text(json.dumps(record))
  lines = []
  resumed = run(saved, print_fn=lines.append)
  assert lines[0].startswith("resumed from") and len(lines) == 1 + 2 + 1
  for a, b in zip(jax.tree.leaves(full.state), jax.tree.leaves(resumed.state)):
    np.testing.assert_array_equal(a, b)
  assert resumed.env_steps == full.env_steps
  with pytest.raises(ValueError, match=r"different settings \['seed', 'learning_rate'\]"):
    run(saved.replace(learning_rate=1e-2, seed=4))


def test_nan_is_reported_and_not_saved(tmp_path):
  # An absurd learning rate drives the networks to non-finite values within a few updates.
  with pytest.raises(FloatingPointError, match="non-finite"):
    run(TINY.replace(learning_rate=1e30, critic_learning_rate=1e30, max_grad_norm=float("inf"),
                     num_chunks=3, checkpoint_dir=str(tmp_path)), print_fn=lambda s: None)
  assert checkpoints.latest(str(tmp_path)) is None
