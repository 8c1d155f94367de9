"""examples/custom_assembly.py: an algorithm in the user's own file, with a hyperparameter of its
own, trains from ``pgkit train module:name`` and sweeps that hyperparameter with vmap."""
import pathlib

import jax
import numpy as np

from pgkit import cli, settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
# gymnax's CartPole: the cheapest env to compile (tests/training/test_vmap.py).
ENV = "gymnax/CartPole-v1"
TINY = dict(num_envs=4, unroll_length=8, num_timesteps=2 * 32,
            episode_length=50, epochs=1, minibatches=2, critic_epochs=1, critic_minibatches=2,
            policy_hidden=(8,), critic_hidden=(8,))


def test_pgkit_train_by_import_path(capsys, monkeypatch):
  monkeypatch.chdir(ROOT)  # as README says: from the repository root
  argv = ["train", "examples.custom_assembly:clip_kl", "--env", ENV,
          "--kl-coef", "0.7", "--num-chunks", "1"]
  for name, value in TINY.items():
    argv += [cli._flag(name), *map(str, value if isinstance(value, tuple) else (value,))]
  assert cli.main(argv) == 0
  last = capsys.readouterr().out.strip().splitlines()[-1]
  assert last.startswith(f"final: algo=clip_kl env={ENV} eval_return=")
  algo = settings.get("examples.custom_assembly:clip_kl")
  assert "kl_coef" in settings.fields.names(algo.hparams)
  assert cli.main(["train", "examples.custom_assembly:clip_kl", "--kl-coef", "-1"]) == 2
  assert "clip_kl: kl_coef must be a finite number >= 0" in capsys.readouterr().err


def test_sweep_over_its_own_hyperparameter(monkeypatch):
  monkeypatch.chdir(ROOT)
  example = settings.get("examples.custom_assembly:clip_kl")
  import examples.custom_assembly as module
  assert module.clip_kl is example
  states, returns = module.sweep(kl_coefs=(0.0, 0.5, 5.0), seeds=2, env=ENV, **TINY)
  assert returns.shape == (3, 2) and np.all(np.isfinite(returns))
  leaf = np.asarray(jax.tree.leaves(states.policy_params)[0])  # [3 coefs, 2 seeds, ...]
  assert leaf.shape[:2] == (3, 2)
  assert not np.allclose(leaf[0, 0], leaf[2, 0])  # the penalty changes what is learned
  assert not np.allclose(leaf[0, 0], leaf[0, 1])  # and so does the seed
