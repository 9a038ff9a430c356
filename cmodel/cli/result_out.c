/* Result lines (result_out.h). Text: every number hex, fixed widths. JSON:
 * the same fields; 64-bit values and the error code as the same hex strings
 * (a JSON number cannot hold 64 bits exactly), small fields as numbers. */
#include <inttypes.h>

#include "pagewalk/walk.h"
#include "result_out.h"

static const char *outcome_name(pw_outcome o)
{
    switch (o) {
    case PW_OUT_OK: return "ok";
    case PW_OUT_PF: return "pf";
    case PW_OUT_GP: return "gp";
    case PW_OUT_BUS_ERROR: return "bus-error";
    case PW_OUT_ABORTED: return "aborted";
    }
    return "?";
}

static void print_text(FILE *out, uint64_t la, const pw_result *r)
{
    fprintf(out, "0x%016" PRIx64 " %s", la, outcome_name(r->outcome));
    switch (r->outcome) {
    case PW_OUT_OK:
        fprintf(out, " pa=0x%016" PRIx64 " size=%s level=%u rw=%u us=%u xd=%u g=%u pk=%x mt=0x%x\n",
                r->pa, pw_page_size_name(r->size), r->level, (unsigned)r->perm.rw,
                (unsigned)r->perm.us, (unsigned)r->perm.xd, (unsigned)r->global,
                (unsigned)r->perm.pk, (unsigned)r->memtype);
        return;
    case PW_OUT_PF:
        fprintf(out,
                " err=0x%04" PRIx32 " level=%u entry=0x%016" PRIx64 " entry_pa=0x%016" PRIx64 "\n",
                r->err_code, r->level, r->raw_entry, r->entry_pa);
        return;
    case PW_OUT_GP:
        fputs(" non-canonical\n", out);
        return;
    case PW_OUT_BUS_ERROR:
    case PW_OUT_ABORTED:
        fprintf(out, " level=%u entry_pa=0x%016" PRIx64 "\n", r->level, r->entry_pa);
        return;
    }
    fputc('\n', out);
}

static void print_json(FILE *out, uint64_t la, const pw_result *r)
{
    fprintf(out, "{\"addr\":\"0x%016" PRIx64 "\",\"result\":\"%s\"", la, outcome_name(r->outcome));
    switch (r->outcome) {
    case PW_OUT_OK:
        fprintf(out,
                ",\"pa\":\"0x%016" PRIx64 "\",\"size\":\"%s\",\"level\":%u,\"rw\":%u,\"us\":%u,"
                "\"xd\":%u,\"g\":%u,\"pk\":%u,\"mt\":%u",
                r->pa, pw_page_size_name(r->size), r->level, (unsigned)r->perm.rw,
                (unsigned)r->perm.us, (unsigned)r->perm.xd, (unsigned)r->global,
                (unsigned)r->perm.pk, (unsigned)r->memtype);
        break;
    case PW_OUT_PF:
        fprintf(out,
                ",\"err\":\"0x%04" PRIx32 "\",\"level\":%u,\"entry\":\"0x%016" PRIx64
                "\",\"entry_pa\":\"0x%016" PRIx64 "\"",
                r->err_code, r->level, r->raw_entry, r->entry_pa);
        break;
    case PW_OUT_GP:
        fputs(",\"reason\":\"non-canonical\"", out);
        break;
    case PW_OUT_BUS_ERROR:
    case PW_OUT_ABORTED:
        fprintf(out, ",\"level\":%u,\"entry_pa\":\"0x%016" PRIx64 "\"", r->level, r->entry_pa);
        break;
    }
    fputs("}\n", out);
}

void cli_print_result(FILE *out, uint64_t la, const pw_result *r, bool json)
{
    if (json)
        print_json(out, la, r);
    else
        print_text(out, la, r);
}
