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
//            [--bus-error-read PM] [--bus-error-cas PM] [--poke PCT] [--midwalk PCT]
//            [--midwalk-random] [--reset PM] [--watchdog CYCLES] [--no-faults]
//            [--cover DB] [--cover-html PATH] [--cover-require] [--rtl-coverage DIR]
//   pw_cosim --cover-merge OUT_DB DB... [--cover-html PATH] [--cover-require]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_rtl.h"
#include "coverage.h"
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
    // Injected faults: each has a switch and each is in the default mix (make sim).
    uint64_t bus_error_read_pm = 2;    // per mille of page-table reads answered err = 1
    uint64_t bus_error_cas_pm = 20;    // per mille of CASes answered err = 1 (CASes are rarer)
    uint64_t poke_pct = 30;            // requests with a concurrent A/D writer during the walk
    uint64_t midwalk_pct = 5;          // requests followed by an invalidation during the walk
    bool midwalk_sweep = true;         // ... at every cycle offset in turn (else at random)
    uint64_t reset_pm = 2;             // per mille of requests followed by a reset mid-walk
    uint64_t watchdog = 20000;         // cycles a request may wait to be accepted or answered
    std::string cover_db, cover_html;  // functional coverage database / HTML page to write
    std::string rtl_coverage;          // directory for Verilator's coverage, one file per run
    bool cover_require = false;        // fail when a cover point was never hit
    std::vector<std::string> merge_in; // --cover-merge inputs (cover_db is the output)
};

constexpr uint64_t PER_MILLE = 1000;
constexpr uint64_t PERCENT = 100;

void usage(FILE *f)
{
    fprintf(f,
            "usage: pw_cosim [--mode all|32bit|pae|4level|5level] [--seed S] [--seeds K] [-n N]\n"
            "                [--delay fixed:D|range:LO:HI|bursty[:LO:HI]] [--backpressure PCT]\n"
            "                [--trace-from CYCLE] [--fst PATH] [--fail-fst PATH] [--no-check] [--bench]\n"
            "                [--inject rsp|mem|ctl [--inject-at REQUEST]]\n"
            "                [--bus-error-read PM] [--bus-error-cas PM] [--poke PCT] [--midwalk PCT]\n"
            "                [--midwalk-random] [--reset PM] [--watchdog CYCLES] [--no-faults]\n"
            "                [--cover DB] [--cover-html PATH] [--cover-require] [--rtl-coverage DIR]\n"
            "       pw_cosim --cover-merge OUT_DB DB... [--cover-html PATH] [--cover-require]\n"
            "  K seeds from S for each mode, N translations each; exit 0 only with no mismatch.\n"
            "  --trace-from writes an FST waveform (--fst, default build/cosim.fst) from CYCLE on.\n"
            "  --no-check runs the RTL with stimulus and memory only (no model, no scoreboard).\n"
            "  --bench prints the co-simulation performance figures (make bench).\n"
            "  --inject makes the RTL side wrong on purpose (self-test of the checker): a response\n"
            "  field, an entry of its memory, or a lost address-space switch (MOV CR3).\n"
            "  On a mismatch the cycles before it are written to --fail-fst (build/cosim_fail.fst).\n"
            "  Injected faults (defaults in brackets; --no-faults sets all to 0):\n"
            "    --bus-error-read PM  per mille of page-table reads answered with a bus error [2]\n"
            "    --bus-error-cas PM   per mille of A/D CASes answered with a bus error [20]\n"
            "    --backpressure PCT   memory back-pressure, per cycle [20]\n"
            "    --midwalk PCT        requests followed by an invalidation during their walk [5],\n"
            "                         at offsets 0, 1, .. 39 cycles after the accept in turn\n"
            "                         (--midwalk-random: at random offsets)\n"
            "    --poke PCT           requests raced by another CPU setting A/D on their path [30]\n"
            "    --reset PM           per mille of requests followed by a reset 1..40 cycles after\n"
            "                         the accept [2]; the core then boots again\n"
            "    --watchdog CYCLES    a request not accepted or answered within CYCLES fails [20000]\n"
            "  Functional coverage (docs/cosim.md): --cover writes the database of this run (all\n"
            "  modes and seeds), --cover-html a page, --cover-require fails (exit 1) when a point\n"
            "  was never hit. --cover-merge adds databases of several runs into OUT_DB.\n"
            "  --rtl-coverage writes Verilator's line/toggle coverage of each run into DIR\n"
            "  (build/pw_cosim_cov, make coverage).\n");
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
    t.bus_error_read_pm = (unsigned)c.bus_error_read_pm;
    t.bus_error_cas_pm = (unsigned)c.bus_error_cas_pm;
    return t;
}

