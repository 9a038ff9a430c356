// The VP's traffic initiator and checker (vp_traffic.h).
#include "vp_traffic.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

using sc_core::sc_time;
using sc_core::sc_time_stamp;

namespace {

// Gaps between requests: mostly back to back, so TLB hits run at one per cycle.
constexpr unsigned gap_short_pct = 25, gap_long_pct = 5, off_grid_pct = 3;
constexpr unsigned gap_short_max = 3, gap_long_min = 10, gap_long_max = 40;
// Runs this long (translations per mode) must have exercised every check.
constexpr uint64_t min_coverage_n = 2000;

const char *mode_name(pw_mode m)
{
    switch (m) {
    case PW_MODE_32: return "32bit";
    case PW_MODE_PAE: return "pae";
    case PW_MODE_4LVL: return "4level";
    case PW_MODE_5LVL: return "5level";
    default: return "none";
    }
}

bool same_regs(const pw_regs &a, const pw_regs &b)
{
    return a.cr0 == b.cr0 && a.cr3 == b.cr3 && a.cr4 == b.cr4 && a.efer == b.efer &&
           a.pkru == b.pkru && a.pkrs == b.pkrs &&
           std::memcmp(a.pdpte, b.pdpte, sizeof a.pdpte) == 0;
}

}  // namespace

vp_traffic::vp_traffic(sc_core::sc_module_name name, const vp_options &opt, const vp_env &env)
    : sc_module(name), socket("socket"), ctl_socket("ctl_socket"), opt_(opt), env_(env),
      rng_(opt.seed), report_(opt.max_reports), ref_rsp_()
{
    SC_THREAD(run);
}

uint64_t vp_traffic::cycle_at(const sc_time &t) const
{
    const uint64_t p = opt_.period.value();
    return (t.value() + p - 1) / p;
}

sc_time vp_traffic::time_of(uint64_t cycle) const
{
    return sc_time::from_value(cycle * opt_.period.value());
}

void vp_traffic::run()
{
    qk_.reset();
    for (size_t i = 0; i < opt_.modes.size(); i++)
        run_mode(opt_.modes[i], i + 1 == opt_.modes.size());
    qk_.sync();
    comparing_ = false;   // the second CPU stops too: the simulation ends by itself
    finished_ = true;
}

void vp_traffic::run_mode(pw_mode mode, bool last)
{
    mode_name_ = mode_name(mode);
    index_ = 0;
    vp_space space(env_.cfg, mode, env_.img_dut, env_.img_ref, rng_.next());
    report_.set_context(std::string("building ") + mode_name_);
    if (!report_.check("address space", space.build() ? "" : space.why()))
        return;
    // Reset (paging off, caches flushed), then boot through the control socket.
    pw_regs reset;
    pw_regs_reset(&reset);
    report_.expect(env_.mmu->set_regs(reset) == PW_OK && env_.ref->set_regs(reset) == PW_OK,
                   "reset");
    report_.set_context(std::string("booting ") + mode_name_);
    for (const pw_ctl &op : space.boot())
        control(op);
    report_.check("booted registers", same_regs(env_.mmu->regs(), space.regs()) ? "" : "differ");

    std::vector<pw_ctl> ops;
    for (index_ = 0; index_ < opt_.n; index_++) {
        ops.clear();
        space.controls(env_.ref->mmu().regs, ops, &tally_.edits);
        if (!ops.empty())
            report_.set_context(mode_name_ + " before #" + std::to_string(index_) + " seed " +
                                std::to_string(opt_.seed));
        for (const pw_ctl &op : ops)
            control(op);
        translate(space.request());
    }
    if (opt_.verbose)
        std::printf("  %-7s %8llu translations, %llu mismatches so far\n", mode_name_.c_str(),
                    static_cast<unsigned long long>(opt_.n),
                    static_cast<unsigned long long>(report_.mismatches()));
    if (last) {
        final_checks();
        protocol_checks(space);
    }
}

// Idle cycles before the next request; sometimes a time between two clock edges.
void vp_traffic::advance()
{
    sc_time local = qk_.get_local_time();
    if (rng_.chance(gap_long_pct))
        local += time_of(rng_.range(gap_long_min, gap_long_max));
    else if (rng_.chance(gap_short_pct))
        local += time_of(rng_.range(1, gap_short_max));
    if (rng_.chance(off_grid_pct)) {
        local += sc_time::from_value(rng_.range(1, opt_.period.value() - 1));
        tally_.off_grid++;
    }
    qk_.set(local);
    if (qk_.need_sync())
        qk_.sync();
}

