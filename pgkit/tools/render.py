"""``pgkit render RUN_DIR --out FILE [--checkpoint ITERATION] [--stochastic] [--steps N]``.

One episode of the run's policy (its mode, or sampled with ``--stochastic``), until it ends or
``--steps``, written as

* ``.html``: Brax's viewer (``brax.io.html``), a page that opens in a browser (it loads the
  viewer's JavaScript from a CDN);
* ``.gif`` or ``.mp4``: frames from MuJoCo's offscreen renderer (``brax.io.image``). It needs an
  OpenGL context: pgkit asks MuJoCo for EGL unless ``MUJOCO_GL`` says otherwise, and where none
  can be made the error says so. ``.mp4`` needs the ``video`` extra (imageio with ffmpeg).
"""
from __future__ import annotations

import argparse
import os

import jax
import numpy as np

from pgkit.settings.errors import InputError
from pgkit.tools import add_policy_arguments

FORMATS = (".html", ".gif", ".mp4")


def add_arguments(parser: argparse.ArgumentParser) -> None:
  add_policy_arguments(parser)
  parser.add_argument("--out", required=True, help=f"the file to write: {', '.join(FORMATS)}")
  parser.add_argument("--steps", type=int, default=None,
                      help="at most this many steps (default: the run's episode_length)")


def rollout(run_dir: str, checkpoint: int | None = None, stochastic: bool = False,
            steps: int | None = None):
  """(the Brax env, its physics states from the reset to the episode's end, the episode's
  return)."""
  from pgkit.runs.restore import player, restore
  from pgkit.training import loop

  if steps is not None and steps < 1:
    raise InputError(f"steps must be >= 1, got {steps}")
  r = restore(run_dir, checkpoint)
  env, run = r.trainer.env, r.settings.run
  if not hasattr(env.raw, "sys"):  # gymnax and Playground tasks have no Brax system
    raise InputError(f"render: env {run.env!r} has no Brax system to draw (render draws Brax "
                     "envs)")
  length = min(steps or run.episode_length, run.episode_length)
  key = loop.seed_keys(run.seed)[1]
  play = player(r.trainer, 1, length, stochastic, keep_states=True)
  returns, lengths, states = jax.device_get(play(r.state, key))
  first = jax.device_get(jax.jit(env.reset)(jax.random.split(key, 1)[0]).state.pipeline_state)
  n, states = int(lengths[0]), states.pipeline_state
  frames = [first] + [jax.tree.map(lambda x, t=t: np.asarray(x[t, 0]), states) for t in range(n)]
  return env.raw, frames, float(returns[0])


def render(run_dir: str, out: str, checkpoint: int | None = None, stochastic: bool = False,
           steps: int | None = None) -> tuple[int, float]:
  """Writes ``out``; returns (frames written, the episode's return)."""
  suffix = os.path.splitext(out)[1].lower()
  if suffix not in FORMATS:
    raise InputError(f"out must end in one of {list(FORMATS)}, got {out!r}")
  if suffix != ".html":
    os.environ.setdefault("MUJOCO_GL", "egl")  # before MuJoCo is imported (with Brax)
  env, frames, episode_return = rollout(run_dir, checkpoint, stochastic, steps)
  os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
  if suffix == ".html":
    from brax.io import html
    with open(out, "w") as f:
      f.write(html.render(env.sys, frames))
  else:
    _video(env, frames, out, suffix)
  return len(frames), episode_return


def _video(env, frames, out: str, suffix: str) -> None:
  from brax.io import image
  try:
    pictures = image.render_array(env.sys, frames, height=240, width=320)
  except Exception as e:  # mujoco.FatalError and the like: no OpenGL context can be made
    raise InputError(f"render: this machine cannot render offscreen with MuJoCo "
                     f"(MUJOCO_GL={os.environ.get('MUJOCO_GL')}: {type(e).__name__}: "
                     f"{str(e).splitlines()[0][:160]}); write an .html instead, or set "
                     "MUJOCO_GL to egl or osmesa where one is installed") from None
  fps = 1.0 / float(env.dt)
  if suffix == ".gif":
    from PIL import Image
    first, *rest = [Image.fromarray(p) for p in pictures]
    first.save(out, save_all=True, append_images=rest, duration=1000 / fps, loop=0)
    return
  try:
    import imageio.v2 as imageio
    imageio.mimwrite(out, pictures, fps=fps)
  except ImportError:
    raise InputError("render: .mp4 needs imageio with ffmpeg: pip install 'pgkit[video]'; "
                     ".gif needs nothing extra") from None


def command(args) -> int:
  n, episode_return = render(args.run_dir, args.out, args.checkpoint, args.stochastic,
                             args.steps)
  print(f"render: wrote {args.out} ({n} frames, episode return {episode_return:.2f})")
  return 0


