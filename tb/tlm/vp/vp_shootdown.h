// Another CPU of the VP: it shoots down TLB entries of the MMU at random times
// (INVLPG of the page the traffic initiator used last, INVPCID of every non-global
// entry, a full flush), through pw_tlm_mmu::ctl() called directly (the method
// interface), with its own temporal decoupling. Its local time is independent of
// the traffic initiator's, so an operation may land inside a walk the MMU has
// already run: the model then drops that walk's fill (docs/timing.md section 8),
// and a request may wait behind an operation. The reference gets every operation
// right after the MMU, in the same order (the kernel does not switch threads in
// between), so the two stay cycle exact. Invalidations only: the registers and the
// traffic initiator's stimulus are never changed.
#ifndef VP_SHOOTDOWN_H
#define VP_SHOOTDOWN_H

#include <cstdint>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "pw_tlm_mmu.h"
#include "vp_check.h"
#include "vp_ref.h"
#include "vp_rng.h"

class vp_shootdown : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(vp_shootdown);
    // `last_la`: the traffic initiator's latest request; `comparing`: whether the
    // reference still follows the MMU (the thread ends when not); `report`: where
    // mismatches go.
    vp_shootdown(sc_core::sc_module_name name, pw_tlm_mmu &mmu, vp_ref &ref,
                 const uint64_t &last_la, const bool &comparing, vp_report &report,
                 uint64_t seed);
    void set_enabled(bool on) { enabled_ = on; }
    uint64_t ops() const { return ops_; }

private:
    void run();
    pw_ctl next_op();

    pw_tlm_mmu &mmu_;
    vp_ref &ref_;
    const uint64_t &last_la_;
    const bool &comparing_;
    vp_report &report_;
    vp_rng rng_;
    tlm_utils::tlm_quantumkeeper qk_;
    bool enabled_ = true;
    uint64_t ops_ = 0;
};

#endif
