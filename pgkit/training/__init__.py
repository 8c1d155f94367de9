"""Training: static config and traced hyperparameters, presets, trainer, chunked runner."""
from pgkit.training.config import Config, HParams, validate_config, validate_hparams
from pgkit.training.presets import preset, register
from pgkit.training.runner import RunResult, check_finite, run
from pgkit.training.trainer import Trainer, make_trainer
