// The VP's comparisons (vp_check.h).
#include "vp_check.h"

#include <cinttypes>
#include <cstdio>

#include "pw_tlm_payload.h"

namespace {

std::string hex(uint64_t v)
{
    char b[sizeof "0x" + 2 * sizeof v];
    std::snprintf(b, sizeof b, "0x%" PRIx64, v);
    return b;
}

void field(std::string &out, const char *name, uint64_t got, uint64_t want)
{
    if (got != want)
        out += std::string(out.empty() ? "" : ", ") + name + " " + hex(got) + " != " + hex(want);
}

// The functional walk's memory: the image's reads; a CAS writes nothing and succeeds.
pw_mem_status no_write_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                           uint64_t desired, uint64_t cycle, uint64_t *old)
{
    (void)ctx, (void)pa, (void)size, (void)desired, (void)cycle;
    *old = expect;
    return PW_MEM_OK;
}

}  // namespace

std::string vp_diff_result(const pw_result &got, const pw_result &want, vp_match how, bool hit)
{
    std::string d;
    field(d, "outcome", got.outcome, want.outcome);
    if (!d.empty())
        return d;
    const bool exact = how == vp_match::exact;
    // Functionally, a TLB hit has no raw entry (docs/timing.md decision 2) and its D is
    // the one cached at the fill (R11.2): neither is compared with memory's.
    const bool cached = !exact && hit;
    switch (got.outcome) {
    case PW_OUT_OK:
        field(d, "pa", got.pa, want.pa);
        field(d, "size", got.size, want.size);
        field(d, "rw", got.perm.rw, want.perm.rw);
        field(d, "us", got.perm.us, want.perm.us);
        field(d, "xd", got.perm.xd, want.perm.xd);
        field(d, "nonleaf_rw", got.perm.nonleaf_rw, want.perm.nonleaf_rw);
        if (!cached)
            field(d, "dirty", got.perm.dirty, want.perm.dirty);
        field(d, "pk", got.perm.pk, want.perm.pk);
        field(d, "global", got.global, want.global);
        field(d, "memtype", got.memtype, want.memtype);
        field(d, "level", got.level, want.level);
        break;
    case PW_OUT_PF:
        field(d, "err_code", got.err_code, want.err_code);
        field(d, "level", got.level, want.level);
        break;
    case PW_OUT_BUS_ERROR:
        field(d, "level", got.level, want.level);
        break;
    default:
        break;
    }
    if (!cached) {
        field(d, "raw_entry", got.raw_entry, want.raw_entry);
        field(d, "entry_pa", got.entry_pa, want.entry_pa);
    }
    if (exact)
        field(d, "restarts", got.restarts, want.restarts);
    return d;
}

std::string vp_diff_trace(const std::vector<vp_mem_access> &log, const pw_mmu_response &ref,
                          const sc_core::sc_time &period)
{
    std::string d;
    field(d, "accesses", log.size(), ref.n_access);
    const size_t n = std::min<size_t>(log.size(), ref.n_trace);
    for (size_t i = 0; i < n && d.empty(); i++) {
        const vp_mem_access &m = log[i];
        const pw_trace_entry &t = ref.trace[i];
        const bool cas = t.acc.kind == PW_MEM_CAS;
        const std::string at = "access " + std::to_string(i) + ": ";
        std::string e;
        field(e, "cas", m.cas, cas);
        field(e, "write", m.cmd == tlm::TLM_WRITE_COMMAND, cas);
        field(e, "pa", m.pa, t.acc.pa);
        field(e, "size", m.size, t.acc.size);
        if (cas) {
            field(e, "cmp", m.cmp, t.acc.expect);
            field(e, "wdata", m.wdata, t.acc.desired);
        }
        field(e, "issue time (ps)", m.issue.value(),
              sc_core::sc_time::from_value(t.issue * period.value()).value());
        field(e, "error", m.status != tlm::TLM_OK_RESPONSE, t.status != PW_MEM_OK);
        if (!e.empty())
            d = at + e;
    }
    return d;
}

pw_status vp_functional(const pw_config &cfg, const pw_regs &regs, pw_image *img,
                        const pw_request &req, pw_result *res)
{
    pw_mem mem;
    pw_image_mem(img, &mem);
    mem.cas = no_write_cas;
    return pw_walk(&cfg, &regs, &mem, &req, res);
}

std::string vp_format_request(const pw_request &q)
{
    static const char *const kinds[] = {"read", "write", "fetch"};
    return "la " + hex(q.la) + " " + kinds[q.kind] + (q.user ? " user" : " supervisor") +
           (q.implicit ? " implicit" : "") + (q.ac ? " ac" : "");
}

std::string vp_format_result(const pw_result &r)
{
    static const char *const outcomes[] = {"OK", "PF", "GP", "BUS_ERROR", "ABORTED"};
    std::string s = outcomes[r.outcome];
    s += " pa " + hex(r.pa) + " level " + std::to_string(r.level) + " err " + hex(r.err_code) +
         " raw " + hex(r.raw_entry) + " entry_pa " + hex(r.entry_pa);
    return s;
}

bool vp_report::check(const std::string &what, const std::string &diff)
{
    if (diff.empty())
        return true;
    if (mismatches_++ < max_printed_)
        std::printf("MISMATCH %s: %s\n  at %s\n", what.c_str(), diff.c_str(), context_.c_str());
    return false;
}
