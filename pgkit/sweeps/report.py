"""What a sweep leaves in its folder (``runs/sweep-<algo>-<env>-<time>`` by default):

    settings.json   the resolved settings every run shares (the grid changes some fields)
    sweep.json      seeds, the grid axes (traced or static) and every run: run, seed, point
    metrics.jsonl   one row per run and chunk: run, seed, the grid values, every metric (a
                    value that is not finite is ``null``: ``folder.json_line``)
    metrics.csv     the same rows as a table
    results.csv     each run's final deterministic evaluation return
    summary.md      per grid point: mean, median and IQM of the final returns with 95 %
    summary.csv     stratified-bootstrap confidence intervals (``statistics``)
    returns.png     training return against env steps, mean ± std over seeds per grid point
"""
from __future__ import annotations

import csv
import os

from pgkit.runs import folder
from pgkit.sweeps import statistics
from pgkit.tools import plot

SWEEP = "sweep.json"
RESULTS = "results.csv"
SUMMARY = "summary.md"
SUMMARY_TABLE = "summary.csv"
PNG = "returns.png"


def point_label(point: dict) -> str:
  return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                  for k, v in point.items()) or "defaults"


def _write_csv(path: str, rows: list[dict]) -> None:
  columns = list(dict.fromkeys(k for r in rows for k in r))
  with open(path, "w", newline="") as f:
    writer = csv.DictWriter(f, columns)
    writer.writeheader()
    writer.writerows(rows)


def write_runs(out: str, runs: list[dict], rows: list[list[dict]], returns) -> None:
  """``metrics.jsonl``/``metrics.csv`` (rows of every run) and ``results.csv``; ``runs[i]``
  names run i (run, seed, grid values)."""
  flat = [{**runs[i], **r} for i, member in enumerate(rows) for r in member]
  with open(os.path.join(out, folder.METRICS), "w") as f:
    f.writelines(folder.json_line(r) for r in flat)
  _write_csv(os.path.join(out, folder.TABLE), flat)
  _write_csv(os.path.join(out, RESULTS),
             [{**run, "eval_return": float(r)} for run, r in zip(runs, returns)])


def summary(out: str, labels: list[str], scores: dict, reps: int, header: str) -> str:
  """``summary.md`` and ``summary.csv`` from ``scores[label]`` (final returns of its runs)."""
  stats = statistics.summarize(scores, reps)
  lines = [header, "", "| grid point | runs | " + " | ".join(
      f"{n} [95% CI]" for n in statistics.NAMES) + " |", "|---|---|---|---|---|"]
  table = []
  for label in labels:
    s = stats[label]
    lines.append(f"| {label} | {len(scores[label])} | " + " | ".join(
        f"{s[n].value:.1f} [{s[n].low:.1f}, {s[n].high:.1f}]" for n in statistics.NAMES) + " |")
    table.append({"point": label, "runs": len(scores[label]),
                  **{f"{n}{suffix}": getattr(s[n], field) for n in statistics.NAMES
                     for suffix, field in (("", "value"), ("_low", "low"), ("_high", "high"))}})
  text = "\n".join(lines) + "\n"
  with open(os.path.join(out, SUMMARY), "w") as f:
    f.write(text)
  _write_csv(os.path.join(out, SUMMARY_TABLE), table)
  return text


def curves(out: str, labels: list[str], rows_by_label: dict, results_by_label: dict,
           title: str) -> None:
  """``returns.png``: one band per grid point (``pgkit.tools.plot``)."""
  groups = []
  for label in labels:
    g = plot.Group(label)
    g.runs, g.results = rows_by_label[label], results_by_label[label]
    groups.append(g)
  plot.save_returns(groups, os.path.join(out, PNG), title, "pgkit sweep")
