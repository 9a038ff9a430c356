// The VP's command line (vp_main.cpp parses it; everything else reads it).
#ifndef VP_OPTIONS_H
#define VP_OPTIONS_H

#include <cstdint>
#include <vector>

#include <systemc>

#include "pagewalk/types.h"

struct vp_options {
    uint64_t seed = 1;
    uint64_t n = 0;                    // translations per paging mode
    std::vector<pw_mode> modes;
    sc_core::sc_time period;           // the MMU's clock
    sc_core::sc_time lat_lo, lat_hi;   // memory latency range
    sc_core::sc_time quantum;          // global quantum (temporal decoupling)
    bool shootdown = true;             // a second CPU invalidates at random times
    unsigned verbose = 0;
    unsigned max_reports = 0;          // mismatches printed in full
};

#endif
