// The Verilated pw_top, seen through pagewalk's C types: it packs request_t and
// unpacks response_t (rtl/pw_pkg.sv), drives the control and memory ports, reads
// the counters, clocks, and writes an FST waveform from a chosen cycle.
//
// Clocking: cycle t starts at rising edge t (docs/timing.md). After edge t the
// registered outputs of cycle t are visible; the bench then sets the inputs of
// cycle t, settle() evaluates them with the clock low, and edge() makes edge t+1.
// Waveform time: edge t at 10*t, inputs of cycle t at 10*t + 5. Without a
// waveform, step() does both in one evaluation.
//
// Two implementations, one per build: tb/dut.cpp evaluates a Verilator --cc
// model itself (pw_cosim); tb/sc/dut_sc.cpp drives a Verilator --sc model through
// sc_signals, clocked by an sc_clock and evaluated by the SystemC kernel
// (pw_cosim_sc). Both pack the structs with dut_pack.h.
#ifndef TB_DUT_H
#define TB_DUT_H

#include <cstdint>
#include <memory>

#include "pagewalk/pagewalk.h"

class VerilatedFstC;

class Dut {
public:
    Dut();
    ~Dut();
    Dut(const Dut &) = delete;
    Dut &operator=(const Dut &) = delete;

    // Reset (rst_ni low), then rising edge 0: the bench is in cycle 0.
    void reset();
    // Reset in the current cycle t (docs/timing.md §10): rst_ni low with idle inputs
    // until the edge that ends t, which it makes; rst_ni is high again from t + 1.
    void reset_cycle();
    uint64_t cycle() const { return t_; }

    // Outputs of the current cycle.
    bool req_ready() const;
    bool rsp_valid() const;
    void rsp(pw_result *r) const;
    bool mem_req_valid() const;
    void mem_req(pw_mem_access *acc) const;   // level is not a port: 0

    // Inputs of the current cycle (held until changed).
    void set_req(bool valid, const pw_request *q);
    void set_ctl(bool valid, const pw_ctl *op, const uint64_t pdpte[4]);
    void set_mem(bool ready, bool rsp_valid, uint64_t data, bool err);
    // Counter `sel` (cnt_sel_i, combinational): evaluates with the clock low.
    uint64_t counter(unsigned sel);

    void settle();   // evaluate this cycle's inputs (clock low)
    void edge();     // rising edge: next cycle
    // settle() + edge(); without a waveform in one evaluation (the outputs seen
    // between the two are not needed then).
    void step();

    // FST waveform from now on, until trace_close (or destruction).
    void trace_open(const char *path);
    void trace_close();
    bool tracing() const { return tfp_ != nullptr; }
    // Write Verilator's line/toggle coverage of this model to `path` (a build with
    // --coverage; false otherwise, nothing written).
    bool write_coverage(const char *path);
    // An RTL $error or failed immediate assertion (--assert) happened; Verilator
    // printed its message.
    bool rtl_error() const;

private:
    struct Impl;   // the Verilated model and its ports: dut.cpp or sc/dut_sc.cpp
    std::unique_ptr<Impl> impl_;
    VerilatedFstC *tfp_ = nullptr;
    uint64_t t_ = 0;
};

#endif
