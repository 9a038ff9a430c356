#!/usr/bin/env python3
"""make regress: the co-simulation at scale (docs/regress.md).

  regress.py [run] [--configs ..] [--modes ..] [--seed S] [--seeds K] [-n N] [--optsets ..]
                   [--args="PW_COSIM ARGS"] [--shard i/N] [-j J] [--timeout S] [--out DIR]
  regress.py list  [same job options]      the (shard's) job list, one command a line
  regress.py merge DIR... [--out DIR]      shards' results -> one summary + one JUnit file

One pw_cosim process per job (jobs.py), -j of them at once; each job's log, and its waveform on a
mismatch, go under the output directory; at the end a summary, JUnit XML and results.json (what
merge reads). Exit 0 only if every job passed; 2 for a bad option.
"""
import argparse
import glob
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jobs as J          # noqa: E402  (the folder's modules, found next to this script)
import outcome as O       # noqa: E402
import report as R        # noqa: E402
from merge import cmd_merge  # noqa: E402

DEFAULT_BINARIES = {"default": "build/pw_cosim", "small": "build/pw_cosim_small"}


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, not argparse's usage block: this runs under make, in CI logs.
        sys.stderr.write(f"regress: {message} (see {self.prog} --help)\n")
        sys.exit(2)


def add_job_options(p):
    p.add_argument("--cosim", action="append", default=[], metavar="CONFIG=PATH",
                   help="the pw_cosim binary of a configuration (default: "
                        + ", ".join(f"{k}={v}" for k, v in DEFAULT_BINARIES.items()) + ")")
    p.add_argument("--configs", default="default small", help="configurations (default: %(default)s)")
    p.add_argument("--modes", "--mode", default="all", help="all or a list of " + " ".join(J.MODES))
    p.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    p.add_argument("--seeds", type=int, default=16, help="seeds per configuration, mode and option set (16)")
    p.add_argument("-n", type=int, default=100000, help="translations per job (100000)")
    p.add_argument("--optsets", default="", help="option sets (default: all: " + " ".join(J.OPTION_SETS) + ")")
    p.add_argument("--args", default="", metavar="STRING",
                   help="extra pw_cosim arguments for every job, after the option set's (they win)")
    p.add_argument("--shard", default="", metavar="i/N", help="only jobs k with k mod N == i (i from 0)")


def parse(argv):
    p = Parser(prog="regress.py", description=__doc__,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", parser_class=Parser)
    run = sub.add_parser("run", help="run the jobs (the default command)")
    add_job_options(run)
    run.add_argument("-j", "--jobs", type=int, default=len(os.sched_getaffinity(0)),
                     help="jobs at once (default: the CPUs this process may use)")
    run.add_argument("--timeout", type=float, default=None,
                     help="seconds per job before it is killed and failed (default 120 + N/200; 0: none)")
    run.add_argument("--out", default="build/regress", help="output directory (default %(default)s)")
    run.add_argument("--progress-every", type=float, default=30.0,
                     help="seconds between progress lines when stdout is not a terminal (30)")
    lst = sub.add_parser("list", help="print the (shard's) job list")
    add_job_options(lst)
    mrg = sub.add_parser("merge", help="combine shards' results")
    mrg.add_argument("dirs", nargs="+", metavar="DIR", help="output directories of the shards")
    mrg.add_argument("--out", default=None, help="where the merged summary and JUnit go (the first DIR)")
    if not argv or argv[0] not in ("run", "list", "merge", "-h", "--help"):
        argv = ["run"] + list(argv)
    return p.parse_args(argv)


def job_list(a):
    """(full list, this shard's jobs, shard) from the options; UsageError on a bad knob."""
    binaries = dict(DEFAULT_BINARIES)
    for spec in a.cosim:
        name, eq, path = spec.partition("=")
        if not eq or not name or not path:
            raise J.UsageError(f"bad --cosim '{spec}': want CONFIG=PATH")
        binaries[name] = path
    configs = J.parse_list(a.configs)
    if not configs:
        raise J.UsageError("no configuration given")
    for c in configs:
        if c not in binaries:
            raise J.UsageError(f"unknown configuration '{c}' (known: {' '.join(binaries)})")
    if a.seed < 0 or a.seeds < 1 or a.n < 1:
        raise J.UsageError(f"want SEED >= 0, SEEDS >= 1 and N >= 1 (got {a.seed}, {a.seeds}, {a.n})")
    try:
        extra = shlex.split(a.args)
    except ValueError as e:
        raise J.UsageError(f"bad ARGS '{a.args}': {e}")
    shard = J.parse_shard(a.shard) if a.shard else (0, 1)
    full = J.expand(configs, binaries, J.parse_modes(a.modes), J.parse_optsets(a.optsets),
                    a.seed, a.seeds, a.n, extra)
    return full, J.shard_of(full, shard), shard


def preflight(mine):
    """Every binary exists and accepts ARGS: a typo in ARGS is one error line now, not a failure
    per job later. (-n 0 builds the environment and stops: a fraction of a second.)"""
    seen = set()
    for j in mine:
        if j.binary in seen:
            continue
        seen.add(j.binary)
        if not (os.path.isfile(j.binary) and os.access(j.binary, os.X_OK)):
            raise J.UsageError(f"{j.binary}: no such program (make cosim builds it)")
        cmd = j.command(os.devnull) + ["-n", "0"]
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, errors="replace", timeout=30)
        except subprocess.TimeoutExpired:
            continue    # a hang: each job will time out and say so with its log
        if p.returncode == 2:
            why = (p.stderr.strip().splitlines() or ["exit 2"])[0]
            raise J.UsageError(f"{j.binary} rejects the arguments {shlex.join(j.args)!r}: {why}")


