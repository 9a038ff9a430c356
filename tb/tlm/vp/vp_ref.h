// The reference: a second pw_mmu, called directly (no TLM), on its own copy of
// memory, with the same per-access delays as the memory target's (vp_latency at the
// same issue times). It is the bit- and cycle-exact answer pw_tlm_mmu must give.
#ifndef VP_REF_H
#define VP_REF_H

#include <systemc>

#include "pagewalk/image.h"
#include "pagewalk/mmu.h"
#include "vp_latency.h"

class vp_ref {
public:
    // An illegal configuration is PW_ERR_CONFIG from init().
    vp_ref(pw_image *img, const vp_latency &lat, const sc_core::sc_time &period);
    pw_status init(const pw_config &cfg);
    pw_status set_regs(const pw_regs &regs) { return pw_mmu_set_regs(&mmu_, &regs); }
    pw_status translate(const pw_request &req, uint64_t cycle, pw_mmu_response *rsp)
    {
        return pw_mmu_translate(&mmu_, &req, cycle, rsp);
    }
    pw_status ctl(uint64_t cycle, const pw_ctl &op) { return pw_mmu_ctl(&mmu_, cycle, &op); }
    const pw_mmu &mmu() const { return mmu_; }

private:
    static void schedule(void *ctx, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                         uint64_t *respond);
    static pw_mem_status read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val);
    static pw_mem_status cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                             uint64_t desired, uint64_t cycle, uint64_t *old);

    pw_mem raw_;   // the image's untimed accessor
    vp_latency lat_;
    sc_core::sc_time period_;
    pw_mmu mmu_;
};

#endif
