// pagewalk types, entry bit names and the functions the walker and the TLB-hit
// path share. Mirrors cmodel/include/pagewalk/{bits,types,walk}.h and
// cmodel/src/{entry,rights,mode}.c: same names, same decisions.
package pw_pkg;

  // The functions below take whole registers and addresses and read the bits
  // their rule needs; the rest is unused by design.
  /* verilator lint_off UNUSEDSIGNAL */
  // Not every module uses every name below (pw_tlb, pw_psc and pw_plru are linted alone).
  /* verilator lint_off UNUSEDPARAM */

  // ---- Entry bits (x86-paging.md §4) ----
  localparam int PTE_P    = 0;
  localparam int PTE_RW   = 1;
  localparam int PTE_US   = 2;
  localparam int PTE_PWT  = 3;
  localparam int PTE_PCD  = 4;
  localparam int PTE_A    = 5;
  localparam int PTE_D    = 6;
  localparam int PTE_PS   = 7;
  localparam int PTE_PAT  = 7;   // 4 KiB PTE (R7.4)
  localparam int PTE_G    = 8;
  localparam int PTE_PAT_LARGE = 12;
  localparam int PTE_PK_LO = 59;
  localparam int PTE_XD   = 63;
  localparam int PDE32_PSE36_LO = 13;  // PA[39:32] of a 4 MiB page (R2.2)

  // ---- #PF error code (§10) ----
  localparam int PF_P    = 0;
  localparam int PF_W    = 1;
  localparam int PF_U    = 2;
  localparam int PF_RSVD = 3;
  localparam int PF_ID   = 4;
  localparam int PF_PK   = 5;
  localparam int PF_SS   = 6;

  // ---- Control-register bits ----
  localparam int CR0_WP = 16, CR0_NW = 29, CR0_CD = 30, CR0_PG = 31;
  localparam int CR4_PSE = 4, CR4_PAE = 5, CR4_PGE = 7, CR4_LA57 = 12, CR4_PCIDE = 17;
  localparam int CR4_SMEP = 20, CR4_SMAP = 21, CR4_PKE = 22, CR4_CET = 23, CR4_PKS = 24;
  localparam int EFER_LME = 8, EFER_LMA = 10, EFER_NXE = 11;
  localparam int CR3_NOFLUSH = 63;

  localparam int PAGE_SHIFT = 12;
  localparam int LEVEL_BITS = 9;
  localparam int LEVEL_BITS_32 = 10;
  localparam int PCID_W = 12;
  localparam int LVL_PT = 1, LVL_PD = 2, LVL_PDPT = 3, LVL_PML4 = 4, LVL_PML5 = 5;

  typedef enum logic [2:0] {
    MODE_NONE = 3'd0, MODE_32 = 3'd1, MODE_PAE = 3'd2, MODE_4LVL = 3'd3, MODE_5LVL = 3'd4
  } mode_e;
  typedef enum logic [1:0] { ACC_READ = 2'd0, ACC_WRITE = 2'd1, ACC_FETCH = 2'd2 } acc_kind_e;
  typedef enum logic [1:0] { SIZE_4K = 2'd0, SIZE_2M = 2'd1, SIZE_4M = 2'd2, SIZE_1G = 2'd3 } page_size_e;
  typedef enum logic [1:0] { OUT_OK = 2'd0, OUT_PF = 2'd1, OUT_GP = 2'd2, OUT_BUS = 2'd3 } outcome_e;
  typedef enum logic [1:0] {
    ENT_NOT_PRESENT = 2'd0, ENT_RESERVED = 2'd1, ENT_TABLE = 2'd2, ENT_LEAF = 2'd3
  } entry_class_e;
  typedef enum logic [0:0] { MEM_READ = 1'b0, MEM_CAS = 1'b1 } mem_op_e;
  // regs.h pw_flush_kind
  typedef enum logic [2:0] {
    FLUSH_NONE = 3'd0, FLUSH_ALL = 3'd1, FLUSH_CONTEXT = 3'd2, FLUSH_PCID_NONGLOBAL = 3'd3,
    FLUSH_NONGLOBAL_ALL = 3'd4, FLUSH_PAGE = 3'd5, FLUSH_PAGE_NONGLOBAL = 3'd6, FLUSH_FAULT = 3'd7
  } flush_kind_e;
  // mmu.h pw_ctl_kind
  typedef enum logic [3:0] {
    CTL_MOV_CR0 = 4'd0, CTL_MOV_CR3 = 4'd1, CTL_MOV_CR4 = 4'd2, CTL_WRMSR_EFER = 4'd3,
    CTL_WRPKRU = 4'd4, CTL_WRPKRS = 4'd5, CTL_INVLPG = 4'd6, CTL_INVPCID = 4'd7,
    CTL_FLUSH_ALL = 4'd8
  } ctl_kind_e;

  // Combined rights and leaf attributes (types.h pw_perm): what the TLB stores.
  typedef struct packed {
    logic       rw;
    logic       us;
    logic       xd;
    logic       nonleaf_rw;
    logic       dirty;
    logic [3:0] pk;
  } perm_t;

  typedef struct packed {
    logic [63:0] la;
    acc_kind_e   kind;
    logic        user;
    logic        implicit_sv;   // implicit supervisor access (R8.1)
    logic        ac;
    logic        shadow_stack;
  } request_t;

  typedef struct packed {
    outcome_e    outcome;
    logic [63:0] pa;
    page_size_e  size;
    perm_t       perm;
    logic        global_pg;
    logic [2:0]  memtype;       // {PAT, PCD, PWT}
    logic [2:0]  level;
    logic [63:0] raw_entry;
    logic [63:0] entry_pa;
    logic [15:0] err_code;
  } response_t;

  // walk.h pw_rights_ctl: what the rights check reads at access time (R8.10).
  typedef struct packed {
    logic        wp;
    logic        smep;
    logic        smap;
    logic        nxe;
    logic        pke;
    logic        pks;
    logic        cet;
    logic        id_bit;
    logic [31:0] pkru;
    logic [31:0] pkrs;
  } rights_ctl_t;

  typedef struct packed {
    logic [63:0] cr0;
    logic [63:0] cr3;
    logic [63:0] cr4;
    logic [63:0] efer;
    logic [31:0] pkru;
    logic [31:0] pkrs;
  } regs_t;

  // One TLB entry (tlb.h pw_tlb_entry): one per page of any size.
  localparam int VPN_W = 45;   // LA[56:12]
  localparam int PFN_W = 40;   // PA[51:12]
  typedef struct packed {
    logic             valid;
    logic [VPN_W-1:0] vpn;     // page number of the page's first byte (masked to its size)
    page_size_e       size;
    logic [PCID_W-1:0] pcid;
    logic             global_pg;
    logic [PFN_W-1:0] pfn;
    perm_t            perm;
    logic [2:0]       memtype;
    logic [2:0]       level;
  } tlb_entry_t;

  // One invalidation (regs.h pw_flush), as the TLB and PSCs carry it out.
  typedef struct packed {
    flush_kind_e       kind;
    logic [PCID_W-1:0] pcid;
    logic [63:0]       la;     // mode-truncated
    mode_e             mode;   // for the PSC keys of FLUSH_FAULT
  } flush_t;

  // ---- Modes and geometry (R1.1, R2) ----
  function automatic mode_e mode_of(regs_t r);
    if (!r.cr0[CR0_PG]) return MODE_NONE;
    if (!r.cr4[CR4_PAE]) return MODE_32;
    if (!r.efer[EFER_LMA]) return MODE_PAE;
    return r.cr4[CR4_LA57] ? MODE_5LVL : MODE_4LVL;
  endfunction

  // R11.4: the current PCID (regs.c pw_regs_pcid).
  function automatic logic [PCID_W-1:0] regs_pcid(regs_t r);
    return r.cr4[CR4_PCIDE] ? r.cr3[PCID_W-1:0] : '0;
  endfunction

  function automatic logic [2:0] mode_levels(mode_e m);
    case (m)
      MODE_32:   return 3'd2;
      MODE_PAE:  return 3'd3;
      MODE_4LVL: return 3'd4;
      MODE_5LVL: return 3'd5;
      default:   return 3'd0;
    endcase
  endfunction

  function automatic logic [63:0] la_truncate(mode_e m, logic [63:0] la);
    case (m)
      MODE_5LVL: return {7'd0, la[56:0]};
      MODE_4LVL: return {16'd0, la[47:0]};
      default:   return {32'd0, la[31:0]};
    endcase
  endfunction

  // R2.1
  function automatic logic la_canonical(mode_e m, logic [63:0] la);
    case (m)
      MODE_5LVL: return (la[63:56] == '0) || (la[63:56] == '1);
      MODE_4LVL: return (la[63:47] == '0) || (la[63:47] == '1);
      default:   return 1'b1;
    endcase
  endfunction

  // Shift of the region one entry at `level` maps.
  function automatic logic [5:0] level_shift(mode_e m, logic [2:0] level);
    logic [5:0] bits;
    bits = (m == MODE_32) ? 6'(LEVEL_BITS_32) : 6'(LEVEL_BITS);
    if (level == 3'd0) return 6'(PAGE_SHIFT);
    return 6'(PAGE_SHIFT) + bits * (6'(level) - 6'd1);
  endfunction

  // Byte offset of la's entry in the table at `level` (index * entry size).
  function automatic logic [11:0] entry_offset(mode_e m, logic [2:0] level, logic [63:0] la);
    logic [63:0] shifted;
    if (m == MODE_PAE && level == 3'(LVL_PDPT)) return {7'd0, la[31:30], 3'd0};
    shifted = la >> level_shift(m, level);
    if (m == MODE_32) return {shifted[9:0], 2'd0};
    return {shifted[8:0], 3'd0};
  endfunction

  // ---- One entry at one level (R5, R7.1, R7.4) ----
  // Bits hi..lo set (PW_BITS in bits.h). Shifts, not a loop: this runs in every
  // reserved-bit and address mask, and a loop costs Verilator 64 steps per call.
  function automatic logic [63:0] bits_range(int hi, int lo);
    logic [63:0] upto_hi, below_lo;
    if (hi < lo || lo > 63) return '0;
    upto_hi = (hi >= 63) ? '1 : ((64'd1 << (hi + 1)) - 64'd1);
    below_lo = (lo <= 0) ? '0 : ((64'd1 << lo) - 64'd1);
    return upto_hi & ~below_lo;
  endfunction

  function automatic int pse36_width(int maxphy);
    return (maxphy < 40) ? maxphy : 40;
  endfunction

  // R5.1, R5.2: bits reserved at every level.
  function automatic logic [63:0] rsvd_base(mode_e m, logic nxe, int maxphy);
    logic [63:0] mask;
    mask = '0;
    if (m == MODE_32) return mask;
    if (m == MODE_PAE) mask = bits_range(62, maxphy);
    else mask = bits_range(51, maxphy);
    if (!nxe) mask[PTE_XD] = 1'b1;
    return mask;
  endfunction

  // R5.3-R5.7: the level-specific part.
  function automatic logic [63:0] rsvd_level(mode_e m, logic [2:0] level, logic leaf, logic has_1g,
                                             logic has_pse36, int maxphy);
    logic [63:0] mask;
    mask = '0;
    if (m == MODE_32) begin
      if (level == 3'(LVL_PD) && leaf) begin
        if (has_pse36 && pse36_width(maxphy) > 32) mask = bits_range(21, pse36_width(maxphy) - 19);
        else mask = bits_range(21, 13);
      end
    end else if (m == MODE_PAE && level == 3'(LVL_PDPT)) begin
      mask = bits_range(2, 1) | bits_range(8, 5);           // R5.6
      mask[PTE_XD] = 1'b1;
    end else if (level >= 3'(LVL_PML4)) begin
      mask[PTE_PS] = 1'b1;                                  // R5.3
    end else if (leaf && level == 3'(LVL_PDPT)) begin
      mask = bits_range(29, 13);                            // R5.5
      if (!has_1g) mask[PTE_PS] = 1'b1;                     // R5.4
    end else if (leaf && level == 3'(LVL_PD)) begin
      mask = bits_range(20, 13);                            // R5.5
    end
    return mask;
  endfunction

  // R7.4: which PS=1 entries are leaves.
  function automatic logic is_leaf(mode_e m, logic [2:0] level, logic pse, logic [63:0] e);
    if (level == 3'(LVL_PT)) return 1'b1;
    if (!e[PTE_PS]) return 1'b0;
    if (level == 3'(LVL_PD)) return (m != MODE_32) || pse;
    return level == 3'(LVL_PDPT) && (m == MODE_4LVL || m == MODE_5LVL);
  endfunction

  function automatic entry_class_e classify(mode_e m, logic [2:0] level, logic pse,
                                            logic [63:0] e, logic [63:0] rsvd_base_mask,
                                            logic has_1g, logic has_pse36, int maxphy);
    logic leaf;
    if (!e[PTE_P]) return ENT_NOT_PRESENT;                 // R7.1 a
    leaf = is_leaf(m, level, pse, e);
    if ((e & (rsvd_base_mask | rsvd_level(m, level, leaf, has_1g, has_pse36, maxphy))) != '0)
      return ENT_RESERVED;                                  // R7.1 b
    return leaf ? ENT_LEAF : ENT_TABLE;
  endfunction

  // Address of the next table, or the frame of a leaf (R2.2-R2.4).
  function automatic logic [63:0] entry_addr(mode_e m, logic [2:0] level, logic leaf,
                                             logic [63:0] e, logic has_pse36, int maxphy);
    logic [63:0] pa;
    if (m == MODE_32) begin
      if (!(leaf && level == 3'(LVL_PD))) return e & bits_range(31, PAGE_SHIFT);
      pa = e & bits_range(31, 22);
      if (has_pse36) pa = pa | (({56'd0, e[PDE32_PSE36_LO +: 8]} << 32) & bits_range(pse36_width(maxphy) - 1, 0));
      return pa;
    end
    if (leaf) return e & bits_range(maxphy - 1, 32'(level_shift(m, level)));
    return e & bits_range(maxphy - 1, PAGE_SHIFT);
  endfunction

  // ---- Access rights and the error code: the one fault-priority function (R7.3, R8, R10) ----
  function automatic rights_ctl_t rights_ctl_of(regs_t r);
    rights_ctl_t c;
    mode_e m;
    m = mode_of(r);
    c.wp = r.cr0[CR0_WP];
    c.smep = r.cr4[CR4_SMEP];
    c.smap = r.cr4[CR4_SMAP];
    c.nxe = (m != MODE_32) && r.efer[EFER_NXE];             // R1.2
    c.pke = r.efer[EFER_LMA] && r.cr4[CR4_PKE];
    c.pks = r.efer[EFER_LMA] && r.cr4[CR4_PKS];
    c.cet = r.cr4[CR4_CET];
    c.id_bit = c.smep || c.nxe;                             // R10.1
    c.pkru = r.pkru;
    c.pkrs = r.pkrs;
    return c;
  endfunction

  function automatic logic [1:0] key_bits(logic [31:0] reg_v, logic [3:0] key);
    logic [31:0] s;
    s = reg_v >> {key, 1'b0};
    return s[1:0];   // [0] access disable, [1] write disable
  endfunction

  function automatic logic is_shadow_stack(rights_ctl_t c, request_t q);
    return q.shadow_stack && c.cet && q.kind != ACC_FETCH;
  endfunction

  function automatic logic [15:0] access_err_bits(rights_ctl_t c, request_t q);
    logic [15:0] e;
    e = '0;
    e[PF_W] = q.kind == ACC_WRITE;
    e[PF_U] = q.user && !q.implicit_sv;
    e[PF_ID] = q.kind == ACC_FETCH && c.id_bit;
    e[PF_SS] = is_shadow_stack(c, q);
    return e;
  endfunction

  // 0 when allowed, else the #PF error code.
  function automatic logic [15:0] rights_check(rights_ctl_t c, request_t q, perm_t p);
    logic user_access, write_acc, deny, pk_deny, ss_page;
    logic [1:0] k;
    logic [15:0] e;
    user_access = q.user && !q.implicit_sv;                 // R8.1
    write_acc = q.kind == ACC_WRITE;
    deny = 1'b0;
    pk_deny = 1'b0;
    if (q.kind == ACC_FETCH) begin
      deny = p.xd;                                          // R8.9
      if (user_access) deny = deny || !p.us;
      else deny = deny || (c.smep && p.us);
    end else if (is_shadow_stack(c, q)) begin
      ss_page = p.nonleaf_rw && !p.rw && p.dirty;           // R8.11
      deny = !ss_page || (user_access != p.us);
      if (p.us && c.pke) begin
        k = key_bits(c.pkru, p.pk);
        pk_deny = k[0];
      end
      if (!p.us && c.pks) begin
        k = key_bits(c.pkrs, p.pk);
        pk_deny = k[0];
      end
    end else begin
      if (user_access) begin
        deny = !p.us || (write_acc && !p.rw);               // R8.3
      end else begin
        deny = (p.us && c.smap && (!q.ac || q.implicit_sv)) // R8.6
            || (write_acc && !p.rw && c.wp);                // R8.5
      end
      if (p.us && c.pke) begin                              // R8.7
        k = key_bits(c.pkru, p.pk);
        pk_deny = k[0] || (write_acc && k[1] && (user_access || c.wp));
      end
      if (!p.us && c.pks && !user_access) begin             // R8.8 (QEMU order, D12)
        k = key_bits(c.pkrs, p.pk);
        pk_deny = k[0] || (write_acc && k[1] && c.wp);
      end
    end
    if (!deny && !pk_deny) return '0;
    e = access_err_bits(c, q);
    e[PF_P] = 1'b1;
    e[PF_PK] = pk_deny;                                     // R10.4
    return e;
  endfunction

  function automatic logic [63:0] page_mask(page_size_e s);
    case (s)
      SIZE_2M: return 64'h1f_ffff;
      SIZE_4M: return 64'h3f_ffff;
      SIZE_1G: return 64'h3fff_ffff;
      default: return 64'hfff;
    endcase
  endfunction

  // Page-number bits an entry of size `s` compares (tlb.c vpn_mask).
  function automatic logic [VPN_W-1:0] vpn_mask(page_size_e s);
    logic [63:0] m;
    m = ~(page_mask(s) >> PAGE_SHIFT);
    return m[VPN_W-1:0];
  endfunction

  // Which levels a mode caches in PSCs (psc.c pw_psc_level_used): 32-bit and PAE
  // only the PDE level (PAE PDPTEs are registers).
  function automatic logic psc_level_used(mode_e m, logic [2:0] level);
    if (level < 3'(LVL_PD)) return 1'b0;
    if (m == MODE_32 || m == MODE_PAE) return level == 3'(LVL_PD);
    return level <= mode_levels(m);
  endfunction

  // PSC key of `la` at `level` (psc.c pw_psc_key): LA bits above the entry's region.
  function automatic logic [63:0] psc_key(mode_e m, logic [2:0] level, logic [63:0] la);
    return la_truncate(m, la) >> level_shift(m, level);
  endfunction

  /* verilator lint_on UNUSEDPARAM */
  /* verilator lint_on UNUSEDSIGNAL */
endpackage
