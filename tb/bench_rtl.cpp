// make bench, RTL side (bench_rtl.h). Every figure comes from a checked run
// (RTL against model) except the raw simulation speed:
//   - checked translations/s of the co-simulation on one core (random stimulus);
//   - raw RTL cycles/s: the same run with stimulus and memory only;
//   - cycles per TLB hit on a stream of hits (throughput and latency);
//   - cycles per page-table access beyond the memory's own delay (w + d);
//   - memory reads per TLB miss on a sequential 4 KiB stream (PSCs on).
#include "bench_rtl.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cosim_config.h"
#include "driver.h"

namespace {

constexpr uint64_t MEM_BYTES = UINT64_C(3) << 30;
constexpr uint64_t RANDOM_N = 200000;
constexpr uint64_t HIT_PAGES = PWCFG_TLB_ENTRIES < 16 ? PWCFG_TLB_ENTRIES : 16;   // all fit in the TLB
constexpr uint64_t HITS = 200000;
constexpr uint64_t STREAM_PAGES = 4096;         // 16 MiB: 8 page tables
constexpr uint64_t WALKS = 2000;
constexpr uint64_t LA_BASE = UINT64_C(0x40000000);
constexpr uint64_t PA_BASE = UINT64_C(0x10000000);
constexpr unsigned FIXED_DELAY = 3;
enum { CNT_MISSES = 2, CNT_MEM_READS = 5, CNT_PSC2 = 8 };

struct Sides {
    pw_config cfg;
    pw_image *img[2] = {nullptr, nullptr};
    pw_os *os[2] = {nullptr, nullptr};
    pw_regs initial;
    ~Sides()
    {
        for (int i = 0; i < 2; i++) {
            pw_os_free(os[i]);
            pw_image_free(img[i]);
        }
    }
};

stim_event ctl_ev(pw_ctl_kind k, uint64_t value, unsigned delay = 0)
{
    stim_event e{};
    e.kind = STIM_CTL;
    e.ctl.kind = k;
    e.ctl.value = value;
    e.delay = delay;
    e.must_pass = true;
    e.what = "bench";
    return e;
}

stim_event req_ev(uint64_t la)
{
    stim_event e{};
    e.kind = STIM_REQUEST;
    e.req.la = la;
    e.req.kind = PW_ACC_READ;
    e.what = "bench";
    return e;
}

// A 4-level space with `pages` 4 KiB pages at LA_BASE (accessed, dirty), in two images,
// and the boot operations into it.
bool build(Sides &s, uint64_t pages, std::vector<stim_event> &ev)
{
    cosim_config(&s.cfg);
    for (int i = 0; i < 2; i++) {
        if (pw_image_sparse_new(MEM_BYTES, &s.img[i]) != PW_OK ||
            pw_os_new(s.img[i], &s.cfg, PW_MODE_4LVL, stim_pool_base(), stim_pool_bytes(), nullptr,
                      &s.os[i]) != PW_OK)
            return false;
        for (uint64_t p = 0; p < pages; p++)
            if (pw_os_map(s.os[i], LA_BASE + p * PW_PAGE_SIZE, PA_BASE + p * PW_PAGE_SIZE, PW_SIZE_4K,
                          PTE_RW | PTE_A | PTE_D) != PW_OK)
                return false;
    }
    pw_regs &r = s.initial;
    pw_regs_reset(&r);
    r.cr0 = CR0_PE | CR0_PG | CR0_WP;
    r.cr4 = CR4_PAE | CR4_PGE;
    r.efer = EFER_LME | EFER_LMA | EFER_NXE;
    r.cr3 = pw_os_cr3(s.os[0]);
    ev.push_back(ctl_ev(PW_CTL_WRMSR_EFER, EFER_LME | EFER_NXE));
    ev.push_back(ctl_ev(PW_CTL_MOV_CR4, r.cr4));
    ev.push_back(ctl_ev(PW_CTL_MOV_CR3, r.cr3));
    ev.push_back(ctl_ev(PW_CTL_MOV_CR0, r.cr0));
    for (stim_event &e : ev)
        e.boot = true;
    return true;
}

struct Measured {
    RunTally tally;
    Failure failure;
    uint64_t counters[16] = {};
};

Measured run(Sides &s, std::vector<stim_event> ev, uint64_t n, const mem_timing &tm,
             const std::function<void(const TranslationRecord &)> &obs)
{
    DriverOptions opt;
    opt.n = n;
    DriverEnv env;
    env.cfg = s.cfg;
    env.img_rtl = s.img[0];
    env.img_model = s.img[1];
    env.timing = tm;
    env.initial = s.initial;
    ListSource src(std::move(ev));
    Driver d(opt, env, &src);
    d.observer = obs;
    Measured m;
    m.tally = d.run(&m.failure);
    for (unsigned i = 0; i < 16; i++)
        m.counters[i] = d.rtl_counter(i);
    return m;
}

bool failed(const char *what, const Failure &f)
{
    if (!f.failed)
        return false;
    printf("  %s: MISMATCH at cycle %" PRIu64 ": %s\n%s", what, f.cycle, f.what.c_str(), f.detail.c_str());
    return true;
}

// Random stimulus through the driver; `check` off = the RTL alone.
RunTally random_run(bool check, Failure *f, const std::function<void(const TranslationRecord &)> &obs)
{
    pw_config cfg;
    cosim_config(&cfg);
    pw_image *a = nullptr, *b = nullptr;
    stim *st = static_cast<stim *>(calloc(1, sizeof(stim)));
    pw_regs initial;
    RunTally t;
    if (st && pw_image_sparse_new(MEM_BYTES, &a) == PW_OK &&
        (!check || pw_image_sparse_new(MEM_BYTES, &b) == PW_OK) &&
        stim_init(st, nullptr, PW_MODE_4LVL, 1, &cfg, a, b, &initial) == PW_OK) {
        DriverOptions opt;
        opt.n = RANDOM_N;
        opt.check = check;
        DriverEnv env;
        env.cfg = cfg;
        env.img_rtl = a;
        env.img_model = b;
        mem_timing_default(&env.timing, 1);
        env.initial = initial;
        StimSource src(st);
        Driver d(opt, env, &src);
        d.observer = obs;
        t = d.run(f);
    } else {
        fail(f, 0, "cannot build the random environment");
    }
    if (st)
        stim_fini(st);
    free(st);
    pw_image_free(a);
    pw_image_free(b);
    return t;
}

// Per walk: r - a - 1 - sum over accesses of (w + d); summed with the access count.
struct WalkCost {
    uint64_t extra = 0, accesses = 0, walks = 0;
    void add(const TranslationRecord &r)
    {
        if (r.accesses.empty())
            return;
        uint64_t mem = 0;
        for (const RtlAccess &a : r.accesses)
            mem += a.respond - a.issue;
        extra += r.response - r.accept - 1 - mem;
        accesses += r.accesses.size();
        walks++;
    }
    double per_access() const { return accesses ? (double)extra / (double)accesses : 0; }
};

}  // namespace

