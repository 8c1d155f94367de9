"""Networks: policies returning distrax distributions, and critics."""
from pgkit.networks.critics import Critic, QCritic, discrete_q_critic, q_critic, value_critic
from pgkit.networks.distributions import TanhNormal, squashed_entropy, tanh_log_det_jacobian
from pgkit.networks.mlp import MLP
from pgkit.networks.policies import (Policy, categorical_policy, gaussian_policy,
                                     tanh_gaussian_policy)
