"""The regression's reports, from job records: the text summary, JUnit XML, results.json.

A record is one job and its outcome as a plain dict (the form results.json stores), so a run and a
merge of shards produce their reports with the same code.
"""
import json
import os
import re
import socket
import xml.etree.ElementTree as ET
from collections import OrderedDict

from jobs import MODES
from outcome import FAILED

RESULTS_FORMAT = "pagewalk-regress/1"


def hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def group(records):
    """(config, mode) -> records, configurations in first-seen order, modes in MODES order."""
    configs = list(OrderedDict.fromkeys(r["config"] for r in records))
    out = OrderedDict()
    for c in configs:
        for m in MODES:
            rs = [r for r in records if r["config"] == c and r["mode"] == m]
            if rs:
                out[(c, m)] = rs
    return out


def counts(records):
    st = [r["status"] for r in records]
    return {"jobs": len(st), "passed": st.count("pass"),
            "failed": sum(s in FAILED for s in st), "skipped": st.count("skip") + st.count("notrun"),
            "mismatches": st.count("mismatch"),
            "translations": sum(r.get("stats", {}).get("translations", 0) for r in records),
            "seconds": sum(r.get("seconds", 0.0) for r in records),
            "cpu": sum(r.get("cpu", 0.0) for r in records)}


def summary(records, meta) -> str:
    """meta: title, wall (s), parallel (-j, or a text), junit (path), interrupted, notes (lines)."""
    c = counts(records)
    out = [meta["title"], ""]
    out.append(f"{'config':<8}{'mode':<8}{'jobs':>6}{'failed':>8}{'skipped':>8}{'translations':>14}"
               f"{'job time':>10}{'CPU time':>10}")
    for (cfg, mode), rs in group(records).items():
        g = counts(rs)
        out.append(f"{cfg:<8}{mode:<8}{g['jobs']:>6}{g['failed']:>8}{g['skipped']:>8}"
                   f"{g['translations']:>14}{hms(g['seconds']):>10}{hms(g['cpu']):>10}")
    out.append(f"{'total':<16}{c['jobs']:>6}{c['failed']:>8}{c['skipped']:>8}{c['translations']:>14}"
               f"{hms(c['seconds']):>10}{hms(c['cpu']):>10}")
    out.append("")
    by = OrderedDict((s, sum(r["status"] == s for r in records)) for s in FAILED)
    kinds = ", ".join(f"{v} {k}" for k, v in by.items() if v)
    out.append(f"jobs: {c['jobs']}: {c['passed']} passed, {c['failed']} failed"
               f"{' (' + kinds + ')' if kinds else ''}, {c['skipped']} skipped")
    out.append(f"translations: {c['translations']} checked; mismatches: {c['mismatches']}")
    wall = meta.get("wall", 0.0)
    rate = c["translations"] / wall if wall > 0 else 0.0
    out.append(f"wall time: {hms(wall)} ({wall:.1f} s) with {meta.get('parallel', '?')}; "
               f"{rate:.0f} translations/s")
    if c["cpu"] > 0 and c["translations"]:
        out.append(f"CPU time: {hms(c['cpu'])} ({c['cpu']:.1f} s), {1e6 * c['cpu'] / c['translations']:.1f} us "
                   f"per translation")
    out += meta.get("notes", [])
    failed = [r for r in records if r["status"] in FAILED]
    if failed:
        out += ["", f"FAILED ({len(failed)}):"]
        for r in failed:
            out.append(f"  {r['id']}: {r['status']}: {r['message']}")
            out.append(f"    reproduce: {r['reproduce']}")
            out.append(f"    log: {r['log']}" + (f"   waveform: {r['fst']}" if r.get("fst") else ""))
    if meta.get("junit"):
        out += ["", f"junit: {meta['junit']}"]
    ok = not failed and not meta.get("interrupted") and not meta.get("errors")
    out.append("regress: " + ("PASS" if ok else "INTERRUPTED" if meta.get("interrupted") else "FAIL"))
    return "\n".join(out) + "\n"


# XML 1.0 forbids most control characters; a crashing process can print anything.
_BAD_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(s) -> str:
    return _BAD_XML.sub("?", str(s))


def _properties(parent, props):
    pe = ET.SubElement(parent, "properties")
    for k, v in props.items():
        ET.SubElement(pe, "property", name=k, value=_x(v))


def junit(records, meta, path):
    """One testsuite per configuration+mode, one testcase per job. The shape is the strictest one
    in use, the Jenkins xUnit plugin's junit-10.xsd (the JUnit plugin and GitLab read it too):
    properties only on a testsuite, so a job's seed, options and command are its name and its
    <system-out>. Every failure kind is a <failure> whose type says which (mismatch, crash,
    timeout, error, interrupted)."""
    c = counts(records)
    root = ET.Element("testsuites", name="pagewalk regress", tests=str(c["jobs"]),
                      failures=str(c["failed"]), errors="0", time=f"{meta.get('wall', 0.0):.3f}")
    for (cfg, mode), rs in group(records).items():
        g = counts(rs)
        suite = ET.SubElement(root, "testsuite", name=f"cosim.{cfg}.{mode}", tests=str(g["jobs"]),
                              failures=str(g["failed"]), errors="0", skipped=str(g["skipped"]),
                              time=f"{g['seconds']:.3f}", timestamp=meta.get("started", ""),
                              hostname=meta.get("hostname", socket.gethostname()))
        seeds = sorted({r["seed"] for r in rs})
        props = OrderedDict([("config", cfg), ("mode", mode), ("binary", rs[0].get("binary", "")),
                             ("n", rs[0]["n"]), ("seeds", f"{seeds[0]}..{seeds[-1]}"),
                             ("extra_args", meta.get("extra_args", "")), ("shard", meta.get("shard", ""))])
        for r in rs:
            props.setdefault(f"optset.{r['optset']}", " ".join(r.get("optset_args", [])) or "(pw_cosim's defaults)")
        _properties(suite, props)
        for r in rs:
            case = ET.SubElement(suite, "testcase", classname=f"cosim.{cfg}.{mode}",
                                 name=f"seed={r['seed']} {r['optset']}", time=f"{r.get('seconds', 0.0):.3f}")
            if r["status"] in FAILED:
                # pw_cosim's own reproduce line (in a MISMATCH block) spells out its defaults;
                # "ran" is exactly what the runner ran.
                body = r["text"] + f"\n  ran: {r['reproduce']}\n  log: {r['log']}"
                body += f"\n  waveform: {r['fst']}" if r.get("fst") else ""
                f = ET.SubElement(case, "failure", message=_x(r["message"]), type=r["status"])
                f.text = _x(body.strip("\n") + "\n")
            elif r["status"] in ("skip", "notrun"):
                ET.SubElement(case, "skipped", message=_x(r["message"] or "not run"))
            out = ET.SubElement(case, "system-out")
            out.text = _x(f"seed: {r['seed']}\noptions: {' '.join(r['args'])}\n"
                          f"reproduce: {r['reproduce']}\nlog: {r['log']}\n")
    ET.indent(root)
    tmp = path + ".tmp"
    ET.ElementTree(root).write(tmp, encoding="UTF-8", xml_declaration=True)
    os.replace(tmp, path)


def write_results(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)   # a shard killed while writing leaves no half file for merge to trust
