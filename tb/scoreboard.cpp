// RTL against model, translation by translation (scoreboard.h).
#include "scoreboard.h"

#include "cosim_config.h"

#include <cinttypes>
#include <cstring>

namespace {

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

void Scoreboard::expect(uint64_t index, const pw_request &q, const pw_regs &regs,
                        const pw_mmu_response &rsp)
{
    busy_ = true;
    index_ = index;
    req_ = q;
    regs_ = regs;
    exp_ = rsp;
    rtl_.clear();
}

std::string Scoreboard::context() const
{
    return "    request #" + num(index_) + ": " + fmt_request(req_) + "\n    registers: " +
           fmt_regs(regs_) + "\n" + fmt_model_walk(exp_) + fmt_rtl_accesses(rtl_);
}

void Scoreboard::mismatch(uint64_t t, const std::string &what, const std::string &detail)
{
    fail(f_, t, what, detail + context());
}

void Scoreboard::on_issue(const RtlAccess &a)
{
    if (f_->failed)
        return;
    if (!busy_) {
        fail(f_, a.issue, "page-table access with no request outstanding: " + fmt_access(a.acc));
        return;
    }
    size_t k = rtl_.size();
    rtl_.push_back(a);
    if (k >= exp_.n_access) {
        mismatch(a.issue, "RTL makes access #" + num(k) + " but the model makes only " +
                              num(exp_.n_access));
        return;
    }
    if (k >= exp_.n_trace)
        return;   // beyond the model's record: only the count is checked
    const pw_trace_entry &e = exp_.trace[k];
    bool cas = e.acc.kind == PW_MEM_CAS;
    bool same = a.acc.kind == e.acc.kind && a.acc.pa == e.acc.pa && a.acc.size == e.acc.size &&
                (!cas || (a.acc.expect == e.acc.expect && a.acc.desired == e.acc.desired));
    if (!same || a.issue != e.issue) {
        mismatch(a.issue, "access #" + num(k) + " differs",
                 "    expected " + fmt_access(e.acc) + " issued in " + num(e.issue) + "\n    got      " +
                     fmt_access(a.acc) + " issued in " + num(a.issue) + "\n");
    }
}

void Scoreboard::on_perform(const RtlAccess &a)
{
    if (f_->failed || !busy_ || rtl_.empty())
        return;
    size_t k = rtl_.size() - 1;
    rtl_[k] = a;
    if (k >= exp_.n_trace)
        return;
    const pw_trace_entry &e = exp_.trace[k];
    if (a.accept != e.accept || a.respond != e.respond || a.data != e.data || a.status != e.status) {
        mismatch(a.accept, "access #" + num(k) + ": memory timing or data differs (the memories diverged?)",
                 "    expected accept " + num(e.accept) + " respond " + num(e.respond) + " data " +
                     fmt_hex(e.data) + "\n    got      accept " + num(a.accept) + " respond " +
                     num(a.respond) + " data " + fmt_hex(a.data) + "\n");
    }
}

void Scoreboard::on_protocol_error(uint64_t cycle, const char *what)
{
    if (f_->failed)
        return;
    fail(f_, cycle, std::string("memory port protocol: ") + what, busy_ ? context() : "");
}

void Scoreboard::late(uint64_t t)
{
    mismatch(t, "no response in cycle " + num(exp_.rsp_cycle) + " (the model's response cycle)",
             "    expected " + fmt_result(exp_.result) + "\n");
}

void Scoreboard::on_response(uint64_t t, const pw_result &got)
{
    if (f_->failed)
        return;
    if (!busy_) {
        fail(f_, t, "rsp_valid_o with no request outstanding: " + fmt_result(got));
        return;
    }
    busy_ = false;
    if (exp_.result.outcome == PW_OUT_ABORTED) {
        mismatch(t, "the model gave up the walk (livelock guard, max_restarts): stimulus bug");
        return;
    }
    if (t != exp_.rsp_cycle) {
        mismatch(t, "response in cycle " + num(t) + ", the model's in " + num(exp_.rsp_cycle),
                 fmt_result_diff(exp_.result, got, nullptr));
        return;
    }
    if (rtl_.size() != exp_.n_access) {
        mismatch(t, "RTL made " + num(rtl_.size()) + " page-table accesses, the model " +
                        num(exp_.n_access));
        return;
    }
    pw_result e = exp_.result;
    e.restarts = 0;   // not a port (the restarts counter is)
    std::string fields;
    std::string diff = fmt_result_diff(e, got, &fields);
    if (!fields.empty())
        mismatch(t, "response differs in " + fields, diff);
}

void Scoreboard::on_reset(uint64_t t)
{
    if (f_->failed || !busy_)
        return;
    busy_ = false;
    if (t <= exp_.accept_cycle) {
        mismatch(t, "reset in cycle " + num(t) + ", not after the accept cycle (driver bug)");
        return;
    }
    size_t issued = 0;
    while (issued < exp_.n_trace && exp_.trace[issued].issue < t)
        issued++;
    if (exp_.n_trace < exp_.n_access && issued == exp_.n_trace) {
        mismatch(t, "reset after more accesses than the model recorded (PW_TRACE_MAX)");
        return;
    }
    if (rtl_.size() != issued)
        mismatch(t, "reset in cycle " + num(t) + ": RTL issued " + num(rtl_.size()) +
                        " page-table accesses before it, the model " + num(issued));
}

void Scoreboard::check_counters(uint64_t t, const pw_counters &m, const uint64_t rtl[16])
{
    if (f_->failed)
        return;
    const uint64_t model[16] = {m.requests,    m.hits,        m.misses,      m.walks,
                                m.walk_cycles, m.mem_reads,   m.mem_cas,     m.restarts,
                                m.psc_hits[2], m.psc_hits[3], m.psc_hits[4], m.psc_hits[5],
                                m.faults,      m.bus_errors,  m.fills_dropped, 0};
    std::string detail, names;
    for (unsigned i = 0; i < 16; i++) {
        bool diff = (model[i] & PWCFG_CNT_MASK) != rtl[i];
        detail += "    " + std::to_string(i) + " " + counter_name(i) + ": model " + num(model[i]) +
                  ", RTL " + num(rtl[i]) + (diff ? "  <<<" : "") + "\n";
        if (diff)
            names += std::string(names.empty() ? "" : ",") + counter_name(i);
    }
    if (!names.empty())
        fail(f_, t, "counters differ: " + names, detail);
}

void Scoreboard::check_memory(uint64_t t, pw_image *a, pw_image *b, uint64_t base, uint64_t bytes)
{
    if (f_->failed)
        return;
    static uint8_t pa_buf[PW_PAGE_SIZE], pb_buf[PW_PAGE_SIZE];
    for (uint64_t pa = base; pa < base + bytes; pa += PW_PAGE_SIZE) {
        if (pw_image_read(a, pa, pa_buf, sizeof pa_buf) != PW_OK ||
            pw_image_read(b, pa, pb_buf, sizeof pb_buf) != PW_OK)
            continue;
        if (memcmp(pa_buf, pb_buf, sizeof pa_buf)) {
            unsigned off = 0;
            while (pa_buf[off] == pb_buf[off])
                off++;
            off &= ~7u;
            uint64_t va, vb;
            memcpy(&va, pa_buf + off, 8);
            memcpy(&vb, pb_buf + off, 8);
            fail(f_, t, "page-table memory differs at PA " + fmt_hex(pa + off),
                 "    model " + fmt_hex(vb) + "\n    RTL   " + fmt_hex(va) + "\n");
            return;
        }
    }
}