void vp_traffic::control(const pw_ctl &op)
{
    pw_tlm_ctl c;
    c.op = op;
    tlm::tlm_generic_payload gp;
    pw_tlm_set_ctl(gp, c);
    sc_time delay = qk_.get_local_time();
    const sc_time t_in = sc_time_stamp() + delay;
    ctl_socket->b_transport(gp, delay);
    const sc_time t_out = sc_time_stamp() + delay;
    qk_.set(delay);
    tally_.ctl_ops++;

    // Not before the latest request's accept cycle (another CPU's request or operation).
    const uint64_t cycle = std::max(cycle_at(t_in), env_.ref->mmu().next_cycle);
    const pw_status ref = env_.ref->ctl(cycle, op);
    const std::string what = "control op " + std::to_string(op.kind);
    report_.expect(c.status == PW_OK, what + " performed (a #GP is a stimulus bug)");
    report_.expect(c.status == ref, what + " status equals the reference's");
    report_.expect((gp.get_response_status() == tlm::TLM_OK_RESPONSE) == (c.status == PW_OK),
                   what + " response status");
    report_.expect(c.cycle == cycle, what + " in the caller's cycle or the next free one");
    report_.expect(t_out == time_of(cycle + 1), what + " annotated one cycle");
    report_.expect(same_regs(env_.mmu->regs(), env_.ref->mmu().regs), what + " registers");
}

void vp_traffic::translate(const pw_request &req)
{
    advance();
    report_.set_context(mode_name_ + " #" + std::to_string(index_) + " seed " +
                        std::to_string(opt_.seed) + ": " + vp_format_request(req));
    // The functional answer first: the debug transport changes nothing.
    pw_tlm_translation dbg;
    dbg.req = req;
    tlm::tlm_generic_payload gp;
    pw_tlm_set_translation(gp, dbg);
    report_.expect(socket->transport_dbg(gp) == sizeof dbg, "debug transport answered");

    pw_tlm_translation t;
    t.req = req;
    last_la_ = req.la;
    pw_tlm_set_translation(gp, t);
    env_.mem->log().clear();
    sc_time delay = qk_.get_local_time();
    const sc_time t_in = sc_time_stamp() + delay;
    socket->b_transport(gp, delay);
    const sc_time t_out = sc_time_stamp() + delay;
    qk_.set(delay);
    check_translation(t, dbg, gp.get_response_status(), t_in, t_out);
    if (qk_.need_sync())
        qk_.sync();
}

