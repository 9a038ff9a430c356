// pw_cosim_sc: pw_cosim (tb/cosim.cpp, built with -DPW_COSIM_MAIN=cosim_main)
// inside a SystemC simulation. Same command line, output and exit status; the
// RTL is pw_top Verilated with --sc (tb/sc/dut_sc.cpp). At the end: the SystemC
// simulated time.
#include <cstdio>
#include <cstdlib>
#include <systemc>

#include "dut_sc.h"

int cosim_main(int argc, char **argv);

namespace {
// SystemC's main prints its banner on stderr before sc_main unless this is set:
// set it before main (the last line names the SystemC release instead).
const int quiet_banner = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}  // namespace

int sc_main(int argc, char **argv)
{
    (void)quiet_banner;
    int rc = cosim_main(argc, argv);
    fflush(stdout);
    dut_sc_finish(stdout);
    return rc;
}