stim_opts stim_opts_for(const Cli &c)
{
    stim_opts o;
    stim_opts_default(&o);
    o.poke_pct = (unsigned)c.poke_pct;
    o.midwalk_pct = (unsigned)c.midwalk_pct;
    o.midwalk_sweep = c.midwalk_sweep;
    o.reset_pm = (unsigned)c.reset_pm;
    return o;
}

std::string repro(const Cli &c, const char *mode, uint64_t seed)
{
    mem_timing t = timing_for(c, seed);
    char d[64];
    mem_timing_format(&t, d, sizeof d);
    std::string s = c.argv0 + " --mode " + mode + " --seed " + std::to_string(seed) + " --seeds 1 -n " +
                    std::to_string(c.n) + " --delay " + d + " --backpressure " +
                    std::to_string(t.backpressure_pct);
    s += " --bus-error-read " + std::to_string(c.bus_error_read_pm) + " --bus-error-cas " +
         std::to_string(c.bus_error_cas_pm) + " --poke " + std::to_string(c.poke_pct) + " --midwalk " +
         std::to_string(c.midwalk_pct) + (c.midwalk_sweep ? "" : " --midwalk-random") + " --reset " +
         std::to_string(c.reset_pm);
    if (c.watchdog != Cli().watchdog)
        s += " --watchdog " + std::to_string(c.watchdog);
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
                   const std::string &fst, Coverage *cov)
{
    RunOutcome out;
    pw_config cfg;
    cosim_config(&cfg);
    pw_image *img_rtl = nullptr, *img_model = nullptr;
    stim *st = static_cast<stim *>(calloc(1, sizeof(stim)));
    pw_regs initial;
    bool ok = st && pw_image_sparse_new(MEM_BYTES, &img_rtl) == PW_OK &&
              (!c.check || pw_image_sparse_new(MEM_BYTES, &img_model) == PW_OK);
    stim_opts so = stim_opts_for(c);
    pw_status s = ok ? stim_init(st, &so, md.mode, seed, &cfg, img_rtl, img_model, &initial)
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
        opt.watchdog = c.watchdog;
        opt.cov = cov;
        if (!c.rtl_coverage.empty())
            opt.rtl_coverage = c.rtl_coverage + "/" + md.name + "_" + std::to_string(seed) + ".dat";
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
    RunOutcome again = run_one(c, md, seed, from, c.fail_fst, nullptr);
    if (again.failure.failed && again.failure.cycle == f.cycle)
        printf("  waveform:  %s (cycles %" PRIu64 "..%" PRIu64 "; time = 10 x cycle)\n",
               c.fail_fst.c_str(), from, f.cycle + 16);
    else
        printf("  waveform:  the re-run did not fail the same way (nondeterminism?)\n");
    printf("  waveform again: %s --trace-from %" PRIu64 " --fst %s\n", repro(c, md.name, seed).c_str(),
           from, c.fst.c_str());
    fflush(stdout);
}

// Write the database and the page asked for; report; with --cover-require, false when a
// point was never hit.
bool finish_coverage(const Cli &c, const Coverage &cov)
{
    std::string err;
    if (!cov.undeclared().empty()) {
        printf("coverage: sampled points that are not declared (tb/coverage.cpp):");
        for (const std::string &u : cov.undeclared())
            printf(" %s", u.c_str());
        printf("\n");
        return false;
    }
    if (!c.cover_db.empty() && !cov.save(c.cover_db, &err)) {
        fprintf(stderr, "pw_cosim: %s\n", err.c_str());
        return false;
    }
    if (!c.cover_html.empty() &&
        !cov.write_html(c.cover_html, std::string("pagewalk functional coverage (") + PWCFG_NAME + ")",
                        &err)) {
        fprintf(stderr, "pw_cosim: %s\n", err.c_str());
        return false;
    }
    std::vector<std::string> miss = cov.missing();
    printf("coverage: %zu of %zu functional cover points hit", cov.hit(), cov.points());
    if (!miss.empty()) {
        printf("; never hit:");
        for (const std::string &m : miss)
            printf(" %s", m.c_str());
    }
    printf("\n");
    return !(c.cover_require && !miss.empty());
}

