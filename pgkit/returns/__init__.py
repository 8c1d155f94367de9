"""Return and advantage estimators, importance ratios, Retrace targets."""
from pgkit.returns.gae import gae, lambda_return_advantage, reward_to_go
from pgkit.returns.importance import KINDS as IMPORTANCE_KINDS
from pgkit.returns.importance import aggregate_log, importance_ratio
from pgkit.returns.retrace import retrace_targets
