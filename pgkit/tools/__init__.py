"""What a researcher does with runs: ``pgkit eval``, ``render``, ``plot`` and ``list``.

Each module holds one command: ``add_arguments(parser)`` declares its flags and
``command(args)`` runs it (``pgkit.cli`` wires them)."""


def add_policy_arguments(parser) -> None:
  """The flags every command that plays a run's policy takes: the run folder, which checkpoint,
  and whether to sample actions."""
  parser.add_argument("run_dir", help="a run folder (pgkit train --run-dir)")
  parser.add_argument("--checkpoint", type=int, default=None,
                      help="the iteration of a saved checkpoint (default: the newest)")
  parser.add_argument("--stochastic", action="store_true",
                      help="sample actions from the policy instead of taking its mode")
