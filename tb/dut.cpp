// Pin-level access to the Verilated pw_top (dut.h).
#include "dut.h"

#include "Vpw_top.h"
#include "Vpw_top___024root.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include "dut_pack.h"

using namespace dut_pack;

namespace {

// Verilator 5 sees a rising edge when clk_i is 1 and was 0 at its previous eval.
// Telling it the clock was low saves the eval with the clock low, which would
// re-evaluate every input-driven path for nothing (half the cost of a cycle).
template <class R>
auto forget_clock(R *root, int) -> decltype(root->__Vtrigrprev__TOP__clk_i, bool())
{
    root->__Vtrigrprev__TOP__clk_i = 0;
    return true;
}
template <class R>
bool forget_clock(R *, long)
{
    return false;   // another Verilator: evaluate with the clock low as usual
}

}  // namespace

// One Verilator context and model per Dut: every run starts from a fresh model.
struct Dut::Impl {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vpw_top> top;
};

Dut::Dut() : impl_(new Impl)
{
    impl_->ctx.reset(new VerilatedContext);
    impl_->ctx->traceEverOn(true);
    impl_->ctx->fatalOnError(false);   // an RTL $error / failed assertion is reported by the bench
    impl_->top.reset(new Vpw_top{impl_->ctx.get(), "pw_top"});
    static_assert(sizeof(impl_->top->req_i) / 4 == REQ_WORDS, "request_t width (rtl/pw_pkg.sv)");
    static_assert(sizeof(impl_->top->rsp_o) / 4 == RSP_WORDS, "response_t width (rtl/pw_pkg.sv)");
    static_assert(sizeof(impl_->top->ctl_pdpte_i) / 4 == PDPTE_WORDS, "ctl_pdpte_i width");
}

Dut::~Dut()
{
    trace_close();
    impl_->top->final();
}

void Dut::reset()
{
    Vpw_top &p = *impl_->top;
    p.clk_i = 0;
    p.rst_ni = 0;
    set_req(false, nullptr);
    set_ctl(false, nullptr, nullptr);
    set_mem(false, false, 0, false);
    p.cnt_sel_i = 0;
    p.eval();
    p.clk_i = 1;
    p.eval();
    p.clk_i = 0;
    p.eval();
    p.rst_ni = 1;
    p.eval();
    p.clk_i = 1;   // edge 0
    p.eval();
    t_ = 0;
}

void Dut::reset_cycle()
{
    set_req(false, nullptr);
    set_ctl(false, nullptr, nullptr);
    set_mem(false, false, 0, false);
    impl_->top->rst_ni = 0;
    settle();   // the asynchronous reset acts now
    edge();     // held in reset through the edge that ends the cycle
    impl_->top->rst_ni = 1;
}

bool Dut::write_coverage(const char *path)
{
#if VM_COVERAGE
    impl_->ctx->coveragep()->write(path);
    return true;
#else
    (void)path;
    return false;
#endif
}

bool Dut::rtl_error() const { return impl_->ctx->gotError(); }
bool Dut::req_ready() const { return impl_->top->req_ready_o; }
bool Dut::rsp_valid() const { return impl_->top->rsp_valid_o; }
bool Dut::mem_req_valid() const { return impl_->top->mem_req_valid_o; }

void Dut::rsp(pw_result *r) const
{
    unpack_response(impl_->top->rsp_o.m_storage, r);
}

void Dut::mem_req(pw_mem_access *acc) const
{
    const Vpw_top &p = *impl_->top;
    *acc = pw_mem_access{};
    acc->kind = p.mem_req_op_o ? PW_MEM_CAS : PW_MEM_READ;
    acc->pa = p.mem_req_addr_o;
    acc->size = p.mem_req_size_o;
    acc->expect = p.mem_req_cmp_o;
    acc->desired = p.mem_req_wdata_o;
}

void Dut::set_req(bool valid, const pw_request *q)
{
    Vpw_top &p = *impl_->top;
    p.req_valid_i = valid;
    if (!q)
        return;
    pack_request(q, p.req_i.m_storage);
}

void Dut::set_ctl(bool valid, const pw_ctl *op, const uint64_t pdpte[4])
{
    Vpw_top &p = *impl_->top;
    p.ctl_valid_i = valid;
    if (!op)
        return;
    p.ctl_op_i = (uint8_t)op->kind;
    p.ctl_value_i = op->value;
    p.ctl_la_i = op->la;
    p.ctl_type_i = (uint8_t)op->type;
    pack_pdptes(pdpte, p.ctl_pdpte_i.m_storage);
}

void Dut::set_mem(bool ready, bool rsp_valid, uint64_t data, bool err)
{
    Vpw_top &p = *impl_->top;
    p.mem_req_ready_i = ready;
    p.mem_rsp_valid_i = rsp_valid;
    p.mem_rsp_data_i = data;
    p.mem_rsp_err_i = err;
}

uint64_t Dut::counter(unsigned sel)
{
    Vpw_top &p = *impl_->top;
    p.clk_i = 0;
    p.cnt_sel_i = (uint8_t)sel;
    p.eval();
    return p.cnt_o;
}

void Dut::step()
{
    if (!tfp_) {
        Vpw_top &p = *impl_->top;
        p.clk_i = 1;
        if (forget_clock(p.rootp, 0)) {
            p.eval();
            t_++;
            return;
        }
    }
    settle();
    edge();
}

void Dut::settle()
{
    Vpw_top &p = *impl_->top;
    p.clk_i = 0;
    p.eval();
    if (tfp_)
        tfp_->dump(10 * t_ + 5);
}

void Dut::edge()
{
    Vpw_top &p = *impl_->top;
    p.clk_i = 1;
    p.eval();
    t_++;
    if (tfp_)
        tfp_->dump(10 * t_);
}

void Dut::trace_open(const char *path)
{
    if (tfp_)
        return;
    tfp_ = new VerilatedFstC;
    impl_->top->trace(tfp_, 99);
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
