// The RTL's page-table memory at the pins (docs/timing.md "memory"): it sees each
// access the walker presents, asks the shared env_mem when to accept it and when
// to answer (the same function the model's pw_mem.schedule uses), performs the
// read or CAS on the RTL's image in the accept cycle and drives the response.
// It checks the port protocol and reports every access to a listener (the
// scoreboard).
#ifndef TB_RTL_MEM_H
#define TB_RTL_MEM_H

#include <cstdint>

#include "dut.h"
#include "env_mem.h"

struct RtlAccess {
    pw_mem_access acc;   // as presented (level unknown: 0)
    uint64_t issue = 0, accept = 0, respond = 0;
    uint64_t data = 0;   // read value, or the old value a CAS found (valid once performed)
    pw_mem_status status = PW_MEM_OK;
};

class RtlMemListener {
public:
    virtual ~RtlMemListener() = default;
    virtual void on_issue(const RtlAccess &a) = 0;     // first cycle mem_req_valid_o = 1
    virtual void on_perform(const RtlAccess &a) = 0;   // accept cycle: the read / CAS is done
    virtual void on_protocol_error(uint64_t cycle, const char *what) = 0;
};

class RtlMem {
public:
    RtlMem(env_mem *em, RtlMemListener *listener) : em_(em), listener_(listener) {}
    // Once per cycle, after the edge and before Dut::settle: observe mem_req_*,
    // drive mem_req_ready_i and mem_rsp_*.
    void cycle(Dut &dut, uint64_t t);
    bool idle() const { return state_ == IDLE; }
    // Reset of the core and the port (docs/timing.md §10): an access not accepted yet
    // never happens, a response still due is dropped.
    void reset() { state_ = IDLE; }
    uint64_t accesses() const { return accesses_; }

private:
    enum State { IDLE, WAIT_ACCEPT, WAIT_RESPONSE };
    env_mem *em_;
    RtlMemListener *listener_;
    State state_ = IDLE;
    RtlAccess cur_;
    uint64_t accesses_ = 0;
};

#endif
