// The SystemC side of tb/sc/dut_sc.cpp that sc_main needs (the bench itself only
// sees dut.h).
#ifndef TB_SC_DUT_SC_H
#define TB_SC_DUT_SC_H

#include <cstdio>

// End of the program: runs pw_top's final blocks and prints one line with the
// SystemC simulated time (sc_time_stamp) and the clock periods it holds. Nothing
// when no Dut was ever made (--help, a bad argument).
void dut_sc_finish(FILE *out);

#endif
