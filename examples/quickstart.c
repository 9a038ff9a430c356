/* The README's library example: map a 2 MiB page in 4-level paging and
 * translate a user write through it. `make test` builds it against an
 * installed copy of libpagewalk with pkg-config (tests/install_check.sh). */
#include <inttypes.h>
#include <stdio.h>

#include <pagewalk/pagewalk.h>

int main(void)
{
    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img;
    pw_os *os;
    if (pw_image_sparse_new(UINT64_C(1) << 30, &img) != PW_OK ||
        pw_os_new(img, &cfg, PW_MODE_4LVL, 64 << 20, 16 << 20, NULL, &os) != PW_OK ||
        pw_os_map(os, 0x7f0000000000, 0x200000, PW_SIZE_2M, PTE_RW | PTE_US) != PW_OK) {
        fprintf(stderr, "quickstart: setup failed\n");
        return 1;
    }
    pw_regs r;
    pw_regs_reset(&r);
    r.cr0 = CR0_PE | CR0_PG | CR0_WP;
    r.cr4 = CR4_PAE;
    r.efer = EFER_LME | EFER_LMA | EFER_NXE;
    r.cr3 = pw_os_cr3(os);
    pw_mem mem;
    pw_image_mem(img, &mem);
    pw_request q = {.la = 0x7f0000001234, .kind = PW_ACC_WRITE, .user = true};
    pw_result res;
    if (pw_walk(&cfg, &r, &mem, &q, &res) != PW_OK) {
        fprintf(stderr, "quickstart: walk failed\n");
        return 1;
    }
    if (res.outcome == PW_OUT_OK)
        printf("0x%" PRIx64 " -> 0x%" PRIx64 " (%s page)\n", q.la, res.pa, pw_page_size_name(res.size));
    else
        printf("0x%" PRIx64 " -> #PF error 0x%x at level %u\n", q.la, res.err_code, res.level);
    pw_os_free(os);
    pw_image_free(img);
    return 0;
}
