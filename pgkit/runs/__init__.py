"""Run folders: their layout and checks, their logs, and a saved run restored."""
from pgkit.runs.folder import (CHECKPOINTS, METRICS, RESULT, SETTINGS, TABLE, default_run_dir,
                               read_metrics, read_result, read_settings)
