"""Training: trainers, the chunked loop, the runner, checkpoints."""
from pgkit.training.loop import Compiled, Plan, chunking, compiled, plan
from pgkit.training.health import NonFiniteError
from pgkit.training.runner import DivergenceError, RunResult, run
from pgkit.training.stop import Stopped
from pgkit.training.trainer import Trainer, make_trainer
