// Mismatch and summary printing (report.h).
#include "report.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "cosim_config.h"

namespace {

const char *outcome_name(unsigned o)
{
    static const char *const n[] = {"OK", "PF", "GP", "BUS_ERROR", "ABORTED"};
    return o < 5 ? n[o] : "?";
}

const char *kind_name(unsigned k)
{
    static const char *const n[] = {"read", "write", "fetch"};
    return k < 3 ? n[k] : "?";
}

const char *ctl_name(unsigned k)
{
    static const char *const n[] = {"MOV_CR0", "MOV_CR3", "MOV_CR4", "WRMSR_EFER", "WRPKRU",
                                    "WRPKRS", "INVLPG", "INVPCID", "FLUSH_ALL"};
    return k < 9 ? n[k] : "?";
}

std::string sprintf_str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string sprintf_str(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

}  // namespace

void fail(Failure *f, uint64_t cycle, const std::string &what, const std::string &detail)
{
    if (f->failed)
        return;
    f->failed = true;
    f->cycle = cycle;
    f->what = what;
    f->detail = detail;
}

std::string fmt_hex(uint64_t v) { return sprintf_str("0x%016" PRIx64, v); }

std::string fmt_request(const pw_request &q)
{
    return sprintf_str("la=0x%016" PRIx64 " %s user=%d implicit=%d ac=%d shadow_stack=%d", q.la,
                       kind_name(q.kind), q.user, q.implicit, q.ac, q.shadow_stack);
}

std::string fmt_regs(const pw_regs &r)
{
    return sprintf_str("cr0=%" PRIx64 " cr3=%" PRIx64 " cr4=%" PRIx64 " efer=%" PRIx64
                       " pkru=%08x pkrs=%08x pdpte=%" PRIx64 ",%" PRIx64 ",%" PRIx64 ",%" PRIx64,
                       r.cr0, r.cr3, r.cr4, r.efer, r.pkru, r.pkrs, r.pdpte[0], r.pdpte[1],
                       r.pdpte[2], r.pdpte[3]);
}

std::string fmt_ctl(const pw_ctl &op)
{
    return sprintf_str("%s value=0x%" PRIx64 " la=0x%" PRIx64 " type=%u", ctl_name(op.kind), op.value,
                       op.la, op.type);
}

std::string fmt_access(const pw_mem_access &a)
{
    if (a.kind == PW_MEM_READ)
        return sprintf_str("READ pa=0x%011" PRIx64 " size=%u", a.pa, a.size);
    return sprintf_str("CAS  pa=0x%011" PRIx64 " size=%u cmp=0x%016" PRIx64 " wdata=0x%016" PRIx64,
                       a.pa, a.size, a.expect, a.desired);
}

std::string fmt_result(const pw_result &r)
{
    return sprintf_str("%s pa=0x%" PRIx64 " size=%s level=%u err=0x%x raw=0x%" PRIx64
                       " entry_pa=0x%" PRIx64,
                       outcome_name(r.outcome), r.pa, pw_page_size_name(r.size), r.level, r.err_code,
                       r.raw_entry, r.entry_pa);
}

std::string fmt_result_diff(const pw_result &e, const pw_result &g, std::string *fields)
{
    struct Row {
        const char *name;
        uint64_t exp, got;
        const char *(*names)(unsigned);
    };
    const Row rows[] = {
        {"outcome", e.outcome, g.outcome, outcome_name},
        {"pa", e.pa, g.pa, nullptr},
        {"size", e.size, g.size, [](unsigned s) { return pw_page_size_name((pw_page_size)s); }},
        {"perm.rw", e.perm.rw, g.perm.rw, nullptr},
        {"perm.us", e.perm.us, g.perm.us, nullptr},
        {"perm.xd", e.perm.xd, g.perm.xd, nullptr},
        {"perm.nonleaf_rw", e.perm.nonleaf_rw, g.perm.nonleaf_rw, nullptr},
        {"perm.dirty", e.perm.dirty, g.perm.dirty, nullptr},
        {"perm.pk", e.perm.pk, g.perm.pk, nullptr},
        {"global", e.global, g.global, nullptr},
        {"memtype", e.memtype, g.memtype, nullptr},
        {"level", e.level, g.level, nullptr},
        {"raw_entry", e.raw_entry, g.raw_entry, nullptr},
        {"entry_pa", e.entry_pa, g.entry_pa, nullptr},
        {"err_code", e.err_code, g.err_code, nullptr},
    };
    // The common case, every field equal, formats nothing: this runs per response.
    bool any = false;
    for (const Row &r : rows)
        any |= r.exp != r.got;
    if (!any)
        return std::string();
    std::string s = "    field            expected (model)      got (RTL)\n";
    for (const Row &r : rows) {
        bool diff = r.exp != r.got;
        if (diff && fields)
            *fields += std::string(fields->empty() ? "" : ",") + r.name;
        std::string a = r.names ? r.names((unsigned)r.exp) : sprintf_str("0x%" PRIx64, r.exp);
        std::string b = r.names ? r.names((unsigned)r.got) : sprintf_str("0x%" PRIx64, r.got);
        s += sprintf_str("    %-16s %-21s %-21s%s\n", r.name, a.c_str(), b.c_str(), diff ? "  <<<" : "");
    }
    return s;
}

std::string fmt_model_walk(const pw_mmu_response &rsp)
{
    std::string s = sprintf_str("    model: accept %" PRIu64 ", response %" PRIu64 ", %s, psc hit level %u, "
                                "%u access(es), %u restart(s)\n",
                                rsp.accept_cycle, rsp.rsp_cycle, rsp.hit ? "TLB hit" : "walk",
                                rsp.psc_level, rsp.n_access, rsp.result.restarts);
    for (unsigned k = 0; k < rsp.n_trace; k++) {
        const pw_trace_entry &e = rsp.trace[k];
        s += sprintf_str("      #%-2u L%u %-75s issue %" PRIu64 " accept %" PRIu64 " respond %" PRIu64
                         " data 0x%016" PRIx64 "%s\n",
                         k, e.acc.level, fmt_access(e.acc).c_str(), e.issue, e.accept, e.respond, e.data,
                         e.status != PW_MEM_OK ? " BUS_ERROR" : "");
    }
    if (rsp.n_access > rsp.n_trace)
        s += sprintf_str("      ... %u more not recorded\n", rsp.n_access - rsp.n_trace);
    return s;
}

std::string fmt_rtl_accesses(const std::vector<RtlAccess> &acc)
{
    std::string s = sprintf_str("    RTL: %zu access(es)\n", acc.size());
    for (size_t k = 0; k < acc.size(); k++) {
        const RtlAccess &a = acc[k];
        s += sprintf_str("      #%-2zu    %-75s issue %" PRIu64 " accept %" PRIu64 " respond %" PRIu64
                         " data 0x%016" PRIx64 "%s\n",
                         k, fmt_access(a.acc).c_str(), a.issue, a.accept, a.respond, a.data,
                         a.status != PW_MEM_OK ? " BUS_ERROR" : "");
    }
    return s;
}

const char *counter_name(unsigned sel)
{
    static const char *const n[] = {"requests", "hits", "misses", "walks", "walk_cycles",
                                    "mem_reads", "mem_cas", "restarts", "psc_hits[2]", "psc_hits[3]",
                                    "psc_hits[4]", "psc_hits[5]", "faults", "bus_errors",
                                    "fills_dropped", "(none)"};
    return sel < 16 ? n[sel] : "?";
}

void print_summary_header()
{
    printf("%-7s %-7s %6s %9s %9s %9s %8s %8s %6s %6s %6s %10s %10s %9s\n", "config", "mode", "seed",
           "transl", "hits", "walks", "faults", "restarts", "bus", "ctl", "resets", "cycles",
           "mismatches", "transl/s");
}

void print_summary_line(const char *mode, uint64_t seed, const RunTally &t)
{
    const char *cfg = PWCFG_NAME;
    double rate = t.seconds > 0 ? (double)t.translations / t.seconds : 0;
    printf("%-7s %-7s %6" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8" PRIu64 " %8" PRIu64
           " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9.0f\n",
           cfg, mode, seed, t.translations, t.hits, t.walks, t.faults, t.restarts, t.bus_errors,
           t.ctl_ops, t.resets, t.cycles, t.mismatches, rate);
    fflush(stdout);
}
