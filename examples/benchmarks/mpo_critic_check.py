"""Does an MPO run's critic value the policy it evaluates? A check of a saved run folder.

Run: python examples/benchmarks/mpo_critic_check.py RUN_DIR [SEED]

Prints, for the newest checkpoint of an off-policy run on a Brax env:

* the policy's pre-tanh scale σ(s) (median per action dimension) over the newest 2000
  sequences in replay: the exploration noise Q is learned under;
* one deterministic episode (the policy's mode): its length, how it ended (torso height
  ``q[2]`` at the end; Brax's Ant ends an episode outside 0.2-1.0) and, along it,
  ``Q(s_t, μ(s_t))`` beside the realised discounted return-to-go
  ``G_t = Σ_k γ^k r_{t+k}`` (to the episode's end).

Retrace fits Q to the *target policy's* value, ``Q(s, a) = r + γ E_{a'∼π}[Q(s', a')]``
(Munos et al. 2016, "Safe and Efficient Off-Policy Reinforcement Learning", arXiv:1606.02647),
so where sampling from π is much worse than its mode, Q sits far below G of the deterministic
episode, and what ends an episode costs the policy little in Q.
"""
import sys
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.envs.acting import normalize
from pgkit.returns import reward_to_go
from pgkit.runs.restore import restore
from pgkit.training.trainer import make_q_critic

warnings.filterwarnings("ignore", category=DeprecationWarning, module="brax")


def noise_scale(r, sequences=2000):
  """Median σ per action dimension over the newest ``sequences`` replayed sequences."""
  st = r.state
  size, nxt = int(st.replay.size), int(st.replay.next_index)
  idx = (nxt - 1 - np.arange(min(sequences, size))) % size
  obs = st.replay.data.observation[idx]
  obs = normalize(st.obs_stats, obs.reshape(-1, obs.shape[-1]))
  return np.median(np.asarray(r.trainer.policy.apply(st.policy_params, obs).scale_diag), 0)


def deterministic_episode(r, key):
  """(Q of each step's mode action, rewards, alive mask, torso heights) of one episode."""
  st, env, policy = r.state, r.trainer.env, r.trainer.policy
  q_critic = make_q_critic(r.settings.run, env)

  def one(carry, _):
    s, alive = carry
    o = normalize(st.obs_stats, s.observation[None])
    a = policy.apply(st.policy_params, o).mode()
    q = jnp.ravel(q_critic.apply(st.learner.critic_params, o, a))[0]
    s = env.step(s, policy.postprocess(a[0]))
    done = jnp.maximum(s.termination, s.truncation)
    return (s, alive * (1.0 - done)), (q, s.reward, alive, s.state.pipeline_state.q[2])

  length = r.settings.run.episode_length
  run = jax.jit(lambda s: jax.lax.scan(one, (s, 1.0), None, length=length)[1])
  return map(np.asarray, run(env.reset(key)))


def main():
  r = restore(sys.argv[1])
  gamma = float(r.settings.hparams.discount)
  key = jax.random.PRNGKey(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
  print(f"{sys.argv[1]}: checkpoint of {r.env_steps:,} env steps")
  print("sigma (median per dimension):", np.round(noise_scale(r), 3))
  qs, rewards, alive, height = deterministic_episode(r, key)
  n = int(alive.sum())
  none = np.zeros(n, np.float32)  # Monte Carlo to the episode's end: no bootstrap, no cut
  to_go = np.asarray(reward_to_go(rewards[:n], none, none, none, gamma))
  print(f"mode episode: {n} steps, return {rewards[:n].sum():.1f}, torso height at its end "
        f"{height[n - 1]:.3f}")
  for t in sorted(set(range(0, n, max(1, n // 8))) | set(range(max(0, n - 4), n))):
    print(f"  t {t:4d}  Q {qs[t]:8.1f}  G {to_go[t]:8.1f}")


if __name__ == "__main__":
  main()
