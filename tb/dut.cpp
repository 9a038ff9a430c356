// Pin-level access to the Verilated pw_top (dut.h).
#include "dut.h"

#include "Vpw_top.h"
#include "Vpw_top___024root.h"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {

// Packed structs of rtl/pw_pkg.sv, least significant field first: {lsb, width}.
// request_t: la, kind, user, implicit_sv, ac, shadow_stack (70 bits).
struct Field {
    unsigned lo, width;
};
constexpr Field REQ_SHADOW_STACK{0, 1}, REQ_AC{1, 1}, REQ_IMPLICIT{2, 1}, REQ_USER{3, 1},
    REQ_KIND{4, 2}, REQ_LA{6, 64};
constexpr unsigned REQ_BITS = 70;
// response_t: outcome, pa, size, perm {rw, us, xd, nonleaf_rw, dirty, pk[3:0]}, global_pg,
// memtype, level, raw_entry, entry_pa, err_code (228 bits).
constexpr Field RSP_ERR_CODE{0, 16}, RSP_ENTRY_PA{16, 64}, RSP_RAW_ENTRY{80, 64}, RSP_LEVEL{144, 3},
    RSP_MEMTYPE{147, 3}, RSP_GLOBAL{150, 1}, RSP_PK{151, 4}, RSP_DIRTY{155, 1}, RSP_NONLEAF_RW{156, 1},
    RSP_XD{157, 1}, RSP_US{158, 1}, RSP_RW{159, 1}, RSP_SIZE{160, 2}, RSP_PA{162, 64},
    RSP_OUTCOME{226, 2};
constexpr unsigned RSP_BITS = 228;

constexpr unsigned words(unsigned bits) { return (bits + 31) / 32; }

// A field of up to 64 bits of a packed struct held as 32-bit words.
template <std::size_t N>
uint64_t get(const VlWide<N> &w, Field f)
{
    unsigned i = f.lo / 32, sh = f.lo % 32;
    unsigned __int128 x = w.m_storage[i];
    if (i + 1 < N) x |= (unsigned __int128)w.m_storage[i + 1] << 32;
    if (i + 2 < N) x |= (unsigned __int128)w.m_storage[i + 2] << 64;
    uint64_t v = (uint64_t)(x >> sh);
    return f.width == 64 ? v : v & ((UINT64_C(1) << f.width) - 1);
}

template <std::size_t N>
void put(VlWide<N> &w, Field f, uint64_t v)
{
    unsigned i = f.lo / 32, sh = f.lo % 32;
    unsigned __int128 m = (f.width == 64 ? ~UINT64_C(0) : (UINT64_C(1) << f.width) - 1);
    unsigned __int128 x = w.m_storage[i];
    if (i + 1 < N) x |= (unsigned __int128)w.m_storage[i + 1] << 32;
    if (i + 2 < N) x |= (unsigned __int128)w.m_storage[i + 2] << 64;
    x = (x & ~(m << sh)) | (((unsigned __int128)v & m) << sh);
    w.m_storage[i] = (uint32_t)x;
    if (i + 1 < N) w.m_storage[i + 1] = (uint32_t)(x >> 32);
    if (i + 2 < N) w.m_storage[i + 2] = (uint32_t)(x >> 64);
}

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

Dut::Dut() : ctx_(new VerilatedContext)
{
    ctx_->traceEverOn(true);
    ctx_->fatalOnError(false);   // an RTL $error / failed assertion is reported by the bench
    top_.reset(new Vpw_top{ctx_.get(), "pw_top"});
    static_assert(sizeof(top_->req_i) / 4 == words(REQ_BITS), "request_t width (rtl/pw_pkg.sv)");
    static_assert(sizeof(top_->rsp_o) / 4 == words(RSP_BITS), "response_t width (rtl/pw_pkg.sv)");
}

Dut::~Dut()
{
    trace_close();
    top_->final();
}

