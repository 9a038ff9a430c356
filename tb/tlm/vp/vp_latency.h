// The memory's latency: a pure function of the seed, the physical address and the
// time an access is issued. The memory target annotates it; the reference model's
// schedule computes it again from the same inputs. That is all the two sides share
// (the environment), as in the co-simulation (tb/README.md).
#ifndef VP_LATENCY_H
#define VP_LATENCY_H

#include <cstdint>

#include <systemc>

#include "vp_rng.h"

struct vp_latency {
    sc_core::sc_time lo, hi;  // latency drawn uniformly in [lo, hi], in resolution units
    uint64_t seed = 0;

    sc_core::sc_time at(uint64_t pa, const sc_core::sc_time &issue) const
    {
        const uint64_t span = hi.value() - lo.value() + 1;
        const uint64_t h = vp_mix(seed ^ vp_mix(pa) ^ vp_mix(issue.value() + 1));
        return sc_core::sc_time::from_value(lo.value() + h % span);
    }
};

#endif
