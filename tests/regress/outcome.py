"""What one pw_cosim job's log says: pass, mismatch, crash, timeout, ...

The log is pw_cosim's stdout and stderr after one '$ command' line the runner writes. The lines
read here are printed by tb/report.cpp (summary line) and tb/cosim.cpp (MISMATCH block, total
line); a job is a pass only if pw_cosim exited 0 *and* printed a PASS total line with no mismatch, so a
crash, a hang or a truncated log can never look like a pass.
"""
import re
import signal
from dataclasses import dataclass, field
from typing import Dict, Optional

# The summary line's columns are named by the header line before it (tb/report.cpp), and read by
# name, so a column added to pw_cosim's table changes nothing here.
HEADER_RE = re.compile(r"^config\s+mode\s+seed\s")
# "(no LA57 in this configuration)": the job asked for a mode its configuration lacks.
NO_MODE_RE = re.compile(r"^\S+\s+\S+\s+\((no [^)]*)\)\s*$")
TOTAL_RE = re.compile(r"^total: (\d+) translations, (\d+) mismatches, .*: (PASS|FAIL)\s*$")
TAIL_LINES = 30

FAILED = ("mismatch", "crash", "timeout", "error", "interrupted")


@dataclass
class Outcome:
    status: str = "notrun"      # pass | mismatch | crash | timeout | error | interrupted | notrun
    message: str = ""           # one line: the MISMATCH line, the signal, the exit status ...
    text: str = ""              # the failure's body: the MISMATCH block, or the log's tail
    reproduce: str = ""         # pw_cosim's own reproduce line, when it printed one
    rc: Optional[int] = None
    seconds: float = 0.0        # wall time
    cpu: float = 0.0            # user + system time of the process
    stats: Dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    @property
    def translations(self) -> int:
        return self.stats.get("translations", 0)


def signal_name(rc: int) -> str:
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return f"signal {-rc}"


def classify(log: str, rc: Optional[int], timed_out: bool, timeout: float = 0) -> Outcome:
    lines = [l for l in log.splitlines() if not l.startswith("$ ")]
    o = Outcome(rc=rc)
    total = no_mode = None
    mismatch_at = None
    columns = []
    for k, line in enumerate(lines):
        words = line.split()
        if HEADER_RE.match(line):
            columns = words
        elif columns and len(words) == len(columns) and all(w.isdigit() for w in words[2:]):
            o.stats = {c: int(w) for c, w in zip(columns[3:], words[3:])}
            o.stats["translations"] = o.stats.get("transl", 0)
        elif NO_MODE_RE.match(line):
            no_mode = NO_MODE_RE.match(line).group(1)
        elif line.startswith("MISMATCH") and mismatch_at is None:
            mismatch_at = k
        elif line.strip().startswith("reproduce: ") and not o.reproduce:
            o.reproduce = line.strip()[len("reproduce: "):]
        elif TOTAL_RE.match(line):
            total = TOTAL_RE.match(line)
            o.stats["translations"] = int(total.group(1))
    tail = "\n".join(lines[-TAIL_LINES:])

    if mismatch_at is not None:
        end = next((k for k in range(mismatch_at, len(lines)) if TOTAL_RE.match(lines[k])), len(lines))
        o.status, o.message = "mismatch", lines[mismatch_at]
        o.text = "\n".join(lines[mismatch_at:end])
        if timed_out or (rc is not None and rc < 0):
            # It found a mismatch, then died writing the waveform: still a mismatch, say so.
            o.message += " (then " + (f"timed out after {timeout:g} s" if timed_out
                                      else f"killed by {signal_name(rc)}") + ")"
        return o
    if timed_out:
        o.status, o.message = "timeout", f"no result after {timeout:g} s: killed"
    elif rc is not None and rc < 0:
        o.status, o.message = "crash", f"killed by {signal_name(rc)}"
    elif total is None:
        o.status, o.message = "error", f"exit {rc} without a total line"
    elif rc != 0:
        o.status, o.message = "error", f"exit {rc}: {total.group(0)}"
    elif total.group(3) != "PASS" or int(total.group(2)) != 0:
        o.status, o.message = "error", f"exit 0 but {total.group(0)}"
    elif no_mode and int(total.group(1)) == 0:
        # Nothing was checked: a job list that asks for a mode the configuration lacks is wrong.
        o.status, o.message = "error", f"the configuration has {no_mode}: nothing checked"
    else:
        # Fewer than N translations is no failure: a reset (--reset) cancels requests in flight.
        o.status = "pass"
        return o
    o.text = tail
    return o
