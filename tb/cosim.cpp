// pw_cosim: the co-simulation regression of rtl/pw_top.sv against the cycle model
// (pw_mmu). For each paging mode and seed it builds the random environment of
// tb/stim.c twice (one memory per side), runs N translations through both with
// the driver, and stops at the first difference: it prints what differed, the
// model's walk, the command that reproduces it, and writes the waveform of the
// cycles before it to build/cosim_fail.fst.
//
//   pw_cosim --mode 32bit|pae|4level|5level|all --seed S --seeds K -n N
//            [--delay fixed:D|range:LO:HI|bursty[:LO:HI]] [--backpressure PCT]
//            [--trace-from CYCLE] [--fst PATH] [--fail-fst PATH] [--no-check] [--bench]
//            [--inject rsp|mem|ctl [--inject-at REQUEST]]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_rtl.h"
#include "cosim_config.h"
#include "driver.h"

namespace {

constexpr uint64_t MEM_BYTES = UINT64_C(3) << 30;   // beyond it: bus errors
constexpr uint64_t TRACE_BEFORE = 2000;             // waveform cycles before a failure

struct ModeDesc {
    const char *name;
    pw_mode mode;
};
const ModeDesc MODES[] = {
    {"32bit", PW_MODE_32}, {"pae", PW_MODE_PAE}, {"4level", PW_MODE_4LVL}, {"5level", PW_MODE_5LVL}};

struct Cli {
    std::string argv0 = "pw_cosim";
    std::string mode = "all";
    uint64_t seed = 1, seeds = 1, n = 100000;
    std::string delay;            // empty: the default
    int backpressure = -1;        // -1: the default
    uint64_t trace_from = UINT64_MAX;
    std::string fst = "build/cosim.fst";
    std::string fail_fst = "build/cosim_fail.fst";
    bool check = true;
    bool bench = false;
    std::string inject;
    uint64_t inject_at = 100;
};

void usage(FILE *f)
{
    fprintf(f,
            "usage: pw_cosim [--mode all|32bit|pae|4level|5level] [--seed S] [--seeds K] [-n N]\n"
            "                [--delay fixed:D|range:LO:HI|bursty[:LO:HI]] [--backpressure PCT]\n"
            "                [--trace-from CYCLE] [--fst PATH] [--fail-fst PATH] [--no-check] [--bench]\n"
            "                [--inject rsp|mem|ctl [--inject-at REQUEST]]\n"
            "  K seeds from S for each mode, N translations each; exit 0 only with no mismatch.\n"
            "  --trace-from writes an FST waveform (--fst, default build/cosim.fst) from CYCLE on.\n"
            "  --no-check runs the RTL with stimulus and memory only (no model, no scoreboard).\n"
            "  --bench prints the co-simulation performance figures (make bench).\n"
            "  --inject makes the RTL side wrong on purpose (self-test of the checker): a response\n"
            "  field, an entry of its memory, or a lost address-space switch (MOV CR3).\n"
            "  On a mismatch the cycles before it are written to --fail-fst (build/cosim_fail.fst).\n");
}

bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    *v = strtoull(s, &end, 0);
    return *end == '\0';
}

mem_timing timing_for(const Cli &c, uint64_t seed)
{
    mem_timing t;
    mem_timing_default(&t, seed ^ UINT64_C(0x5eed));
    if (!c.delay.empty())
        mem_timing_parse_delay(&t, c.delay.c_str());
    if (c.backpressure >= 0)
        t.backpressure_pct = (unsigned)c.backpressure;
    return t;
}

std::string repro(const Cli &c, const char *mode, uint64_t seed)
{
    mem_timing t = timing_for(c, seed);
    char d[64];
    mem_timing_format(&t, d, sizeof d);
    std::string s = c.argv0 + " --mode " + mode + " --seed " + std::to_string(seed) + " --seeds 1 -n " +
                    std::to_string(c.n) + " --delay " + d + " --backpressure " +
                    std::to_string(t.backpressure_pct);
    if (!c.check)
        s += " --no-check";
    if (!c.inject.empty())
        s += " --inject " + c.inject + " --inject-at " + std::to_string(c.inject_at);
    return s;
}

// One (mode, seed): build both sides, run, report.
struct RunOutcome {
    RunTally tally;
    Failure failure;
    bool setup_failed = false;
};

RunOutcome run_one(const Cli &c, const ModeDesc &md, uint64_t seed, uint64_t trace_from,
                   const std::string &fst)
{
    RunOutcome out;
    pw_config cfg;
    cosim_config(&cfg);
    pw_image *img_rtl = nullptr, *img_model = nullptr;
    stim *st = static_cast<stim *>(calloc(1, sizeof(stim)));
    pw_regs initial;
    bool ok = st && pw_image_sparse_new(MEM_BYTES, &img_rtl) == PW_OK &&
              (!c.check || pw_image_sparse_new(MEM_BYTES, &img_model) == PW_OK);
    pw_status s = ok ? stim_init(st, nullptr, md.mode, seed, &cfg, img_rtl, img_model, &initial)
                     : PW_ERR_NOMEM;
    if (s != PW_OK) {
        fprintf(stderr, "pw_cosim: cannot build the environment for %s seed %" PRIu64 ": %s%s%s\n",
                md.name, seed, pw_status_str(s), st && st->fail ? ": " : "",
                st && st->fail ? st->fail : "");
        out.setup_failed = true;
    } else {
        DriverOptions opt;
        opt.n = c.n;
        opt.check = c.check;
        opt.trace_from = trace_from;
        opt.fst_path = fst;
        opt.inject = c.inject;
        opt.inject_at = c.inject_at;
        opt.progress = std::string(md.name) + " seed " + std::to_string(seed);
        DriverEnv env;
        env.cfg = cfg;
        env.img_rtl = img_rtl;
        env.img_model = img_model;
        env.timing = timing_for(c, seed);
        env.initial = initial;
        StimSource src(st);
        Driver d(opt, env, &src);
        out.tally = d.run(&out.failure);
    }
    if (st)
        stim_fini(st);
    free(st);
    pw_image_free(img_rtl);
    pw_image_free(img_model);
    return out;
}

