"""Where does compile time go? pgkit's training unit against Brax PPO's training epoch.

Run: python examples/benchmarks/compile_anatomy.py [env] [backend] [top]

Each trainer compiles in a child process at Brax's published settings for the env
(``pgkit.bench.settings``) with XLA writing its optimised HLO (``--xla_dump_to``). For the
largest module of each this prints the number of fusions and of distinct kernels (fusions whose
fused computations differ in more than names: XLA's CPU backend generates code once for each
and reuses it for the rest, so code generation time follows this count), then each one's distinct
kernels by origin (JAX's threefry random bits, else the innermost pgkit frame of the HLO's stack
traces, else the library file; JAX reuses a traced function's stack, so a shared helper can
name its first caller).
"""
import collections
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.abspath(__file__)


def child(which: str, env: str, backend: str) -> None:
  """Compile (and, for Brax, run one short training) so that XLA dumps the modules."""
  import jax

  from pgkit.bench import runs, settings
  brax_s = settings.brax_settings(env)
  if which == "brax":
    brax_s.update(num_evals=2)
    steps = brax_s["batch_size"] * brax_s["num_minibatches"] * brax_s["unroll_length"]
    runs.run_brax(env, backend, brax_s, steps, 0, 16)
    return
  from pgkit.training import loop
  from pgkit.training.trainer import make_trainer
  s = settings.pgkit_equivalent(env, backend, brax_s, 1_000_000, 16)
  c = loop.compiled(make_trainer(s), 1)
  hp = jax.tree.map(jax.numpy.asarray, s.hparams)
  state = jax.block_until_ready(c.init(jax.random.PRNGKey(0), hp))
  t0 = time.perf_counter()
  lowered = c.run_chunk.lower(state, hp)
  t1 = time.perf_counter()
  lowered.compile()
  print(f"pgkit run_chunk: lowered in {t1 - t0:.2f} s, compiled in "
        f"{time.perf_counter() - t1:.2f} s")


def kernels(hlo: str) -> tuple[int, dict[str, str]]:
  """(fusions, {normalised fused computation: the name of its first fusion})."""
  bodies, current, name = {}, [], None
  for line in hlo.splitlines():
    m = re.match(r"%?(fused_computation\S*|wrapped_\S*computation\S*) ", line)
    if m:
      name, current = m.group(1), []
    elif name and line.startswith("}"):
      bodies[name], name = "\n".join(current), None
    elif name:
      current.append(re.sub(r"%[\w.\-]+", "%", line.split(", metadata=")[0]))
  fusions, distinct = 0, {}
  for m in re.finditer(r"%([\w.\-]+) = \S+ fusion\(.*?calls=%([\w.\-]+)", hlo):
    fusions += 1
    distinct.setdefault(bodies.get(m.group(2), m.group(2)), m.group(1))
  return fusions, distinct


def origins(hlo: str, names) -> collections.Counter:
  """Each named instruction's innermost pgkit frame (file:function:line), else its library."""
  tables = {k: {} for k in ("FileNames", "FunctionNames", "FileLocations", "StackFrames")}
  table = None
  for line in hlo.splitlines():
    if line in tables:
      table = tables[line]
    elif table is not None and (m := re.match(r"(\d+) (.*)", line)):
      table[int(m.group(1))] = m.group(2)
    elif table is not None and line.strip():
      table = None
  frames = {i: dict(re.findall(r"(\w+)=(\d+)", v)) for i, v in tables["StackFrames"].items()}
  locs = {i: dict(re.findall(r"(\w+)=(\d+)", v)) for i, v in tables["FileLocations"].items()}

  def where(frame_id):
    seen, first = set(), None
    while frame_id in frames and frame_id not in seen:
      seen.add(frame_id)
      loc = locs[int(frames[frame_id]["file_location_id"])]
      path = tables["FileNames"][int(loc["file_name_id"])].strip('"')
      short = path.split("site-packages/")[-1].split(os.getcwd() + "/")[-1]
      func = tables["FunctionNames"][int(loc["function_name_id"])].strip('"').split(".")[-1]
      if "pgkit/" in path and "site-packages" not in path:
        return f"{short}:{func}:{loc['line']}"
      first = first or short
      frame_id = int(frames[frame_id]["parent_frame_id"])
    return first or "(no stack)"

  wanted, out = set(names), collections.Counter()
  for m in re.finditer(r"%([\w.\-]+) = ([^\n]*?)stack_frame_id=(\d+)", hlo):
    if m.group(1) in wanted:  # key splits and random bits: JAX's threefry, whoever called it
      random = "threefry" in m.group(2)
      out["jax.random (threefry)" if random else where(int(m.group(3)))] += 1
  return out


def main(env: str = "inverted_pendulum", backend: str = "positional", top: int = 25) -> None:
  for which in ("pgkit", "brax"):
    with tempfile.TemporaryDirectory() as dump:
      flags = f"--xla_dump_to={dump} --xla_dump_hlo_as_text"
      envvars = dict(os.environ, XLA_FLAGS=flags, PGKIT_COMPILATION_CACHE="off")
      subprocess.run([sys.executable, HERE, "--child", which, env, backend], env=envvars,
                     check=True, stderr=subprocess.DEVNULL)
      files = glob.glob(os.path.join(dump, "*after_optimizations.txt"))
      path = max(files, key=os.path.getsize)
      hlo = open(path).read()
    fusions, distinct = kernels(hlo)
    module = os.path.basename(path).split(".")[1]
    print(f"{which}: largest module {module}: {hlo.count(chr(10))} lines, {fusions} fusions, "
          f"{len(distinct)} distinct kernels")
    for origin, n in origins(hlo, distinct.values()).most_common(top):
      print(f"  {n:4d}  {origin}")


if __name__ == "__main__":
  if sys.argv[1:2] == ["--child"]:
    child(*sys.argv[2:5])
  else:
    args = sys.argv[1:]
    main(*args[:2], *(int(a) for a in args[2:3]))
