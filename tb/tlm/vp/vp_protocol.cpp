// The VP's protocol checks, after the comparisons of the run (they make the two
// memories differ): malformed payloads are refused, an illegal control operation
// changes nothing, and a memory target that ignores pw_tlm_cas_ext fails the
// translation instead of passing silently.
#include <cstring>

#include "vp_traffic.h"

using sc_core::sc_time;

tlm::tlm_response_status vp_traffic::send_ctl(pw_tlm_ctl &c)
{
    tlm::tlm_generic_payload gp;
    pw_tlm_set_ctl(gp, c);
    sc_time delay = qk_.get_local_time();
    ctl_socket->b_transport(gp, delay);
    qk_.set(delay);
    return gp.get_response_status();
}

void vp_traffic::protocol_checks(vp_space &space)
{
    vp_report &r = report_;
    r.set_context("protocol checks");
    comparing_ = false;

    // A translation payload of the wrong length or command.
    pw_tlm_translation t;
    t.req = pw_request();
    tlm::tlm_generic_payload gp;
    sc_time delay = qk_.get_local_time();
    pw_tlm_set_translation(gp, t);
    gp.set_data_length(sizeof t - 1);
    socket->b_transport(gp, delay);
    r.expect(gp.get_response_status() == tlm::TLM_GENERIC_ERROR_RESPONSE,
             "a short translation payload is refused");
    pw_tlm_set_translation(gp, t);
    gp.set_command(tlm::TLM_WRITE_COMMAND);
    socket->b_transport(gp, delay);
    r.expect(gp.get_response_status() == tlm::TLM_COMMAND_ERROR_RESPONSE,
             "a write command on the translation socket is refused");
    r.expect(socket->transport_dbg(gp) == 0, "a malformed debug translation answers 0 bytes");
    qk_.set(delay);

    // An illegal operation (PKRU has 32 bits): #GP, an error response, nothing changed.
    const pw_regs before = env_.mmu->regs();
    pw_tlm_ctl c;
    c.op = pw_ctl{PW_CTL_WRPKRU, UINT64_C(1) << (sizeof(uint32_t) * pw_tlm_byte_bits), 0, 0};
    r.expect(send_ctl(c) == tlm::TLM_GENERIC_ERROR_RESPONSE && c.status == PW_ERR_GP,
             "an illegal operation answers #GP with an error response");
    r.expect(std::memcmp(&before, &env_.mmu->regs(), sizeof before) == 0,
             "an illegal operation changes no register");

    // A memory target that does not know the CAS extension (a plain write).
    if (!(env_.mmu->regs().cr0 & CR0_PG)) {
        c.op = pw_ctl{PW_CTL_MOV_CR0, env_.mmu->regs().cr0 | CR0_PG, 0, 0};
        r.expect(send_ctl(c) == tlm::TLM_OK_RESPONSE, "paging back on");
    }
    uint64_t la = 0;
    std::vector<pw_ctl> inval;
    r.check("a clean page", space.clean_page(env_.mmu->regs(), &la, inval) ? "" : space.why());
    for (const pw_ctl &op : inval) {
        c.op = op;
        r.expect(send_ctl(c) == tlm::TLM_OK_RESPONSE, "invalidation of the clean page");
    }
    sc_core::sc_report_handler::set_actions(pw_tlm_mmu::msg_cas_ignored, sc_core::SC_DO_NOTHING);
    env_.mem->set_honour_cas(false);
    const uint64_t ignored = env_.mmu->cas_unhonoured();
    t = pw_tlm_translation();
    t.req.la = la;
    t.req.kind = PW_ACC_WRITE;
    pw_tlm_set_translation(gp, t);
    delay = qk_.get_local_time();
    socket->b_transport(gp, delay);
    qk_.set(delay);
    r.expect(gp.get_response_status() == tlm::TLM_GENERIC_ERROR_RESPONSE,
             "an ignored CAS extension fails the translation");
    r.expect(t.result.outcome == PW_OUT_BUS_ERROR, "an ignored CAS extension ends the walk");
    r.expect(env_.mmu->cas_unhonoured() == ignored + 1, "the MMU counts the ignored CAS");
    env_.mem->set_honour_cas(true);
}