void report_failure(const Cli &c, const ModeDesc &md, uint64_t seed, const Failure &f)
{
    printf("MISMATCH config=%s mode=%s seed=%" PRIu64 " cycle=%" PRIu64 ": %s\n", PWCFG_NAME, md.name,
           seed, f.cycle, f.what.c_str());
    fputs(f.detail.c_str(), stdout);
    uint64_t from = f.cycle > TRACE_BEFORE ? f.cycle - TRACE_BEFORE : 0;
    printf("  reproduce: %s\n", repro(c, md.name, seed).c_str());
    if (c.trace_from != UINT64_MAX)
        return;   // the run already wrote the waveform it was asked for
    // The run is deterministic: run it again with the waveform on from `from`.
    RunOutcome again = run_one(c, md, seed, from, c.fail_fst);
    if (again.failure.failed && again.failure.cycle == f.cycle)
        printf("  waveform:  %s (cycles %" PRIu64 "..%" PRIu64 "; time = 10 x cycle)\n",
               c.fail_fst.c_str(), from, f.cycle + 16);
    else
        printf("  waveform:  the re-run did not fail the same way (nondeterminism?)\n");
    printf("  waveform again: %s --trace-from %" PRIu64 " --fst %s\n", repro(c, md.name, seed).c_str(),
           from, c.fst.c_str());
    fflush(stdout);
}

}  // namespace

int main(int argc, char **argv)
{
    Cli c;
    c.argv0 = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        uint64_t x;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--mode") && v) {
            c.mode = v;
            i++;
        } else if (!strcmp(a, "--seed") && parse_u64(v, &c.seed)) {
            i++;
        } else if (!strcmp(a, "--seeds") && parse_u64(v, &c.seeds) && c.seeds > 0) {
            i++;
        } else if (!strcmp(a, "-n") && parse_u64(v, &c.n)) {
            i++;
        } else if (!strcmp(a, "--delay") && v) {
            mem_timing t;
            mem_timing_default(&t, 0);
            if (!mem_timing_parse_delay(&t, v)) {
                fprintf(stderr, "pw_cosim: bad --delay '%s'\n", v);
                return 2;
            }
            c.delay = v;
            i++;
        } else if (!strcmp(a, "--backpressure") && parse_u64(v, &x) && x <= 95) {
            c.backpressure = (int)x;
            i++;
        } else if (!strcmp(a, "--trace-from") && parse_u64(v, &c.trace_from)) {
            i++;
        } else if (!strcmp(a, "--fst") && v) {
            c.fst = v;
            i++;
        } else if (!strcmp(a, "--fail-fst") && v) {
            c.fail_fst = v;
            i++;
        } else if (!strcmp(a, "--inject") && v &&
                   (!strcmp(v, "rsp") || !strcmp(v, "mem") || !strcmp(v, "ctl"))) {
            c.inject = v;
            i++;
        } else if (!strcmp(a, "--inject-at") && parse_u64(v, &c.inject_at)) {
            i++;
        } else if (!strcmp(a, "--no-check")) {
            c.check = false;
        } else if (!strcmp(a, "--bench")) {
            c.bench = true;
        } else {
            fprintf(stderr, "pw_cosim: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (c.bench)
        return bench_rtl(c.argv0.c_str());

    pw_config cfg;
    cosim_config(&cfg);
    bool any = false;
    RunTally total;
    int rc = 0;
    print_summary_header();
    for (const ModeDesc &md : MODES) {
        if (c.mode != "all" && c.mode != md.name)
            continue;
        any = true;
        if (md.mode == PW_MODE_5LVL && !cfg.has_la57) {
            printf("%-7s %-7s (no LA57 in this configuration)\n", PWCFG_NAME, md.name);
            continue;
        }
        if ((md.mode == PW_MODE_4LVL || md.mode == PW_MODE_5LVL) && !cfg.has_long) {
            printf("%-7s %-7s (no long mode in this configuration)\n", PWCFG_NAME, md.name);
            continue;
        }
        for (uint64_t k = 0; k < c.seeds; k++) {
            uint64_t seed = c.seed + k;
            RunOutcome r = run_one(c, md, seed, c.trace_from, c.fst);
            if (r.setup_failed)
                return 2;
            print_summary_line(md.name, seed, r.tally);
            total.translations += r.tally.translations;
            total.seconds += r.tally.seconds;
            total.mismatches += r.tally.mismatches;
            if (r.failure.failed) {
                report_failure(c, md, seed, r.failure);
                rc = 1;
                break;
            }
        }
        if (rc)
            break;
    }
    if (!any) {
        fprintf(stderr, "pw_cosim: unknown mode '%s'\n", c.mode.c_str());
        return 2;
    }
    printf("total: %" PRIu64 " translations, %" PRIu64 " mismatches, %.0f %s translations/s: %s\n",
           total.translations, total.mismatches,
           total.seconds > 0 ? (double)total.translations / total.seconds : 0.0,
           c.check ? "checked" : "unchecked", rc ? "FAIL" : "PASS");
    return rc;
}
