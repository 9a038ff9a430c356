// The VP's memory target (vp_memory.h).
#include "vp_memory.h"

#include "pw_tlm_payload.h"

using sc_core::sc_time;

vp_memory::vp_memory(sc_core::sc_module_name name, pw_image *img, const vp_latency &lat)
    : sc_module(name), socket("socket"), img_(img), lat_(lat)
{
    socket.register_b_transport(this, &vp_memory::b_transport);
    socket.register_transport_dbg(this, &vp_memory::transport_dbg);
    pw_image_mem(img_, &raw_);
}

tlm::tlm_response_status vp_memory::perform(tlm::tlm_generic_payload &gp)
{
    if (gp.get_byte_enable_ptr())
        return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    if (gp.get_streaming_width() < gp.get_data_length())
        return tlm::TLM_BURST_ERROR_RESPONSE;
    const uint64_t pa = gp.get_address();
    unsigned char *data = gp.get_data_ptr();
    const unsigned len = gp.get_data_length();
    pw_tlm_cas_ext *cas = honour_cas_ ? gp.get_extension<pw_tlm_cas_ext>() : nullptr;
    switch (gp.get_command()) {
    case tlm::TLM_READ_COMMAND:
        return pw_image_read(img_, pa, data, len) == PW_OK ? tlm::TLM_OK_RESPONSE
                                                           : tlm::TLM_ADDRESS_ERROR_RESPONSE;
    case tlm::TLM_WRITE_COMMAND:
        if (!cas)
            return pw_image_write(img_, pa, data, len) == PW_OK ? tlm::TLM_OK_RESPONSE
                                                                : tlm::TLM_ADDRESS_ERROR_RESPONSE;
        if (len != sizeof(uint32_t) && len != sizeof(uint64_t))
            return tlm::TLM_BURST_ERROR_RESPONSE;   // entries are 4 or 8 bytes
        if (raw_.cas(raw_.ctx, pa, len, cas->cmp, pw_tlm_load_le(data, len), 0, &cas->old) !=
            PW_MEM_OK)
            return tlm::TLM_ADDRESS_ERROR_RESPONSE;
        cas->done = true;
        return tlm::TLM_OK_RESPONSE;
    default:
        return tlm::TLM_OK_RESPONSE;   // TLM_IGNORE_COMMAND
    }
}

void vp_memory::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay)
{
    const sc_time issue = sc_core::sc_time_stamp() + delay;
    const tlm::tlm_response_status st = perform(gp);
    gp.set_response_status(st);
    delay += lat_.at(gp.get_address(), issue);
    accesses_++;
    if (st == tlm::TLM_ADDRESS_ERROR_RESPONSE)
        address_errors_++;
    const auto *cas = gp.get_extension<pw_tlm_cas_ext>();
    const unsigned len = gp.get_data_length();
    const bool write = gp.get_command() == tlm::TLM_WRITE_COMMAND;
    const uint64_t wdata =
        write && gp.get_data_ptr()
            ? pw_tlm_load_le(gp.get_data_ptr(), std::min<unsigned>(len, sizeof(uint64_t)))
            : 0;
    log_.push_back({gp.get_command(), write && cas != nullptr, gp.get_address(), len, wdata,
                    cas ? cas->cmp : 0, issue, st});
}

unsigned int vp_memory::transport_dbg(tlm::tlm_generic_payload &gp)
{
    const uint64_t pa = gp.get_address();
    const unsigned len = gp.get_data_length();
    pw_status s = PW_ERR_ARG;
    if (gp.get_command() == tlm::TLM_READ_COMMAND)
        s = pw_image_read(img_, pa, gp.get_data_ptr(), len);
    else if (gp.get_command() == tlm::TLM_WRITE_COMMAND)
        s = pw_image_write(img_, pa, gp.get_data_ptr(), len);
    return s == PW_OK ? len : 0;
}
