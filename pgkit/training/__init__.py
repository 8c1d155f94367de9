"""Training: trainers, the chunked loop, the runner, checkpoints."""
from pgkit.training.loop import Compiled, chunking, compiled
from pgkit.training.runner import RunResult, check_finite, run
from pgkit.training.trainer import Trainer, make_trainer
