// make bench, RTL side: co-simulation speed and the RTL's cycle figures
// (pw_cosim --bench).
#ifndef TB_BENCH_RTL_H
#define TB_BENCH_RTL_H

int bench_rtl(const char *argv0);

#endif
