// The VP's second CPU (vp_shootdown.h).
#include "vp_shootdown.h"

#include <algorithm>

using sc_core::sc_time;

namespace {

// Cycles between two operations, and the mix of operations (percent).
constexpr unsigned gap_min = 100, gap_max = 1000;
constexpr unsigned invlpg_pct = 80, invpcid_pct = 10;   // the rest: FLUSH_ALL
constexpr unsigned invpcid_nonglobal_all = 3;
constexpr unsigned percent = 100;

}  // namespace

vp_shootdown::vp_shootdown(sc_core::sc_module_name name, pw_tlm_mmu &mmu, vp_ref &ref,
                           const uint64_t &last_la, const bool &comparing, vp_report &report,
                           uint64_t seed)
    : sc_module(name), mmu_(mmu), ref_(ref), last_la_(last_la), comparing_(comparing),
      report_(report), rng_(seed)
{
    SC_THREAD(run);
}

pw_ctl vp_shootdown::next_op()
{
    const unsigned r = static_cast<unsigned>(rng_.below(percent));
    if (r < invlpg_pct)
        return pw_ctl{PW_CTL_INVLPG, 0, last_la_, 0};
    if (r < invlpg_pct + invpcid_pct)
        return pw_ctl{PW_CTL_INVPCID, 0, 0, invpcid_nonglobal_all};
    return pw_ctl{PW_CTL_FLUSH_ALL, 0, 0, 0};
}

void vp_shootdown::run()
{
    const uint64_t period = mmu_.period().value();   // in resolution units
    qk_.reset();
    while (enabled_) {
        qk_.inc(sc_time::from_value(rng_.range(gap_min, gap_max) * period));
        if (qk_.need_sync())
            qk_.sync();
        if (!comparing_)
            return;
        pw_tlm_ctl c;
        c.op = next_op();
        sc_time delay = qk_.get_local_time();
        const sc_time t_in = sc_core::sc_time_stamp() + delay;
        mmu_.ctl(c, delay);
        qk_.set(delay);
        // The reference right away, before this thread can yield: same order as the MMU.
        // An operation cannot precede the accept cycle of the latest request.
        const uint64_t cycle =
            std::max<uint64_t>((t_in.value() + period - 1) / period, ref_.mmu().next_cycle);
        const pw_status want = ref_.ctl(cycle, c.op);
        report_.set_context("shootdown op " + std::to_string(c.op.kind) + " at cycle " +
                            std::to_string(cycle));
        report_.expect(c.status == PW_OK && want == PW_OK, "shootdown performed");
        report_.expect(c.cycle == cycle, "shootdown cycle vs reference");
        ops_++;
    }
}
