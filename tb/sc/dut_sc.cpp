// Pin-level access to pw_top Verilated with --sc (dut.h): the same API as
// tb/dut.cpp, but Vpw_top is an sc_module whose ports are bound to sc_signals,
// clocked by an sc_clock and evaluated by the SystemC kernel. The bench writes
// input signals between sc_start calls and reads output signals; it never calls
// the model itself.
//
// Time: the clock's period is 10 ns, rising edges at multiples of 10 ns, and the
// inputs of a cycle change with its falling edge, as on pw_cosim's waveform (edge
// t at 10t, inputs at 10t + 5). Between cycles the kernel is paused at a falling
// edge: sc_start(d) returns once the events of its end time are notified, before
// the processes they wake run (IEEE 1666 sc_start). So the bench reads the outputs
// of cycle t, writes its inputs, and the next sc_start updates them together with
// the clock's fall: one evaluation with the clock low and the new inputs, one at
// the rising edge (the --cc step() does both in one; the kernel itself costs ~5 %).
// settle() runs the falling edge's delta cycles only; edge() and step() run one
// period, to the next falling edge.
#include "dut.h"

#include <cinttypes>
#include <cstdlib>
#include <systemc>

#include "Vpw_top.h"
#include "Vpw_top__Syms.h"
#include "Vpw_top___024root.h"
#include "dut_pack.h"
#include "dut_sc.h"
#include "verilated.h"
#include "verilated_fst_c.h"

using namespace dut_pack;
using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_signal;
using sc_core::sc_time;
using sc_dt::sc_bv;

// Verilator 5's generated reset of every variable of the model (what its
// constructor runs). Weak: another Verilator may not generate it.
void Vpw_top___024root___ctor_var_reset(Vpw_top___024root *vlSelf) __attribute__((weak));

namespace {

constexpr double PERIOD_NS = 10;

// Make the model as new: every variable as constructed, and the next evaluation
// runs the initial blocks again (Verilator's __Vm_didInit). pw_cosim makes a new
// model per run; here there is one (see Bench). False with a Verilator without
// these internals: the model is then only reset by rst_ni.
template <class R>
auto reinit(R *root, int) -> decltype(root->vlSymsp->__Vm_didInit, bool())
{
    if (!Vpw_top___024root___ctor_var_reset)
        return false;
    Vpw_top___024root___ctor_var_reset(root);
    root->vlSymsp->__Vm_didInit = false;
    return true;
}
template <class R>
bool reinit(R *, long)
{
    return false;
}

// pw_top and the signals on its ports, built once. SystemC makes modules and
// channels only during elaboration (before the first sc_start) while the bench
// makes a Dut per run: every Dut uses this one, and reset() makes the model as
// new (reinit) with every input at 0 before rst_ni, so that a run, its failure's
// re-run and its waveform are those of pw_cosim whatever ran before.
struct Bench {
    // High from 0, falling edges at 10k + 5 ns, rising edges at 10k ns.
    sc_core::sc_clock clk_i{"clk_i", sc_time(PERIOD_NS, SC_NS), 0.5, sc_time(PERIOD_NS / 2, SC_NS), false};
    sc_signal<bool> rst_ni{"rst_ni"};
    sc_signal<bool> req_valid_i{"req_valid_i"}, req_ready_o{"req_ready_o"};
    sc_signal<sc_bv<REQ_BITS>> req_i{"req_i"};
    sc_signal<bool> rsp_valid_o{"rsp_valid_o"};
    sc_signal<sc_bv<RSP_BITS>> rsp_o{"rsp_o"};
    sc_signal<bool> mem_req_valid_o{"mem_req_valid_o"}, mem_req_ready_i{"mem_req_ready_i"};
    sc_signal<uint64_t> mem_req_addr_o{"mem_req_addr_o"};
    sc_signal<uint32_t> mem_req_size_o{"mem_req_size_o"};
    sc_signal<bool> mem_req_op_o{"mem_req_op_o"};
    sc_signal<uint64_t> mem_req_cmp_o{"mem_req_cmp_o"}, mem_req_wdata_o{"mem_req_wdata_o"};
    sc_signal<bool> mem_rsp_valid_i{"mem_rsp_valid_i"};
    sc_signal<uint64_t> mem_rsp_data_i{"mem_rsp_data_i"};
    sc_signal<bool> mem_rsp_err_i{"mem_rsp_err_i"};
    sc_signal<bool> ctl_valid_i{"ctl_valid_i"};
    sc_signal<uint32_t> ctl_op_i{"ctl_op_i"};
    sc_signal<uint64_t> ctl_value_i{"ctl_value_i"}, ctl_la_i{"ctl_la_i"};
    sc_signal<uint32_t> ctl_type_i{"ctl_type_i"};
    sc_signal<sc_bv<PDPTE_BITS>> ctl_pdpte_i{"ctl_pdpte_i"};
    sc_signal<uint32_t> cnt_sel_i{"cnt_sel_i"};
    sc_signal<uint64_t> cnt_o{"cnt_o"};
    Vpw_top top{"pw_top"};