int bench_rtl(const char *argv0)
{
    (void)argv0;
    int rc = 0;
    printf("co-simulation bench (config %s: TLB %d, PSC %d/%d/%d/%d; one core)\n", PWCFG_NAME,
           PWCFG_TLB_ENTRIES, PWCFG_PSC_PDE, PWCFG_PSC_PDPTE, PWCFG_PSC_PML4E, PWCFG_PSC_PML5E);

    // 1. Speed: checked, then the RTL alone.
    WalkCost random_cost;
    Failure f1, f2;
    RunTally checked = random_run(true, &f1, [&](const TranslationRecord &r) { random_cost.add(r); });
    if (failed("checked run", f1))
        return 1;
    RunTally raw = random_run(false, &f2, nullptr);
    if (failed("raw run", f2))
        return 1;
    printf("  checked co-simulation, 4-level random:  %9.0f translations/s  (%.2f M cycles/s)\n",
           checked.translations / checked.seconds, checked.cycles / checked.seconds / 1e6);
    printf("  RTL alone (stimulus + memory):          %9.0f translations/s  (%.2f M cycles/s)\n",
           raw.translations / raw.seconds, raw.cycles / raw.seconds / 1e6);

    // 2. A stream of TLB hits.
    {
        Sides s;
        std::vector<stim_event> ev;
        if (!build(s, HIT_PAGES, ev))
            return printf("  hits: cannot build the space\n"), 1;
        for (uint64_t i = 0; i < HITS + HIT_PAGES; i++)
            ev.push_back(req_ev(LA_BASE + (i % HIT_PAGES) * PW_PAGE_SIZE + (i * 8) % PW_PAGE_SIZE));
        uint64_t first = 0, last = 0, lat = 0, n = 0, idx = 0;
        mem_timing tm;
        mem_timing_default(&tm, 1);
        Measured m = run(s, ev, HITS + HIT_PAGES, tm, [&](const TranslationRecord &r) {
            if (idx++ < HIT_PAGES)
                return;   // warming the TLB
            if (!n)
                first = r.accept;
            last = r.accept;
            lat += r.response - r.accept;
            n++;
        });
        if (failed("hits", m.failure))
            return 1;
        printf("  TLB hits back to back:                  %9.2f cycles per hit (latency %.2f), %" PRIu64
               " hits\n",
               n > 1 ? (double)(last - first) / (double)(n - 1) : 0.0, n ? (double)lat / (double)n : 0.0,
               m.counters[1]);
    }

    // 3. Walks: cycles per access beyond the memory's delay.
    {
        Sides s;
        std::vector<stim_event> ev;
        if (!build(s, STREAM_PAGES, ev))
            return printf("  walks: cannot build the space\n"), 1;
        for (uint64_t i = 0; i < WALKS; i++) {
            ev.push_back(req_ev(LA_BASE + ((i * 97) % STREAM_PAGES) * PW_PAGE_SIZE));
            ev.push_back(ctl_ev(PW_CTL_FLUSH_ALL, 0));   // in the accept cycle: the next one walks from the root
        }
        mem_timing tm;
        mem_timing_default(&tm, 1);
        tm.kind = MEM_DELAY_FIXED;
        tm.lo = tm.hi = FIXED_DELAY;
        tm.backpressure_pct = 0;
        WalkCost cost;
        uint64_t lat = 0;
        Measured m = run(s, ev, WALKS, tm, [&](const TranslationRecord &r) {
            cost.add(r);
            lat = r.response - r.accept;
        });
        if (failed("walks", m.failure))
            return 1;
        printf("  walk, per page-table access:            %9.2f cycles beyond the memory's w + d "
               "(random run: %.2f over %" PRIu64 " walks); +1 per walk for the answer\n",
               cost.per_access(), random_cost.per_access(), random_cost.walks);
        printf("  4-level walk from the root, d = %u:      %9" PRIu64 " cycles accept to response\n",
               FIXED_DELAY, lat);
    }

    // 4. Sequential 4 KiB stream: memory reads per miss with the PSCs.
    {
        Sides s;
        std::vector<stim_event> ev;
        if (!build(s, STREAM_PAGES, ev))
            return printf("  stream: cannot build the space\n"), 1;
        for (uint64_t i = 0; i < STREAM_PAGES; i++)
            ev.push_back(req_ev(LA_BASE + i * PW_PAGE_SIZE));
        mem_timing tm;
        mem_timing_default(&tm, 1);
        Measured m = run(s, ev, STREAM_PAGES, tm, nullptr);
        if (failed("stream", m.failure))
            return 1;
        uint64_t misses = m.counters[CNT_MISSES], reads = m.counters[CNT_MEM_READS];
        printf("  sequential 4 KiB stream, %" PRIu64 " pages:   %9.3f memory reads per miss (%" PRIu64
               " reads, %" PRIu64 " misses, PDE-cache hits %" PRIu64 ")\n",
               STREAM_PAGES, misses ? (double)reads / (double)misses : 0.0, reads, misses,
               m.counters[CNT_PSC2]);
    }
    return rc;
}