def run_dir(out, shard):
    i, n = shard
    return out if n == 1 else os.path.join(out, f"shard-{i:0{len(str(n - 1))}d}-of-{n}")


def clear_stale(out, rundir, shard):
    """A run replaces earlier results in the same OUT, so merge cannot pick up an old shard:
    its own logs and waveforms, and results.json of shards that are not of this run's split."""
    for sub, ext in (("logs", ".log"), ("fst", ".fst")):
        for f in glob.glob(os.path.join(rundir, sub, "*" + ext)):
            os.remove(f)
    for f in glob.glob(os.path.join(out, "shard-*-of-*", "results.json")):
        if shard[1] == 1 or not os.path.dirname(f).endswith(f"-of-{shard[1]}"):
            os.remove(f)
    for f in ("results.json", "junit.xml", "summary.txt"):
        if os.path.exists(os.path.join(rundir, f)):
            os.remove(os.path.join(rundir, f))


def record(j, o, log, fst):
    return {"index": j.index, "id": j.id, "config": j.config, "mode": j.mode, "optset": j.optset,
            "seed": j.seed, "n": j.n, "args": j.args, "optset_args": J.OPTION_SETS[j.optset],
            "binary": j.binary,
            # What ran, without the waveform path: deterministic, so it fails the same way again.
            "reproduce": shlex.join(j.command()), "status": o.status, "message": o.message,
            "text": o.text, "rc": o.rc, "seconds": round(o.seconds, 3), "cpu": round(o.cpu, 3),
            "stats": o.stats, "log": log, "fst": fst if os.path.exists(fst) else ""}


def plural(k, word):
    return f"{k} {word}" + ("" if k == 1 else "s")


def compact(n):
    return f"{n / 1e6:.1f}M" if n >= 1e6 else f"{n / 1e3:.0f}k" if n >= 1e4 else str(n)


