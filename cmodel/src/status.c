/* Human-readable names of pw_status, for messages. */
#include "pagewalk/types.h"

const char *pw_status_str(pw_status s)
{
    switch (s) {
    case PW_OK: return "ok";
    case PW_ERR_ARG: return "bad argument";
    case PW_ERR_CONFIG: return "illegal configuration";
    case PW_ERR_GP: return "#GP(0): illegal register write or invalidation";
    case PW_ERR_NOMEM: return "out of memory";
    case PW_ERR_IO: return "I/O error";
    case PW_ERR_FORMAT: return "malformed image or text";
    case PW_ERR_RANGE: return "address out of range";
    case PW_ERR_EXISTS: return "already exists";
    case PW_ERR_LIVELOCK: return "walk restarted too often";
    case PW_ERR_LOOP: return "page tables loop back on themselves";
    case PW_ERR_LIMIT: return "too many page-table entries";
    }
    return "unknown status";
}
