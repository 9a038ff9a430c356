"""regress.py merge: the shards of one run -> one summary and one JUnit file.

Each shard (make regress SHARD=i/N) left OUT/shard-<i>-of-<N>/results.json. Merge reads them
all, checks that they are the N shards of one job list (same knobs, each shard once, each holding
exactly its jobs k mod N == i), and writes OUT/summary.txt and OUT/junit.xml over the union. A
missing, interrupted or foreign shard is reported, not skipped: the merge then fails, like a
failed job.
"""
import glob
import json
import os
import sys

import jobs as J
import outcome as O
import report as R


def results_files(dirs):
    """A directory's shard-*-of-*/results.json; else its own results.json (an unsharded run)."""
    files = []
    for d in dirs:
        if not os.path.isdir(d):
            raise J.UsageError(f"merge: {d}: no such directory")
        shards = sorted(glob.glob(os.path.join(d, "shard-*-of-*", "results.json")))
        own = os.path.join(d, "results.json")
        files += shards or ([own] if os.path.exists(own) else [])
    return files


def load(f):
    with open(f) as fh:
        data = json.load(fh)
    if data.get("format") != R.RESULTS_FORMAT:
        raise ValueError(f"format {data.get('format')!r}, want {R.RESULTS_FORMAT!r}")
    for key in ("signature", "shard", "jobs_all", "meta", "jobs"):
        if key not in data:
            raise ValueError(f"no '{key}'")
    return data


def cmd_merge(a):
    """Exit 1 if a shard is missing, unreadable, interrupted or of another job list, or a job failed."""
    errors, runs = [], []
    for f in results_files(a.dirs):
        try:
            runs.append((f, load(f)))
        except (OSError, ValueError) as e:
            errors.append(f"{f}: unreadable: {e}")
    if not runs:
        print(f"regress merge: no results.json in {' '.join(a.dirs)}", file=sys.stderr)
        return 1
    ref_f, ref = runs[0]
    count, sig = ref["shard"][1], ref["signature"]
    by_shard, records, used = {}, {}, []
    for f, data in runs:
        i, n = data["shard"]
        if data["signature"] != sig or n != count:
            errors.append(f"{f}: shard {i}/{n} is of another job list than {ref_f} (shard "
                          f"{ref['shard'][0]}/{count}): merge the shards of one run only")
            continue
        if i in by_shard:
            errors.append(f"{f}: shard {i}/{count} again (also {by_shard[i]})")
            continue
        by_shard[i] = f
        used.append(data)
        if data["meta"].get("interrupted"):
            errors.append(f"{f}: shard {i}/{count} was interrupted ({data['meta']['interrupted']})")
        if sorted(r["index"] for r in data["jobs"]) != list(range(i, ref["jobs_all"], count)):
            errors.append(f"{f}: shard {i}/{count} holds other jobs than those k with k mod {count} == {i}")
        records.update((r["index"], r) for r in data["jobs"])
    missing = [f"{i}/{count}" for i in range(count) if i not in by_shard]
    if missing:
        errors.append(f"missing shard(s) {', '.join(missing)}: no results.json")

    out = a.out or a.dirs[0]
    os.makedirs(out, exist_ok=True)
    recs = [records[k] for k in sorted(records)]
    walls = [d["meta"]["wall"] for d in used]
    junit = os.path.join(out, "junit.xml")
    meta = {"title": ref["meta"]["title"].split("\n")[0] + f"\nmerged: {len(by_shard)} of {count} "
                     f"shard(s), {len(recs)} of {ref['jobs_all']} jobs",
            "wall": max(walls), "parallel": f"{len(used)} shard(s) (the longest shard's wall time; "
                                            f"all shards': {R.hms(sum(walls))})",
            "junit": junit, "started": min(d["meta"]["started"] for d in used),
            "extra_args": ref["meta"].get("extra_args", ""), "shard": f"merged {len(by_shard)}/{count}",
            "errors": errors, "notes": (["", "merge problems:"] + ["  " + e for e in errors]) if errors else []}
    R.junit(recs, meta, junit)
    text = R.summary(recs, meta)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    return 1 if errors or any(r["status"] in O.FAILED for r in recs) else 0