class Progress:
    """One line rewritten in place on a terminal; a plain line every few seconds otherwise."""

    def __init__(self, total, every):
        self.total, self.every = total, every
        self.tty = sys.stdout.isatty()
        self.t0 = time.monotonic()
        self.last = 0.0

    def line(self, done, failed, transl, eta):
        el = time.monotonic() - self.t0
        return (f"regress [{done}/{self.total}] {failed} failed, {compact(transl)} translations, "
                f"{R.hms(el)} elapsed, ETA {R.hms(eta) if eta is not None else '--:--:--'}")

    def show(self, text, force=False):
        now = time.monotonic()
        if self.tty:
            if force or now - self.last >= 0.5:
                width = shutil.get_terminal_size((100, 20)).columns - 1
                sys.stdout.write("\r" + text[:width] + "\x1b[K")
                sys.stdout.flush()
                self.last = now
        elif force or now - self.last >= self.every:
            print(text, flush=True)
            self.last = now

    def say(self, text):
        """A line of its own (a failure) above the progress line."""
        if self.tty:
            sys.stdout.write("\r\x1b[K")
        print(text, flush=True)

    def end(self):
        if self.tty:
            sys.stdout.write("\r\x1b[K")
            sys.stdout.flush()


class Child:
    """A job's process, reaped with wait4: Popen does not tell its CPU time, and the CPU time is
    the figure that sizes a cluster run (wall time depends on what else the machine runs)."""

    def __init__(self, cmd, out):
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        self.returncode = None
        self.cpu = 0.0

    def poll(self, block=False):
        if self.returncode is None:
            pid, status, ru = os.wait4(self.p.pid, 0 if block else os.WNOHANG)
            if pid:
                self.returncode = self.p.returncode = os.waitstatus_to_exitcode(status)
                self.cpu = ru.ru_utime + ru.ru_stime
        return self.returncode

    def kill(self):
        if self.returncode is None:
            self.p.kill()
            self.poll(block=True)


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def run_jobs(mine, rundir, parallel, timeout, progress):
    """Runs the jobs, at most `parallel` at once; returns (records in list order, interrupted)."""
    os.makedirs(os.path.join(rundir, "logs"), exist_ok=True)
    os.makedirs(os.path.join(rundir, "fst"), exist_ok=True)
    # Seed-major order: the first minutes already cover every configuration, mode and option set.
    queue = sorted(mine, key=lambda j: (j.seed, j.index))
    running = {}    # job index -> (job, Popen, start, log file)
    done = {}       # job index -> record
    n_failed = transl = 0
    interrupted = ""

    def finish(j, p, start, f, timed_out=False, status=None):
        nonlocal n_failed, transl
        f.close()
        log = f.name
        with open(log, errors="replace") as fh:
            text = fh.read()
        o = O.classify(text, p.returncode, timed_out, timeout)
        if status:
            o.status, o.message, o.text = status, f"stopped by {interrupted}", "\n".join(
                text.splitlines()[-O.TAIL_LINES:])
        o.seconds, o.cpu = time.monotonic() - start, p.cpu
        r = record(j, o, log, os.path.join(rundir, "fst", j.id + ".fst"))
        done[j.index] = r
        transl += o.translations
        if o.failed:
            n_failed += 1
            progress.say(f"FAIL {j.id}: {o.status}: {o.message}\n  reproduce: {r['reproduce']}\n"
                         f"  log: {log}")

    def eta():
        if not done:
            return None
        avg = sum(r["seconds"] for r in done.values()) / len(done)
        now = time.monotonic()
        left = (len(queue) + len(running)) * avg - sum(min(now - s, avg) for _, _, s, _ in running.values())
        return max(0.0, left) / max(1, min(parallel, len(queue) + len(running)))

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while queue or running:
            while queue and len(running) < parallel:
                j = queue.pop(0)
                fst = os.path.join(rundir, "fst", j.id + ".fst")
                f = open(os.path.join(rundir, "logs", j.id + ".log"), "w")
                f.write("$ " + shlex.join(j.command(fst)) + "\n")
                f.flush()
                try:
                    p = Child(j.command(fst), f)
                except OSError as e:     # the binary vanished or was replaced mid-run
                    f.write(f"regress: cannot start: {e}\n")
                    p = argparse.Namespace(returncode=127, cpu=0.0)
                    finish(j, p, time.monotonic(), f)
                    continue
                running[j.index] = (j, p, time.monotonic(), f)
            for k, (j, p, start, f) in list(running.items()):
                timed_out = False
                if p.poll() is None:
                    if not timeout or time.monotonic() - start < timeout:
                        continue
                    p.kill()
                    timed_out = True
                del running[k]
                finish(j, p, start, f, timed_out)
            progress.show(progress.line(len(done), n_failed, transl, eta()))
            time.sleep(0.05)
    except Interrupted as e:
        interrupted = str(e)
        for s in old:   # a second Ctrl-C must not cut the reports short: they take a moment
            signal.signal(s, signal.SIG_IGN)
        for k, (j, p, start, f) in list(running.items()):
            p.kill()
            finish(j, p, start, f, status="interrupted")
        for j in queue:
            o = O.Outcome(status="notrun", message=f"not run: {interrupted}")
            done[j.index] = record(j, o, "", "")
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    progress.show(progress.line(len(done), n_failed, transl, 0.0), force=True)
    progress.end()
    return [done[j.index] for j in mine], interrupted