int merge_coverage(const Cli &c)
{
    pw_config cfg;
    cosim_config(&cfg);
    Coverage cov(cfg);
    for (const std::string &in : c.merge_in) {
        std::string err;
        if (!cov.merge_file(in, &err)) {
            fprintf(stderr, "pw_cosim: %s\n", err.c_str());
            return 2;
        }
    }
    return finish_coverage(c, cov) ? 0 : 1;
}

}  // namespace

#ifdef PW_COSIM_MAIN   // the SystemC top (tb/sc/sc_main.cpp) calls it from sc_main
#define main PW_COSIM_MAIN
#endif
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
        } else if (!strcmp(a, "--bus-error-read") && parse_u64(v, &c.bus_error_read_pm) &&
                   c.bus_error_read_pm < PER_MILLE) {
            i++;
        } else if (!strcmp(a, "--bus-error-cas") && parse_u64(v, &c.bus_error_cas_pm) &&
                   c.bus_error_cas_pm < PER_MILLE) {
            i++;
        } else if (!strcmp(a, "--poke") && parse_u64(v, &c.poke_pct) && c.poke_pct <= PERCENT) {
            i++;
        } else if (!strcmp(a, "--midwalk") && parse_u64(v, &c.midwalk_pct) && c.midwalk_pct <= PERCENT) {
            i++;
        } else if (!strcmp(a, "--midwalk-random")) {
            c.midwalk_sweep = false;
        } else if (!strcmp(a, "--reset") && parse_u64(v, &c.reset_pm) && c.reset_pm < PER_MILLE) {
            i++;
        } else if (!strcmp(a, "--watchdog") && parse_u64(v, &c.watchdog)) {
            i++;
        } else if (!strcmp(a, "--no-faults")) {
            c.bus_error_read_pm = c.bus_error_cas_pm = c.poke_pct = c.midwalk_pct = c.reset_pm = 0;
            c.backpressure = 0;
        } else if (!strcmp(a, "--cover") && v) {
            c.cover_db = v;
            i++;
        } else if (!strcmp(a, "--cover-html") && v) {
            c.cover_html = v;
            i++;
        } else if (!strcmp(a, "--rtl-coverage") && v) {
            c.rtl_coverage = v;
            i++;
        } else if (!strcmp(a, "--cover-require")) {
            c.cover_require = true;
        } else if (!strcmp(a, "--cover-merge") && v) {
            c.cover_db = v;
            for (i += 2; i < argc && strncmp(argv[i], "--", 2); i++)
                c.merge_in.push_back(argv[i]);
            i--;
            if (c.merge_in.empty()) {
                fprintf(stderr, "pw_cosim: --cover-merge needs an output and at least one input\n");
                return 2;
            }
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
    if (!c.merge_in.empty())
        return merge_coverage(c);

    pw_config cfg;
    cosim_config(&cfg);
    bool any = false;
    RunTally total;
    Coverage cov(cfg);
    bool sample = c.check && (c.cover_require || !c.cover_db.empty() || !c.cover_html.empty());
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
            RunOutcome r = run_one(c, md, seed, c.trace_from, c.fst, sample ? &cov : nullptr);
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
    if (sample && !rc && !finish_coverage(c, cov))
        rc = 1;
    printf("total: %" PRIu64 " translations, %" PRIu64 " mismatches, %.0f %s translations/s: %s\n",
           total.translations, total.mismatches,
           total.seconds > 0 ? (double)total.translations / total.seconds : 0.0,
           c.check ? "checked" : "unchecked", rc ? "FAIL" : "PASS");
    return rc;
}
