// The reference model's memory timing (vp_ref.h). It restates the contract of
// pw_tlm_mmu.h on its own rather than sharing code with it: an access issued in
// cycle s starts at s * period, is accepted at once, and responds
// max(1, ceil(latency / period)) cycles later.
#include "vp_ref.h"

#include <algorithm>

vp_ref::vp_ref(pw_image *img, const vp_latency &lat, const sc_core::sc_time &period)
    : lat_(lat), period_(period), mmu_()
{
    pw_image_mem(img, &raw_);
}

pw_status vp_ref::init(const pw_config &cfg)
{
    const pw_mem mem = {this, read, cas, schedule};
    return pw_mmu_init(&mmu_, &cfg, &mem);
}

void vp_ref::schedule(void *ctx, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                      uint64_t *respond)
{
    const auto *self = static_cast<const vp_ref *>(ctx);
    const uint64_t p = self->period_.value();
    const uint64_t lat =
        self->lat_.at(acc->pa, sc_core::sc_time::from_value(issue * p)).value();
    *accept = issue;
    *respond = issue + std::max<uint64_t>(1, (lat + p - 1) / p);
}

pw_mem_status vp_ref::read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    const pw_mem &raw = static_cast<const vp_ref *>(ctx)->raw_;
    return raw.read(raw.ctx, pa, size, cycle, val);
}

pw_mem_status vp_ref::cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                          uint64_t desired, uint64_t cycle, uint64_t *old)
{
    const pw_mem &raw = static_cast<const vp_ref *>(ctx)->raw_;
    return raw.cas(raw.ctx, pa, size, expect, desired, cycle, old);
}