void Dut::reset()
{
    Vpw_top &p = *top_;
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

bool Dut::rtl_error() const { return ctx_->gotError(); }
bool Dut::req_ready() const { return top_->req_ready_o; }
bool Dut::rsp_valid() const { return top_->rsp_valid_o; }
bool Dut::mem_req_valid() const { return top_->mem_req_valid_o; }

void Dut::rsp(pw_result *r) const
{
    const auto &w = top_->rsp_o;
    *r = pw_result{};
    r->outcome = (pw_outcome)get(w, RSP_OUTCOME);
    r->pa = get(w, RSP_PA);
    r->size = (pw_page_size)get(w, RSP_SIZE);
    r->perm.rw = get(w, RSP_RW);
    r->perm.us = get(w, RSP_US);
    r->perm.xd = get(w, RSP_XD);
    r->perm.nonleaf_rw = get(w, RSP_NONLEAF_RW);
    r->perm.dirty = get(w, RSP_DIRTY);
    r->perm.pk = (uint8_t)get(w, RSP_PK);
    r->global = get(w, RSP_GLOBAL);
    r->memtype = (uint8_t)get(w, RSP_MEMTYPE);
    r->level = (unsigned)get(w, RSP_LEVEL);
    r->raw_entry = get(w, RSP_RAW_ENTRY);
    r->entry_pa = get(w, RSP_ENTRY_PA);
    r->err_code = (uint32_t)get(w, RSP_ERR_CODE);
}

void Dut::mem_req(pw_mem_access *acc) const
{
    const Vpw_top &p = *top_;
    *acc = pw_mem_access{};
    acc->kind = p.mem_req_op_o ? PW_MEM_CAS : PW_MEM_READ;
    acc->pa = p.mem_req_addr_o;
    acc->size = p.mem_req_size_o;
    acc->expect = p.mem_req_cmp_o;
    acc->desired = p.mem_req_wdata_o;
}

void Dut::set_req(bool valid, const pw_request *q)
{
    Vpw_top &p = *top_;
    p.req_valid_i = valid;
    if (!q)
        return;
    auto &w = p.req_i;
    put(w, REQ_LA, q->la);
    put(w, REQ_KIND, (uint64_t)q->kind);
    put(w, REQ_USER, q->user);
    put(w, REQ_IMPLICIT, q->implicit);
    put(w, REQ_AC, q->ac);
    put(w, REQ_SHADOW_STACK, q->shadow_stack);
}

void Dut::set_ctl(bool valid, const pw_ctl *op, const uint64_t pdpte[4])
{
    Vpw_top &p = *top_;
    p.ctl_valid_i = valid;
    if (!op)
        return;
    p.ctl_op_i = (uint8_t)op->kind;
    p.ctl_value_i = op->value;
    p.ctl_la_i = op->la;
    p.ctl_type_i = (uint8_t)op->type;
    for (unsigned i = 0; i < 4; i++)
        put(p.ctl_pdpte_i, Field{64 * i, 64}, pdpte ? pdpte[i] : 0);
}

void Dut::set_mem(bool ready, bool rsp_valid, uint64_t data, bool err)
{
    Vpw_top &p = *top_;
    p.mem_req_ready_i = ready;
    p.mem_rsp_valid_i = rsp_valid;
    p.mem_rsp_data_i = data;
    p.mem_rsp_err_i = err;
}

uint64_t Dut::counter(unsigned sel)
{
    top_->clk_i = 0;
    top_->cnt_sel_i = (uint8_t)sel;
    top_->eval();
    return top_->cnt_o;
}

void Dut::step()
{
    if (!tfp_) {
        top_->clk_i = 1;
        if (forget_clock(top_->rootp, 0)) {
            top_->eval();
            t_++;
            return;
        }
    }
    settle();
    edge();
}

void Dut::settle()
{
    top_->clk_i = 0;
    top_->eval();
    if (tfp_)
        tfp_->dump(10 * t_ + 5);
}

void Dut::edge()
{
    top_->clk_i = 1;
    top_->eval();
    t_++;
    if (tfp_)
        tfp_->dump(10 * t_);
}

void Dut::trace_open(const char *path)
{
    if (tfp_)
        return;
    tfp_ = new VerilatedFstC;
    top_->trace(tfp_, 99);
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
