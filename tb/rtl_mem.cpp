// The RTL's page-table memory at the pins (rtl_mem.h).
#include "rtl_mem.h"

namespace {

// Driven on mem_rsp_data_i while mem_rsp_valid_i = 0: a walker that samples
// data without valid sees garbage, not a plausible entry.
uint64_t junk(uint64_t t)
{
    uint64_t z = t * UINT64_C(0x9e3779b97f4a7c15);
    return z ^ (z >> 29) ^ UINT64_C(0xdead0000beef0000);
}

bool same_payload(const pw_mem_access &a, const pw_mem_access &b)
{
    return a.kind == b.kind && a.pa == b.pa && a.size == b.size && a.expect == b.expect &&
           a.desired == b.desired;
}

}  // namespace

void RtlMem::cycle(Dut &dut, uint64_t t)
{
    env_mem_settle(em_, t);   // pokes happen at the start of their cycle
    bool valid = dut.mem_req_valid();
    bool ready = false, rsp_valid = false, err = false;
    uint64_t data = junk(t);

    if (state_ == WAIT_RESPONSE) {
        if (t == cur_.respond) {
            rsp_valid = true;
            data = cur_.data;
            err = cur_.status != PW_MEM_OK;
            state_ = IDLE;
            if (valid && listener_)
                listener_->on_protocol_error(t, "mem_req_valid_o in the response cycle of the "
                                                "previous access (at most one outstanding)");
            valid = false;
        } else if (valid && listener_) {
            listener_->on_protocol_error(t, "mem_req_valid_o while an access is outstanding");
        }
    }
    if (state_ == IDLE && valid) {
        cur_ = RtlAccess{};
        dut.mem_req(&cur_.acc);
        cur_.issue = t;
        env_mem_schedule(em_, t, &cur_.accept, &cur_.respond);
        state_ = WAIT_ACCEPT;
        accesses_++;
        if (listener_)
            listener_->on_issue(cur_);
    } else if (state_ == WAIT_ACCEPT) {
        pw_mem_access now;
        dut.mem_req(&now);
        if (!valid) {
            if (listener_)
                listener_->on_protocol_error(t, "mem_req_valid_o dropped before mem_req_ready_i");
        } else if (!same_payload(now, cur_.acc) && listener_) {
            listener_->on_protocol_error(t, "mem_req payload changed while waiting for ready");
        }
    }
    if (state_ == WAIT_ACCEPT && t == cur_.accept) {
        ready = true;
        cur_.status = env_mem_access(em_, &cur_.acc, t, &cur_.data);
        state_ = WAIT_RESPONSE;
        if (listener_)
            listener_->on_perform(cur_);
    }
    dut.set_mem(ready, rsp_valid, data, err);
}
