#!/usr/bin/env python3
"""make regress-check: the regression runner itself (well under a minute).

A runner that reports a pass when a job failed is worse than none, so this proves on tiny runs:
a wrong RTL (pw_cosim --inject rsp) makes it exit 1 with a JUnit <failure> holding the MISMATCH
block and a reproduce line that fails again the same way; a crash, a hang and a missing total
line are failures too; shards partition the job list; a bad SHARD is one error line and exit 2;
merge accepts complete shards and refuses a missing or failed one; make regress keeps its own
SEEDS and N defaults unless they are given.

  tests/regress/test_regress.py [--cosim build/pw_cosim] [--cosim-small build/pw_cosim_small]
                                [--dir build/regress-check]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
REGRESS = os.path.join(HERE, "regress.py")
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import jobs as J    # noqa: E402

OPT = argparse.Namespace(cosim="build/pw_cosim", cosim_small="build/pw_cosim_small", dir="")


def regress(*args):
    p = subprocess.run([sys.executable, REGRESS] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout, p.stderr


def job_options(*extra):
    return ["--cosim", f"default={OPT.cosim}", "--cosim", f"small={OPT.cosim_small}"] + list(extra)


# The elements and attributes the Jenkins xUnit plugin's junit-10.xsd allows (the strictest
# reader of JUnit XML in use; GitLab and the Jenkins JUnit plugin accept this subset too).
JUNIT_SHAPE = {
    "testsuites": ({"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp",
                   "hostname", "id", "package", "file", "log", "url"},
                  {"testsuite", "properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), {"property"}),
    "property": ({"name", "value"}, set()),
    "testcase": ({"name", "time", "classname", "group"},
                 {"skipped", "error", "failure", "system-out", "system-err"}),
    "failure": ({"type", "message"}, set()), "error": ({"type", "message"}, set()),
    "skipped": ({"type", "message"}, set()), "system-out": (set(), set()), "system-err": (set(), set()),
}


def check_shape(e):
    attrs, children = JUNIT_SHAPE[e.tag]
    assert set(e.attrib) <= attrs, f"<{e.tag}> has {set(e.attrib) - attrs}"
    for c in e:
        assert c.tag in children, f"<{c.tag}> inside <{e.tag}>"
        check_shape(c)
    if e.tag in ("testsuites", "testsuite"):
        assert e.tag == "testsuites" or {"name", "tests", "failures", "errors"} <= set(e.attrib)
        assert re.fullmatch(r"\d+(\.\d*)?", e.get("time", "0")), e.get("time")


def cases(junit_path):
    root = ET.parse(junit_path).getroot()
    assert root.tag == "testsuites", root.tag
    check_shape(root)
    return root, [c for s in root.findall("testsuite") for c in s.findall("testcase")]


class RegressCheck(unittest.TestCase):
    def out(self, name):
        d = os.path.join(OPT.dir, name)
        shutil.rmtree(d, ignore_errors=True)
        return d

    def test_injected_mismatch_fails_with_junit_failure_and_reproduce_line(self):
        out = self.out("inject")
        rc, so, se = regress("run", *job_options("--configs", "default", "--modes", "4level", "--seeds", "2",
                                                 "-n", "3000", "--optsets", "base", "--args=--inject rsp",
                                                 "-j", "2", "--out", out))
        self.assertEqual(rc, 1, so + se)
        root, cs = cases(os.path.join(out, "junit.xml"))
        self.assertEqual((root.get("tests"), root.get("failures")), ("2", "2"))
        for c in cs:
            f = c.find("failure")
            self.assertIsNotNone(f, ET.tostring(c, encoding="unicode"))
            self.assertEqual(f.get("type"), "mismatch")
            self.assertTrue(f.get("message").startswith("MISMATCH config=default mode=4level"))
            self.assertIn("reproduce: " + OPT.cosim, f.text)
            self.assertIn("--inject rsp", c.find("system-out").text)
        line = f"reproduce: {OPT.cosim} --mode 4level --seed 1 --seeds 1 -n 3000 --inject rsp"
        self.assertIn(line, so)
        self.assertIn("regress: FAIL", so)
        fst = os.path.join(out, "fst", "default-4level-s1-base.fst")
        self.assertTrue(os.path.getsize(fst) > 0, fst)
        # The reproduce line is deterministic: it fails again, at the same cycle.
        again = subprocess.run(line.split(" ", 1)[1].split() + ["--fail-fst", os.path.join(out, "again.fst")],
                               stdout=subprocess.PIPE, text=True)
        self.assertEqual(again.returncode, 1)
        first = next(c.find("failure").get("message") for c in cs if "seed=1 " in c.get("name"))
        self.assertIn(first, again.stdout)

    def test_passing_jobs_exit_0_with_clean_junit(self):
        out = self.out("pass")
        rc, so, se = regress("run", *job_options("--configs", "small", "--modes", "32bit", "--seeds", "1",
                                                 "-n", "1000", "--optsets", "base,fixed1", "--out", out))
        self.assertEqual(rc, 0, so + se)
        root, cs = cases(os.path.join(out, "junit.xml"))
        self.assertEqual((root.get("tests"), root.get("failures"), len(cs)), ("2", "0", 2))
        self.assertTrue(all(float(c.get("time")) > 0 for c in cs))
        # (fewer than 2 x 1000 when pw_cosim's resets cancel requests in flight)
        self.assertRegex(so, r"translations: (1[0-9]{3}|2000) checked; mismatches: 0")

    def test_crash_hang_and_missing_total_line_are_failures(self):
        out = self.out("fake")
        bins = os.path.join(out, "bin")
        os.makedirs(bins)
        # Each answers the preflight's "-n 0" normally, then misbehaves in its job.
        fakes = {"segv": 'echo "config mode"; kill -SEGV $$',
                 "hang": "exec sleep 60",
                 "nototal": 'echo "pw_cosim: lost the plot" >&2; exit 0'}
        for name, body in fakes.items():
            with open(os.path.join(bins, name), "w") as f:
                f.write(f'#!/bin/sh\ncase "$*" in *"-n 0") exit 0;; esac\n{body}\n')
            os.chmod(os.path.join(bins, name), 0o755)
        opts = sum((["--cosim", f"{n}={os.path.join(bins, n)}"] for n in fakes), [])
        rc, so, se = regress("run", *opts, "--configs", " ".join(fakes), "--modes", "32bit", "--seeds", "1",
                             "-n", "10", "--optsets", "base", "--timeout", "1", "-j", "3", "--out", out)
        self.assertEqual(rc, 1, so + se)
        _, cs = cases(os.path.join(out, "junit.xml"))
        kinds = {c.get("classname"): c.find("failure").get("type") for c in cs}
        self.assertEqual(kinds, {"cosim.segv.32bit": "crash", "cosim.hang.32bit": "timeout",
                                 "cosim.nototal.32bit": "error"})
        self.assertIn("lost the plot", next(c for c in cs if "nototal" in c.get("classname")).find("failure").text)

    def test_log_reading_follows_the_header_and_trusts_only_a_full_pass(self):
        import outcome as O
        head = "config  mode  seed  transl  hits  resets  cycles  mismatches  transl/s\n"
        line = "default pae      3    2000   541       3   16105           0     13209\n"
        total = "total: 2000 translations, 0 mismatches, 13209 checked translations/s: PASS\n"
        o = O.classify("$ cmd\n" + head + line + total, 0, False)
        self.assertEqual((o.status, o.translations, o.stats["resets"]), ("pass", 2000, 3))
        self.assertEqual(O.classify(head + line, 0, False).status, "error")            # no total
        self.assertEqual(O.classify(head + line + total, -11, False).status, "crash")
        self.assertEqual(O.classify(head + line + total, 1, False).status, "error")
        self.assertEqual(O.classify(head + line + total.replace("PASS", "FAIL"), 0, False).status, "error")
        self.assertEqual(O.classify(head + line + total, None, True, 5).status, "timeout")

    def test_bad_args_are_one_error_line_exit_2(self):
        for args in (["--shard", "4/4"], ["--shard", "1/0"], ["--shard", "x"], ["--shard=-1/3"],
                     ["--modes", "6level"], ["--optsets", "nope"], ["-j", "0"], ["--args=--no-such-switch"]):
            rc, so, se = regress("run", *job_options("--configs", "default", "--modes", "32bit", "--seeds", "1",
                                                     "-n", "10", "--out", self.out("bad")), *args)
            self.assertEqual(rc, 2, f"{args}: {so}{se}")
            self.assertEqual(len(se.strip().splitlines()), 1, f"{args}: {se}")
            self.assertTrue(se.startswith("regress: "), se)
        rc, _, se = regress("run", "--shard", "16/16")
        self.assertIn("0 <= i < N", se)

    def test_shards_partition_the_job_list(self):
        # Through the CLI once (3 shards of the default list), then the rule itself for more splits.
        rc, full, _ = regress("list")       # the defaults: 2 configs x 4 modes x 4 sets x 16 seeds
        self.assertEqual(rc, 0)
        full = full.splitlines()
        self.assertEqual(len(full), 512)
        parts = []
        for i in range(3):
            rc, so, se = regress("list", "--shard", f"{i}/3")
            self.assertEqual(rc, 0, se)
            self.assertTrue(all(int(l.split("\t")[0]) % 3 == i for l in so.splitlines()))
            parts += so.splitlines()
        self.assertEqual(sorted(parts), sorted(full))        # union == full list, and disjoint
        everything = J.expand(["default", "small"], {"default": "a", "small": "b"}, J.parse_modes("all"),
                              J.parse_optsets(""), 1, 16, 10, [])
        for count in (1, 2, 7, 16, 511, 512, 600):
            ids = [j.index for i in range(count) for j in J.shard_of(everything, J.parse_shard(f"{i}/{count}"))]
            self.assertEqual(sorted(ids), list(range(len(everything))), f"{count} shards")

    def test_merge_takes_complete_shards_and_refuses_missing_or_failed(self):
        out = self.out("merge")
        common = job_options("--configs", "small", "--modes", "32bit", "--seeds", "3", "-n", "500",
                             "--optsets", "base", "--out", out)
        for i in (0, 1):
            rc, so, se = regress("run", *common, "--shard", f"{i}/2")
            self.assertEqual(rc, 0, so + se)
            self.assertTrue(os.path.exists(os.path.join(out, f"shard-{i}-of-2", "junit.xml")))
        rc, so, se = regress("merge", out)
        self.assertEqual(rc, 0, so + se)
        root, cs = cases(os.path.join(out, "junit.xml"))
        self.assertEqual((len(cs), root.get("failures")), (3, "0"))
        # A shard that failed (its binary crashes) fails the merge, with the job's reproduce line.
        fake = os.path.join(out, "crash")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\ncase "$*" in *"-n 0") exit 0;; esac\nkill -SEGV $$\n')
        os.chmod(fake, 0o755)
        rc, so, se = regress("run", *common, "--cosim", f"small={fake}", "--shard", "1/2")
        self.assertEqual(rc, 1, so + se)
        rc, so, se = regress("merge", out)
        self.assertEqual(rc, 1, so + se)
        self.assertIn("small-32bit-s2-base: crash", so)
        # A missing shard fails the merge.
        os.remove(os.path.join(out, "shard-1-of-2", "results.json"))
        rc, so, se = regress("merge", out)
        self.assertEqual(rc, 1, so + se)
        self.assertIn("missing shard(s) 1/2", so)

    def test_make_regress_has_its_own_seeds_and_n_defaults(self):
        self.assertIsNotNone(shutil.which("make"), "make is needed: the test runs make -n regress")
        env = {k: v for k, v in os.environ.items() if k not in ("SEEDS", "N", "MAKEFLAGS", "MAKELEVEL")}
        def dry(*vars):
            p = subprocess.run(["make", "-n", "--no-print-directory", "regress", *vars], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            return next((l for l in p.stdout.splitlines() if "regress.py run" in l), p.stdout)
        self.assertRegex(dry(), r"--seeds '16' -n '100000' ")
        self.assertRegex(dry("SEEDS=3", "N=777", "SHARD=1/4"), r"--seeds '3' -n '777' .*--shard '1/4'")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cosim", default=OPT.cosim)
    p.add_argument("--cosim-small", default=OPT.cosim_small)
    p.add_argument("--dir", default="", help="work directory (default: a temporary one)")
    a = p.parse_args()
    OPT.cosim, OPT.cosim_small = a.cosim, a.cosim_small
    OPT.dir = a.dir or tempfile.mkdtemp(prefix="regress-check.")
    os.makedirs(OPT.dir, exist_ok=True)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(RegressCheck)
    result = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    if result.wasSuccessful():
        print(f"regress-check: ok ({result.testsRun} checks: failures reported, shards partition, merge; "
              f"work in {OPT.dir})")
        return 0
    print(f"regress-check: FAILED (work in {OPT.dir})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