    const sc_time period{PERIOD_NS, SC_NS}, half{PERIOD_NS / 2, SC_NS};
    bool in_use = false;   // a Dut has it
    bool started = false;  // elaborated and paused at the first falling edge
    // The words last written to the wide inputs: an unchanged struct is not
    // converted and written again (most cycles).
    uint32_t req_w[REQ_WORDS] = {}, pdpte_w[PDPTE_WORDS] = {};

    Bench()
    {
        top.clk_i(clk_i);
        top.rst_ni(rst_ni);
        top.req_valid_i(req_valid_i);
        top.req_ready_o(req_ready_o);
        top.req_i(req_i);
        top.rsp_valid_o(rsp_valid_o);
        top.rsp_o(rsp_o);
        top.mem_req_valid_o(mem_req_valid_o);
        top.mem_req_ready_i(mem_req_ready_i);
        top.mem_req_addr_o(mem_req_addr_o);
        top.mem_req_size_o(mem_req_size_o);
        top.mem_req_op_o(mem_req_op_o);
        top.mem_req_cmp_o(mem_req_cmp_o);
        top.mem_req_wdata_o(mem_req_wdata_o);
        top.mem_rsp_valid_i(mem_rsp_valid_i);
        top.mem_rsp_data_i(mem_rsp_data_i);
        top.mem_rsp_err_i(mem_rsp_err_i);
        top.ctl_valid_i(ctl_valid_i);
        top.ctl_op_i(ctl_op_i);
        top.ctl_value_i(ctl_value_i);
        top.ctl_la_i(ctl_la_i);
        top.ctl_type_i(ctl_type_i);
        top.ctl_pdpte_i(ctl_pdpte_i);
        top.cnt_sel_i(cnt_sel_i);
        top.cnt_o(cnt_o);
    }

    // Write a wide input from its words if they changed.
    template <int W, unsigned N>
    static void write_words(sc_signal<sc_bv<W>> &s, uint32_t (&last)[N], const uint32_t *w)
    {
        static_assert(N == (W + 31) / 32, "words of a wide port");
        bool same = true;
        for (unsigned i = 0; i < N; i++)
            same &= last[i] == w[i];
        if (same)
            return;
        sc_bv<W> v;
        for (unsigned i = 0; i < N; i++)
            v.set_word((int)i, last[i] = w[i]);
        s.write(v);
    }

    // The delta cycles of the current time: the falling edge and the inputs written
    // since the last sc_start reach the model, its outputs settle; time does not
    // advance.
    static void deltas()
    {
        while (sc_core::sc_pending_activity_at_current_time())
            sc_core::sc_start(SC_ZERO_TIME);
    }
};

Bench *the_bench;   // built by the first Dut, during elaboration

Bench &bench()
{
    if (!the_bench) {
        if (sc_core::sc_get_curr_simcontext()->elaboration_done()) {
            fprintf(stderr, "dut_sc: the first Dut must be made before sc_start (elaboration)\n");
            abort();
        }
        Verilated::threadContextp()->traceEverOn(true);
        // An RTL $error / failed assertion is reported by the bench (rtl_error).
        Verilated::threadContextp()->fatalOnError(false);
        the_bench = new Bench;
    }
    return *the_bench;
}

}  // namespace

struct Dut::Impl {
    Bench &b;
};

Dut::Dut() : impl_(new Impl{bench()})
{
    if (impl_->b.in_use) {
        fprintf(stderr, "dut_sc: one Dut at a time (there is one pw_top)\n");
        abort();
    }
    impl_->b.in_use = true;
}

Dut::~Dut()
{
    trace_close();
    impl_->b.in_use = false;
}

void Dut::reset()
{
    Bench &b = impl_->b;
    reinit(b.top.rootp, 0);
    b.rst_ni.write(false);
    const pw_request q0{};
    const pw_ctl c0{};
    set_req(false, &q0);
    set_ctl(false, &c0, nullptr);
    set_mem(false, false, 0, false);
    b.cnt_sel_i.write(0);
    if (!b.started) {
        sc_core::sc_start(b.half);   // elaboration, initialization, to the first falling edge
        b.started = true;
    }
    sc_core::sc_start(b.period);   // a rising edge in reset
    b.rst_ni.write(true);
    sc_core::sc_start(b.period);   // edge 0
    Verilated::threadContextp()->gotError(false);   // a previous run's
    t_ = 0;
}