void vp_traffic::check_translation(const pw_tlm_translation &t, const pw_tlm_translation &dbg,
                                   tlm::tlm_response_status st, const sc_time &t_in,
                                   const sc_time &t_out)
{
    vp_report &r = report_;
    // The functional answer straight from the twin memory, before the reference
    // translates (and perhaps sets A/D bits in it).
    pw_result fun;
    r.expect(vp_functional(env_.cfg, env_.ref->mmu().regs, env_.img_ref, t.req, &fun) == PW_OK,
             "functional walk");
    const uint64_t p = cycle_at(t_in);
    pw_mmu_response &ref = ref_rsp_;
    r.expect(env_.ref->translate(t.req, p, &ref) == PW_OK, "reference translates");

    r.expect(st == tlm::TLM_OK_RESPONSE, "response status OK");
    r.check("result vs reference", vp_diff_result(t.result, ref.result, vp_match::exact, ref.hit));
    r.expect(t.hit == ref.hit && t.psc_level == ref.psc_level && t.n_access == ref.n_access,
             "hit, PSC level and access count vs reference");
    r.expect(t.accept_cycle == ref.accept_cycle && ref.accept_cycle >= p,
             "accept cycle vs reference, not before the presented cycle");
    tally_.delayed += ref.accept_cycle > p;
    r.expect(t.rsp_cycle == ref.rsp_cycle, "response cycle vs reference");
    // Timing annotation: the caller's time after is the reference's response cycle.
    r.expect(t_out == time_of(ref.rsp_cycle), "annotated delay = reference cycles x period");
    if (t.hit) {
        const bool on_grid = t_in == time_of(p) && ref.accept_cycle == p;
        r.expect(ref.rsp_cycle - ref.accept_cycle == 1, "TLB hit answers in one cycle");
        if (on_grid && r.expect(t_out - t_in == opt_.period, "TLB hit annotated one period"))
            tally_.one_cycle_hits++;
    }
    r.check("memory accesses vs reference trace",
            vp_diff_trace(env_.mem->log(), ref, opt_.period));
    r.check("result vs functional (debug transport)",
            vp_diff_result(t.result, dbg.result, vp_match::functional, t.hit));
    r.check("debug transport vs functional walk",
            vp_diff_result(dbg.result, fun, vp_match::exact, false));

    // Every A/D update that succeeded is in the memory target.
    for (unsigned i = 0; i < ref.n_trace; i++) {
        const pw_trace_entry &e = ref.trace[i];
        if (e.acc.kind != PW_MEM_CAS || e.status != PW_MEM_OK || e.data != e.acc.expect)
            continue;
        uint64_t v = 0;
        r.expect(pw_image_read(env_.img_dut, e.acc.pa, &v, e.acc.size) == PW_OK &&
                     v == e.acc.desired,
                 "A/D bits of a CAS in the memory target");
        tally_.cas++;
    }
    // A bus error comes from an access outside memory, answered as an address error.
    if (t.result.outcome == PW_OUT_BUS_ERROR) {
        const auto &log = env_.mem->log();
        r.expect(t.result.entry_pa >= vp_mem_bytes && !log.empty() &&
                     log.back().status == tlm::TLM_ADDRESS_ERROR_RESPONSE,
                 "bus error from an address error response");
        tally_.bus_errors++;
    }
    tally_.translations++;
    tally_.accesses += t.n_access;
    tally_.hits += t.hit;
    tally_.faults += t.result.outcome == PW_OUT_PF;
    tally_.gps += t.result.outcome == PW_OUT_GP;
}

bool vp_traffic::memories_equal()
{
    static unsigned char a[PW_PAGE_SIZE], b[PW_PAGE_SIZE];
    for (uint64_t pa = 0; pa < vp_mem_bytes; pa += PW_PAGE_SIZE)
        if (pw_image_read(env_.img_dut, pa, a, sizeof a) != PW_OK ||
            pw_image_read(env_.img_ref, pa, b, sizeof b) != PW_OK || std::memcmp(a, b, sizeof a))
            return false;
    return true;
}

void vp_traffic::final_checks()
{
    report_.set_context("end of run");
    const pw_counters &got = env_.mmu->counters(), &want = env_.ref->mmu().cnt;
    std::string d;
    const auto cnt = [&d](const char *name, uint64_t g, uint64_t w) {
        if (g != w)
            d += std::string(d.empty() ? "" : ", ") + name + " " + std::to_string(g) +
                 " != " + std::to_string(w);
    };
    cnt("requests", got.requests, want.requests);
    cnt("hits", got.hits, want.hits);
    cnt("misses", got.misses, want.misses);
    cnt("walks", got.walks, want.walks);
    cnt("walk_cycles", got.walk_cycles, want.walk_cycles);
    cnt("mem_reads", got.mem_reads, want.mem_reads);
    cnt("mem_cas", got.mem_cas, want.mem_cas);
    cnt("restarts", got.restarts, want.restarts);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++)
        cnt(("psc_hits[" + std::to_string(l) + "]").c_str(), got.psc_hits[l], want.psc_hits[l]);
    cnt("faults", got.faults, want.faults);
    cnt("bus_errors", got.bus_errors, want.bus_errors);
    cnt("fills_dropped", got.fills_dropped, want.fills_dropped);
    report_.check("counters vs reference", d);
    report_.expect(memories_equal(), "memory target and reference memory identical");
    // The run must have exercised what it claims to check.
    if (tally_.translations >= opt_.modes.size() * min_coverage_n) {
        report_.expect(tally_.one_cycle_hits > 0, "coverage: one-cycle TLB hits");
        report_.expect(tally_.cas > 0, "coverage: A/D CAS");
        report_.expect(tally_.bus_errors > 0, "coverage: bus errors");
        report_.expect(tally_.faults > 0, "coverage: page faults");
        report_.expect(tally_.edits > 0, "coverage: page-table edits");
        if (opt_.shootdown)
            report_.expect(got.fills_dropped > 0, "coverage: fills dropped by a shootdown");
    }
}
