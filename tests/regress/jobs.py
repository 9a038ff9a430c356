"""The regression's job list: configurations x modes x option sets x seeds, and its shards.

One job is one pw_cosim process (--seeds 1): the smallest unit that can fail, be retried and be
reported on its own. The list is a pure function of the knobs, so every shard of a cluster array
job expands the same list and picks its own part of it without talking to the others.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import List, Tuple

MODES = ("32bit", "pae", "4level", "5level")

# The option sets: every (configuration, mode, seed) runs once per set. This is the one place
# that says which memory environments a regression covers; ARGS are appended to every set.
#   base    pw_cosim's default environment (delay range:1:6, back-pressure 20 %)
#   fixed1  the fastest memory: every walk step back to back, exposes off-by-one cycle counts
#   bursty  64-cycle windows, a quarter of them slow: long stalls in the middle of walks
#   bp60    heavy back-pressure on mem_req_ready_i: requests held many cycles
OPTION_SETS = {
    "base": [],
    "fixed1": ["--delay", "fixed:1"],
    "bursty": ["--delay", "bursty"],
    "bp60": ["--backpressure", "60"],
}


class UsageError(Exception):
    """A bad knob: reported as one line on stderr, exit 2."""


@dataclass
class Job:
    index: int            # position in the full (unsharded) list
    config: str
    mode: str
    optset: str
    seed: int
    n: int
    binary: str
    args: List[str] = field(default_factory=list)   # option set's, then ARGS

    @property
    def id(self) -> str:
        return f"{self.config}-{self.mode}-s{self.seed}-{self.optset}"

    @property
    def suite(self) -> str:
        return f"{self.config}.{self.mode}"

    def command(self, fail_fst: str = "") -> List[str]:
        cmd = [self.binary, "--mode", self.mode, "--seed", str(self.seed), "--seeds", "1",
               "-n", str(self.n)] + self.args
        return cmd + (["--fail-fst", fail_fst] if fail_fst else [])


def parse_list(text: str) -> List[str]:
    """'a b,c' -> ['a', 'b', 'c'] (make variables are space separated, shells like commas)."""
    return [w for w in re.split(r"[\s,]+", text or "") if w]


def parse_modes(text: str) -> List[str]:
    modes = []
    for m in parse_list(text) or ["all"]:
        if m == "all":
            modes += [x for x in MODES if x not in modes]
        elif m in MODES:
            modes += [] if m in modes else [m]
        else:
            raise UsageError(f"unknown mode '{m}' (known: all {' '.join(MODES)})")
    return [x for x in MODES if x in modes]   # a set: the order of MODES, whatever was typed


def parse_optsets(text: str) -> List[str]:
    sets = parse_list(text) or list(OPTION_SETS)
    for s in sets:
        if s not in OPTION_SETS:
            raise UsageError(f"unknown option set '{s}' (known: {' '.join(OPTION_SETS)})")
    return list(dict.fromkeys(sets))


def parse_shard(text: str) -> Tuple[int, int]:
    """'i/N' with 0 <= i < N (0-based, like Slurm's --array=0-15 and SLURM_ARRAY_TASK_ID)."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m or int(m.group(2)) < 1 or int(m.group(1)) >= int(m.group(2)):
        raise UsageError(f"bad SHARD '{text}': want i/N with 0 <= i < N, counting from 0 "
                         "(e.g. 0/16 .. 15/16)")
    return int(m.group(1)), int(m.group(2))


def expand(configs, binaries, modes, optsets, seed, seeds, n, extra_args) -> List[Job]:
    """The full job list. Seeds vary fastest, so with SEEDS a multiple of the shard count every
    shard gets the same mix of configurations and modes (5-level walks cost more than 32-bit)."""
    jobs = []
    for c in configs:
        for m in modes:
            for o in optsets:
                for s in range(seed, seed + seeds):
                    jobs.append(Job(len(jobs), c, m, o, s, n, binaries[c],
                                    OPTION_SETS[o] + list(extra_args)))
    return jobs


def shard_of(jobs: List[Job], shard: Tuple[int, int]) -> List[Job]:
    """Job k belongs to shard k mod N."""
    i, count = shard
    return [j for j in jobs if j.index % count == i]


def signature(jobs: List[Job]) -> str:
    """Identifies the full list (not the binaries' paths): merge only combines shards of one run."""
    key = [[j.index, j.id, j.n, j.args] for j in jobs]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]
