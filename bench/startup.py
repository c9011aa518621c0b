"""Startup: process start until the main window is shown and accepts input.

    python -m bench.startup [--runs 5] [--users 20000] [--display auto|xvfb|offscreen] [--profile]

Compares, in the same run, the console (``python main.py --sandbox --user demo-admin --db
sqlite+aiosqlite:///<seeded copy>``) with a bare PySide6 window (the same QApplication setup,
a QMainWindow with a label). Both run as subprocesses on a private Xvfb server (or Qt's
offscreen platform), with their own XDG folders (QSettings, logs, font cache).

Measurement, from outside the console (nothing of ours is patched): each process is started
through a small probe script written to a temp folder. The parent passes its ``time.time()``
taken just before spawning. The probe arms a 2 ms Qt timer as soon as a QApplication and the
event loop exist (for the console: an asyncio event-loop policy whose ``set_event_loop`` is
what ``console.__main__`` calls after creating the QApplication); the timer looks for a
visible, exposed QMainWindow, then posts a zero-timer; when that fires the event loop is
processing input. The probe prints the time since the parent's spawn and ends the process.

The database is seeded before timing (cached in --db-dir; copied once per invocation), and
one untimed run of each warms the file cache, writes the bytecode cache (``PYTHONPYCACHEPREFIX``
in the temp folder, as an installed program has .pyc files) and builds the font cache. Runs alternate
bare/console; the median of --runs is reported. ``--profile`` adds ``-X importtime`` and
cProfile runs of the console (untimed) and prints where the time goes. Last line::

    RESULT startup ours=<s> baseline=<s> ratio=<x> full_s=<s> full_ratio=<x> ours_pg=<s> full_s_pg=<s> ratio_pg=<x>

The ``_pg`` fields: the same console on a seeded PostgreSQL database, signing in as the demo admin's own
login role (the team deployment), without the sandbox; ``ratio_pg`` against bare starts measured beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench._common import DEFAULT_DIR, ensure_sqlite, loadavg, log, wait_for_quiet

REPO = Path(__file__).resolve().parent.parent

# The probe shared by both scripts: arm() is called once a QApplication exists.
_PROBE = r'''
import json, os, sys, time
_T0 = float(os.environ["BENCH_STARTUP_T0"])
_MARKS = {"interpreter": time.time()}
_KEEP = []
_PROFILE = os.environ.get("BENCH_STARTUP_PROFILE")
if _PROFILE:
    import cProfile
    _PROF = cProfile.Profile()
    _PROF.enable()


def _input():
    _MARKS["input"] = time.time()


def _ready():
    _MARKS["full"] = time.time()
    if _PROFILE:
        _PROF.disable()
        _PROF.dump_stats(_PROFILE)
    marks = {k: round(v - _T0, 4) for k, v in _MARKS.items()}
    print("BENCH_READY " + json.dumps({"ready": marks["input"], "full": marks["full"], "marks": marks}), flush=True)
    os._exit(0)


def arm():
    if _KEEP:
        return
    from PySide6.QtCore import QTimer, Qt
    from PySide6.QtWidgets import QApplication, QMainWindow
    if QApplication.instance() is None:
        return
    _MARKS["qapp+loop"] = time.time()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(2)

    def poll():
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMainWindow) and w.isVisible():
                h = w.windowHandle()
                if "shown" not in _MARKS and h is not None and h.isExposed():
                    _MARKS["shown"] = time.time()
                    QTimer.singleShot(0, _input)  # fires once the loop is processing events again
                # "full": the console's panes are attached (the bare window has none to wait for)
                if "input" in _MARKS and getattr(w, "panes", True):
                    timer.stop()
                    QTimer.singleShot(0, _ready)
                    return

    timer.timeout.connect(poll)
    timer.start()
    _KEEP.append(timer)
'''

CONSOLE_PROBE = _PROBE + r'''
import asyncio
import runpy


class _Policy(asyncio.DefaultEventLoopPolicy):
    """console.__main__ calls asyncio.set_event_loop(qasync loop) right after the QApplication."""

    def set_event_loop(self, loop):
        super().set_event_loop(loop)
        if loop is not None and "PySide6.QtWidgets" in sys.modules:
            arm()


asyncio.set_event_loop_policy(_Policy())
repo = os.environ["BENCH_STARTUP_REPO"]
sys.path[0] = repo  # as `python main.py` from the repository
sys.argv = [os.path.join(repo, "main.py"), *sys.argv[1:]]
runpy.run_path(sys.argv[0], run_name="__main__")
print("BENCH_EXITED", flush=True)
'''

BARE_PROBE = _PROBE + r'''
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
# the same QApplication setup as console/__main__.py
app.setApplicationName("shihou-console")
app.setOrganizationName("shihou")
app.setApplicationDisplayName("狮吼直播控制台")
app.setQuitOnLastWindowClosed(False)
w = QMainWindow()
w.setCentralWidget(QLabel("狮吼直播控制台"))
w.resize(1280, 800)
w.show()
arm()
app.exec()
'''


class Display:
    """A private Xvfb server, or Qt's offscreen platform."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.proc: subprocess.Popen[bytes] | None = None
        self.name = ""

    def _accepts(self) -> bool:
        """Our Xvfb runs and accepts a connection on its socket."""
        if self.proc is None or self.proc.poll() is not None:
            return False
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(2)
                s.connect(f"/tmp/.X11-unix/X{self.name[1:]}")
        except OSError:
            return False
        return True

    def ensure(self) -> dict[str, str]:
        """The children's environment; restarts Xvfb if it has gone away."""
        if self.mode == "xvfb" and not self._accepts():
            log(f"  Xvfb {self.name} is gone; starting another")
            self.stop()
            self.start()
        return self.env()

    def start(self) -> Display:
        """Xvfb on a free display from :90 up (xvfb-run -a starts at :99), else offscreen."""
        if self.mode in ("auto", "xvfb") and shutil.which("Xvfb"):
            tries = 0
            for n in range(90, 200):
                if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
                    continue
                self.name = f":{n}"
                self.proc = subprocess.Popen(["Xvfb", self.name, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and self.proc.poll() is None:
                    if self._accepts():
                        self.mode = "xvfb"
                        return self
                    time.sleep(0.05)
                self.stop()  # taken meanwhile, or broken: try the next number
                tries += 1
                if tries == 5:
                    break
        if self.mode == "xvfb":
            raise SystemExit("Xvfb did not start (apt-get install xvfb)")
        self.mode = "offscreen"
        return self

    def env(self) -> dict[str, str]:
        if self.mode == "xvfb":
            return {"DISPLAY": self.name, "QT_QPA_PLATFORM": "xcb"}
        return {"QT_QPA_PLATFORM": "offscreen"}

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


class Runner:
    def __init__(self, work: Path, display: Display, db_url: str, timeout: float) -> None:
        self.work = work
        self.display = display
        self.db_url = db_url
        self.timeout = timeout
        #: the console's arguments: the SQLite sandbox; on PostgreSQL the demo admin's own login (no sandbox)
        self.console_args = ["--sandbox", "--user", "demo-admin", "--db", db_url]
        (work / "console_probe.py").write_text(CONSOLE_PROBE)
        (work / "bare_probe.py").write_text(BARE_PROBE)
        # Our variables must not start with SHIHOU_: the console's settings refuse unknown SHIHOU_* names.
        self.base_env = {k: v for k, v in os.environ.items()
                         if not k.startswith("SHIHOU_") and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        for x in ("DATA", "CONFIG", "STATE", "CACHE"):
            d = work / x.lower()
            d.mkdir(exist_ok=True)
            self.base_env[f"XDG_{x}_HOME"] = str(d)
        self.base_env["BENCH_STARTUP_REPO"] = str(REPO)
        # Installed programs start from compiled bytecode: let the warm-up run write it (into the
        # temp folder, not the tree) even where PYTHONDONTWRITEBYTECODE is set, for both programs.
        self.base_env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.base_env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        # The probe ends the process without the console's cleanup: whatever it started (the
        # sandbox's emulators and ffmpeg test streams) is found by a per-run token in its
        # environment and stopped; their temp files land in our folder.
        (work / "tmp").mkdir(exist_ok=True)
        self.base_env["TMPDIR"] = str(work / "tmp")
        self.base_env.update(display.env())

    def command(self, which: str, py_flags: tuple[str, ...] = ()) -> list[str]:
        if which == "bare":
            return [sys.executable, *py_flags, str(self.work / "bare_probe.py")]
        return [sys.executable, *py_flags, str(self.work / "console_probe.py"), *self.console_args]

    def run(self, which: str, *, py_flags: tuple[str, ...] = (), extra_env: dict[str, str] | None = None
            ) -> tuple[dict[str, Any], str]:
        """One start; returns the probe's report and the process's stderr."""
        env = dict(self.base_env, **self.display.ensure(), **(extra_env or {}))
        token = uuid.uuid4().hex
        env["BENCH_STARTUP_RUN"] = token
        err_path = self.work / f"{which}.stderr"
        with err_path.open("wb") as err:
            t0 = time.time()
            env["BENCH_STARTUP_T0"] = repr(t0)
            p0 = time.perf_counter()
            proc = subprocess.Popen(self.command(which, py_flags), cwd=REPO, env=env, stdout=subprocess.PIPE,
                                    stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                out, _ = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            wall = time.perf_counter() - p0
        try:  # its process group first (children that kept it), then anything with the token
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        stop_leftovers(token, self.work)
        stderr = err_path.read_text(errors="replace")
        for line in out.decode(errors="replace").splitlines():
            if line.startswith("BENCH_READY "):
                report = json.loads(line.split(" ", 1)[1])
                report["parent_wall"] = round(wall, 4)
                return report, stderr
        raise RuntimeError(f"{which} never showed a usable main window (exit {proc.returncode}); "
                           f"stdout: {out.decode(errors='replace')[-500:]!r}\nstderr (tail):\n{stderr[-3000:]}")


def stop_leftovers(token: str, work: Path, grace: float = 3.0) -> int:
    """Stop (by pid) every process still carrying this run's token in its environment, or our
    temp folder on its command line (daemons such as nginx rewrite their environment)."""
    needle = f"BENCH_STARTUP_RUN={token}".encode()
    folder = str(work).encode()

    def carriers() -> list[int]:
        pids = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit() and int(d.name) != os.getpid():
                try:
                    if (needle in (d / "environ").read_bytes().split(b"\0")
                            or folder in (d / "cmdline").read_bytes()):
                        pids.append(int(d.name))
                except OSError:
                    pass
        return pids

    left = carriers()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = carriers()
        if not left:
            break
    return len(left)


# --- profiling ---------------------------------------------------------------------------------

_IMPORT_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def importtime_report(stderr: str, top: int = 25) -> list[str]:
    """Top-level imports by cumulative time, and the share of each root package (self time)."""
    rows = []
    for line in stderr.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2, m.group(4)))
    total_self = sum(r[0] for r in rows)
    by_root: dict[str, int] = {}
    for self_us, _cum, _depth, name in rows:
        root = name.split(".")[0]
        if root == "console":
            root = ".".join(name.split(".")[:2])
        by_root[root] = by_root.get(root, 0) + self_us
    out = [f"all imports: {total_self / 1000:.0f} ms (self time summed, under -X importtime)",
           "by package (self time, ms): " + ", ".join(
               f"{k} {v / 1000:.0f}" for k, v in sorted(by_root.items(), key=lambda kv: -kv[1])[:16])]
    tops = sorted((r for r in rows if r[2] == 0), key=lambda r: -r[1])[:top]
    out.append("largest top-level imports (cumulative ms; nested imports count once, under the first importer):")
    out += [f"  {cum / 1000:8.1f}  {name}" for _s, cum, _d, name in tops]
    deep = sorted(rows, key=lambda r: -r[0])[:12]
    out.append("largest single modules (self ms):")
    out += [f"  {s / 1000:8.1f}  {name}" for s, _c, _d, name in deep]
    return out


def cprofile_report(path: Path, top: int = 40) -> list[str]:
    import io

    buf = io.StringIO()
    st = pstats.Stats(str(path), stream=buf)
    st.sort_stats("cumulative").print_stats(r"console|main\.py|argon2|alembic|migrate|qasync|<module>|__init__", top)
    lines = buf.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return lines[start:]


# --- main ----------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="timed starts of each (median reported; default 5)")
    p.add_argument("--users", type=int, default=20_000, help="users in the seeded SQLite file (default 20000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--db-dir", type=Path, default=DEFAULT_DIR, help=f"cache folder (default {DEFAULT_DIR})")
    p.add_argument("--reuse", action="store_true", help="reuse the seeded file cached in --db-dir")
    p.add_argument("--display", choices=["auto", "xvfb", "offscreen"], default="auto",
                   help="auto: a private Xvfb server when installed, else Qt's offscreen platform")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one start may take")
    p.add_argument("--max-load", type=float, default=1.0, help="wait for this 1-min load before timing")
    p.add_argument("--max-wait", type=float, default=60.0, help="…but at most this many seconds")
    p.add_argument("--profile", action="store_true", help="also -X importtime and cProfile runs of the console")
    p.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL starts (sign-in as the operator)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    src, meta = ensure_sqlite(args.db_dir, args.users, args.seed, reuse=args.reuse)
    work = Path(tempfile.mkdtemp(prefix="shihou-startup-"))
    db = work / "console.db"
    shutil.copyfile(src, db)
    display = Display(args.display).start()
    try:
        r = Runner(work, display, f"sqlite+aiosqlite:///{db}", args.timeout)
        print(f"bench.startup: {args.runs} runs each, display {display.mode} {display.name}, database "
              f"{args.users:,} users ({meta.get('file_mib', '?')} MiB), Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs, 1-min load {loadavg():.2f}")
        log("warm-up starts (untimed): bare, console")
        r.run("bare")
        r.run("console")
        load = wait_for_quiet(args.max_load, args.max_wait)
        log(f"timing (1-min load {load:.2f})")
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "console": []}
        for i in range(args.runs):
            for which in (("bare", "console") if i % 2 == 0 else ("console", "bare")):
                rep, _ = r.run(which)
                runs[which].append(rep)
                log(f"  run {i + 1} {which:<7} {rep['ready']:.3f} s  marks {rep['marks']}")
        print(f"\n{'run':>3} | {'bare s':>7} | {'console s':>9}")
        for i in range(args.runs):
            print(f"{i + 1:>3} | {runs['bare'][i]['ready']:>7.3f} | {runs['console'][i]['ready']:>9.3f}")
        med = {k: statistics.median(x["ready"] for x in v) for k, v in runs.items()}
        print(f"med | {med['bare']:>7.3f} | {med['console']:>9.3f}   (1-min load at start {load:.2f})")
        print("\nmedian phase times since spawn (s): interpreter = the probe's first line ran; "
              "qapp+loop = QApplication and event loop exist; shown = QMainWindow visible and exposed; "
              "ready = a zero-timer fired after that (input is processed); full = the console's panes are "
              "attached (signed in, services built; the bare window has nothing more to load)")
        for k, v in runs.items():
            keys = ["interpreter", "qapp+loop", "shown"]
            ph = {m: statistics.median(x["marks"].get(m, float("nan")) for x in v) for m in keys}
            print(f"  {k:<8} " + "  ".join(f"{m} {ph[m]:.3f}" for m in keys)
                  + f"  ready {med[k]:.3f}  (parent-side wall to exit {statistics.median(x['parent_wall'] for x in v):.3f})")
        full = statistics.median(x["full"] for x in runs["console"])
        print(f"  console panes attached (full) {full:.3f}")
        if args.profile:
            profile(r, work)
        pg = "" if args.no_pg else postgres_starts(r, args)
        print(f"RESULT startup ours={med['console']:.3f} baseline={med['bare']:.3f} "
              f"ratio={med['console'] / med['bare']:.2f} full_s={full:.3f} full_ratio={full / med['bare']:.2f}{pg}")
    finally:
        display.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def postgres_starts(r: Runner, args: argparse.Namespace) -> str:
    """The same console started on PostgreSQL, signing in as the demo admin's own login role (the team
    deployment: the URL has no user). Returns the RESULT fields ``ours_pg``, ``full_s_pg``, ``ratio_pg``."""
    from sqlalchemy.engine import make_url

    from bench._common import CachedPgCluster, ensure_pg
    from console.sandbox.demo import DEMO_PASSWORD

    with CachedPgCluster(args.db_dir / "pg-startup") as pg:
        url, _meta = ensure_pg(pg, args.users, args.seed, reuse=args.reuse)
        r.console_args = ["--user", "demo-admin", "--db", str(make_url(url).set(username=None))]
        env = {"SHIHOU_PASSWORD": DEMO_PASSWORD}
        r.run("console", extra_env=env)  # untimed warm-up
        ready, full, bare = [], [], []
        for _ in range(args.runs):
            bare.append(r.run("bare")[0]["ready"])
            rep, _err = r.run("console", extra_env=env)
            ready.append(rep["ready"])
            full.append(rep["full"])
    med, fmed, bmed = statistics.median(ready), statistics.median(full), statistics.median(bare)
    print(f"PostgreSQL (sign-in as the operator's login): ready {med:.3f} s, panes attached (full) {fmed:.3f} s, "
          f"bare {bmed:.3f} s")
    return f" ours_pg={med:.3f} full_s_pg={fmed:.3f} ratio_pg={med / bmed:.2f}"


def profile(r: Runner, work: Path) -> None:
    print("\n-- where the console's start goes")
    rep, err = r.run("console", py_flags=("-X", "importtime"))
    print(f"(this run, under -X importtime: ready at {rep['ready']:.3f} s)")
    print("\n".join(importtime_report(err)))
    _, err_b = r.run("bare", py_flags=("-X", "importtime"))
    print("bare window, for comparison: " + importtime_report(err_b, top=0)[0])
    prof = work / "console.prof"
    rep, _ = r.run("console", extra_env={"BENCH_STARTUP_PROFILE": str(prof)})
    print(f"\ncProfile of a console start until ready ({rep['ready']:.3f} s under the profiler), by cumulative time:")
    print("\n".join(cprofile_report(prof)))


if __name__ == "__main__":
    sys.exit(main())