void Dut::reset_cycle()
{
    set_req(false, nullptr);
    set_ctl(false, nullptr, nullptr);
    set_mem(false, false, 0, false);
    impl_->b.rst_ni.write(false);
    settle();   // the asynchronous reset acts now
    edge();     // held in reset through the edge that ends the cycle
    impl_->b.rst_ni.write(true);
}

bool Dut::rtl_error() const { return Verilated::threadContextp()->gotError(); }

bool Dut::write_coverage(const char *path)
{
#if VM_COVERAGE
    Verilated::threadContextp()->coveragep()->write(path);
    return true;
#else
    (void)path;
    return false;
#endif
}

bool Dut::req_ready() const { return impl_->b.req_ready_o.read(); }
bool Dut::rsp_valid() const { return impl_->b.rsp_valid_o.read(); }
bool Dut::mem_req_valid() const { return impl_->b.mem_req_valid_o.read(); }

void Dut::rsp(pw_result *r) const
{
    const sc_bv<RSP_BITS> &v = impl_->b.rsp_o.read();
    uint32_t w[RSP_WORDS];
    for (unsigned i = 0; i < RSP_WORDS; i++)
        w[i] = (uint32_t)v.get_word((int)i);
    unpack_response(w, r);
}

void Dut::mem_req(pw_mem_access *acc) const
{
    const Bench &b = impl_->b;
    *acc = pw_mem_access{};
    acc->kind = b.mem_req_op_o.read() ? PW_MEM_CAS : PW_MEM_READ;
    acc->pa = b.mem_req_addr_o.read();
    acc->size = b.mem_req_size_o.read();
    acc->expect = b.mem_req_cmp_o.read();
    acc->desired = b.mem_req_wdata_o.read();
}

void Dut::set_req(bool valid, const pw_request *q)
{
    Bench &b = impl_->b;
    b.req_valid_i.write(valid);
    if (!q)
        return;
    uint32_t w[REQ_WORDS];
    std::copy(b.req_w, b.req_w + REQ_WORDS, w);
    pack_request(q, w);
    Bench::write_words(b.req_i, b.req_w, w);
}

void Dut::set_ctl(bool valid, const pw_ctl *op, const uint64_t pdpte[4])
{
    Bench &b = impl_->b;
    b.ctl_valid_i.write(valid);
    if (!op)
        return;
    b.ctl_op_i.write((uint8_t)op->kind);
    b.ctl_value_i.write(op->value);
    b.ctl_la_i.write(op->la);
    b.ctl_type_i.write((uint8_t)op->type);
    uint32_t w[PDPTE_WORDS];
    pack_pdptes(pdpte, w);
    Bench::write_words(b.ctl_pdpte_i, b.pdpte_w, w);
}

void Dut::set_mem(bool ready, bool rsp_valid, uint64_t data, bool err)
{
    Bench &b = impl_->b;
    b.mem_req_ready_i.write(ready);
    b.mem_rsp_valid_i.write(rsp_valid);
    b.mem_rsp_data_i.write(data);
    b.mem_rsp_err_i.write(err);
}

uint64_t Dut::counter(unsigned sel)
{
    Bench &b = impl_->b;
    b.cnt_sel_i.write(sel);
    Bench::deltas();
    return b.cnt_o.read();
}

void Dut::step()
{
    if (tfp_) {
        settle();
        edge();
        return;
    }
    sc_core::sc_start(impl_->b.period);
    t_++;
}

void Dut::settle()
{
    Bench::deltas();
    if (tfp_)
        tfp_->dump(10 * t_ + 5);
}

void Dut::edge()
{
    sc_core::sc_start(impl_->b.period);
    t_++;
    if (tfp_)
        tfp_->dump(10 * t_);
}

// A VerilatedFstC that the bench dumps, not Verilator's VerilatedFstSc: that one
// is registered with the kernel and dumps at sc_time_stamp, which goes on across
// the runs of one program (a failure's re-run would not be at 10 x cycle), and it
// cannot be unregistered, so it could not be closed at the end of a run and
// deleted. Both write the same values: the kernel has evaluated the model at each
// dump.
void Dut::trace_open(const char *path)
{
    if (tfp_)
        return;
    tfp_ = new VerilatedFstC;
    impl_->b.top.trace(tfp_, 99);
    tfp_->open(path);
    tfp_->dump(10 * t_);
}

void Dut::trace_close()
{
    if (!tfp_)
        return;
    tfp_->close();
    delete tfp_;
    tfp_ = nullptr;
}

void dut_sc_finish(FILE *out)
{
    if (!the_bench)
        return;
    the_bench->top.final();
    sc_time now = sc_core::sc_time_stamp();
    fprintf(out,
            "systemc: simulated time %s (sc_time_stamp): %" PRIu64 " rising edges of the %g ns "
            "sc_clock, resets included; SystemC %s\n",
            now.to_string().c_str(), (uint64_t)(now / the_bench->period), PERIOD_NS,
            sc_core::sc_release());
}
