"""One of 2 processes training together (``jax.distributed`` on localhost, one CPU device each).

argv: OUT PORT PROCESS_ID. Trains the tiny config into ``OUT/run`` through the same path as
``pgkit train --coordinator localhost:PORT --num-processes 2 --process-id I``, then runs it
again, which resumes from the last checkpoint. Writes ``OUT/params_<I>.npz``: the final policy
parameters of both runs as this process holds them.
"""
import os
import sys

import jax  # noqa: E402
import numpy as np  # noqa: E402

import pgkit  # noqa: E402
from pgkit.training import distributed, sharding  # noqa: E402
from tests.scale import tiny  # noqa: E402


def flat(state):
  return np.concatenate([np.ravel(x) for x in jax.tree.leaves(sharding.fetch(
      state.policy_params))])


def main(out, port, process_id):
  cluster, rest = distributed.parse(["--coordinator", f"localhost:{port}", "--num-processes",
                                     "2", "--process-id", process_id])
  assert not rest
  distributed.initialize(cluster)
  assert jax.process_count() == 2 and jax.device_count() == 2
  settings = pgkit.preset(tiny.ALGO, tiny.ENV, **tiny.CHANGES,
                          run_dir=os.path.join(out, "run"))
  first = pgkit.run(settings)
  again = pgkit.run(settings)  # resumes from the checkpoint of the last iteration
  np.savez(os.path.join(out, f"params_{process_id}.npz"), first=flat(first.state),
           again=flat(again.state), eval_return=[first.eval_return, again.eval_return])


if __name__ == "__main__":
  main(*sys.argv[1:])