def cmd_run(a):
    full, mine, shard = job_list(a)
    if a.jobs < 1:
        raise J.UsageError(f"bad -j (JOBS) {a.jobs}: want at least 1")
    timeout = (120 + a.n / 200) if a.timeout is None else a.timeout
    if timeout < 0:
        raise J.UsageError(f"bad --timeout (TIMEOUT) {a.timeout:g}: want seconds, 0 for none")
    preflight(mine)
    rundir = run_dir(a.out, shard)
    os.makedirs(rundir, exist_ok=True)
    clear_stale(a.out, rundir, shard)

    cfgs = list(dict.fromkeys(j.config for j in full))
    modes = list(dict.fromkeys(j.mode for j in full))
    sets = list(dict.fromkeys(j.optset for j in full))
    title = (f"regress: {len(full)} jobs = {plural(len(cfgs), 'configuration')} ({' '.join(cfgs)}) x "
             f"{plural(len(modes), 'mode')} x {plural(len(sets), 'option set')} ({' '.join(sets)}) x "
             f"{plural(a.seeds, 'seed')} from {a.seed}, N={a.n}" + (f"; ARGS: {a.args}" if a.args.strip() else ""))
    if shard[1] > 1:
        title += f"\nshard {shard[0]}/{shard[1]}: {len(mine)} of them (job k when k mod {shard[1]} == {shard[0]})"
    parallel = min(a.jobs, max(1, len(mine)))
    print(title + f"\n{len(mine)} jobs, -j {parallel}, output in {rundir}/", flush=True)

    started = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    t0 = time.monotonic()
    records, interrupted = run_jobs(mine, rundir, parallel, timeout,
                                    Progress(len(mine), a.progress_every))
    wall = time.monotonic() - t0

    junit = os.path.join(rundir, "junit.xml")
    meta = {"title": title, "wall": wall, "parallel": f"-j {parallel}", "junit": junit,
            "interrupted": interrupted, "started": started, "hostname": socket.gethostname(),
            "extra_args": a.args, "shard": f"{shard[0]}/{shard[1]}",
            "notes": [f"interrupted by {interrupted}"] if interrupted else []}
    R.junit(records, meta, junit)
    text = R.summary(records, meta)
    with open(os.path.join(rundir, "summary.txt"), "w") as f:
        f.write(text)
    R.write_results(os.path.join(rundir, "results.json"), {
        "format": R.RESULTS_FORMAT, "signature": J.signature(full), "shard": list(shard),
        "jobs_all": len(full), "meta": {k: v for k, v in meta.items() if k != "junit"},
        "jobs": records})
    print("\n" + text, end="", flush=True)
    if interrupted:
        return 130 if interrupted == "SIGINT" else 143
    if any(r["status"] in O.FAILED for r in records):
        return 1
    return 0


def cmd_list(a):
    full, mine, shard = job_list(a)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # `regress.py list | head` ends quietly
    for j in mine:
        print(f"{j.index}\t{j.id}\t{shlex.join(j.command())}")
    return 0


def main(argv):
    a = parse(argv)
    try:
        return {"run": cmd_run, "list": cmd_list, "merge": cmd_merge}[a.cmd](a)
    except J.UsageError as e:
        print(f"regress: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
