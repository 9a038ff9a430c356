// The walk, one page-table access at a time (R7, R9): mirrors the step machine
// of cmodel/src/walk.c and the timing of cmodel/src/mmu.c (docs/timing.md §2-§6).
// Started in the accept cycle; every response is decided in the cycle it
// arrives, so the next access is presented the cycle after (one cycle per level
// beyond the memory's delay) and the answer (done_o) is registered by pw_top.
module pw_walker
  import pw_pkg::*;
#(
  parameter int MAXPHYADDR      = 46,
  parameter bit HAS_1G          = 1'b1,
  parameter bit HAS_PSE36       = 1'b1,
  parameter bit AD_AS_WALKED    = 1'b0,
  parameter bit PDPTE_ON_DEMAND = 1'b0,
  parameter bit HAS_LONG        = 1'b1,
  parameter bit HAS_LA57        = 1'b1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // start, in the accept cycle: the registers and the PSC hit to begin from
  input  logic              start_i,
  input  request_t          start_req_i,
  input  regs_t             start_regs_i,
  input  logic [3:0][63:0]  start_pdpte_i,
  input  logic [2:0]        start_level_i,   // PSC hit level (0 = from the root)
  input  logic [63:0]       start_table_i,
  input  perm_t             start_perm_i,
  output logic              busy_o,
  // memory port
  output logic              mem_req_valid_o,
  input  logic              mem_req_ready_i,
  output logic [63:0]       mem_req_addr_o,
  output logic [3:0]        mem_req_size_o,
  output mem_op_e           mem_req_op_o,
  output logic [63:0]       mem_req_cmp_o,
  output logic [63:0]       mem_req_wdata_o,
  input  logic              mem_rsp_valid_i,
  input  logic [63:0]       mem_rsp_data_i,
  input  logic              mem_rsp_err_i,
  // the end of the walk, in the cycle it is decided
  output logic              done_o,
  output response_t         result_o,
  output logic              fill_o,          // a translation to cache
  output tlb_entry_t        fill_entry_o,
  output logic [5:0]        psc_fill_o,      // per level 2..5: cache this walk's entry
  output logic [5:0][63:0]  psc_table_o,
  output perm_t [5:0]       psc_perm_o,
  output flush_t            fault_flush_o,   // #PF self-invalidation (R11.5)
  output logic              restart_o,       // R9.3
  output mode_e             mode_o,          // the walk's latched mode, LA and PCID (fills)
  output logic [63:0]       la_o,
  output logic [PCID_W-1:0] pcid_o,
  output logic              mem_read_o,      // an access accepted this cycle (counters)
  output logic              mem_cas_o
);

  localparam logic PHASE_WALK = 1'b0, PHASE_UPDATE = 1'b1;

  // ---- latched for the walk ----
  logic              busy_q, busy_d;
  mode_e             mode_q, mode_d;
  logic [63:0]       la_q, la_d;
  request_t          req_q, req_d;
  rights_ctl_t       ctl_q, ctl_d;
  logic              pse_q, pse_d, pge_q, pge_d;
  logic [63:0]       rsvd_base_q, rsvd_base_d;
  logic [15:0]       acc_bits_q, acc_bits_d;
  logic [63:0]       root_q, root_d;
  logic [3:0][63:0]  pdpte_q, pdpte_d;
  logic [PCID_W-1:0] pcid_q, pcid_d;
  // ---- progress ----
  logic              phase_q, phase_d;
  logic [2:0]        level_q, level_d;
  logic [63:0]       table_q, table_d;
  logic              cas_now_q, cas_now_d;
  logic              and_rw_q, and_rw_d, and_us_q, and_us_d, nl_rw_q, nl_rw_d, xd_q, xd_d;
  logic [5:0][63:0]  entry_q, entry_d, entry_pa_q, entry_pa_d, next_table_q, next_table_d;
  logic [5:0]        from_mem_q, from_mem_d;
  logic [5:0]        at_rw_q, at_rw_d, at_us_q, at_us_d, at_xd_q, at_xd_d;
  perm_t             perm_q, perm_d;
  logic [2:0]        leaf_level_q, leaf_level_d, upd_level_q, upd_level_d;
  // ---- the access in flight ----
  logic              mreq_valid_q, mreq_valid_d, waiting_q, waiting_d;
  logic [63:0]       maddr_q, maddr_d, mcmp_q, mcmp_d, mwdata_q, mwdata_d;
  mem_op_e           mop_q, mop_d;
  logic              msize8_q, msize8_d;
  logic [2:0]        mlevel_q, mlevel_d;

  // PAE PDPTEs carry no A flag and are never written (R6.4).
  function automatic logic has_a_flag(mode_e m, logic [2:0] l);
    return !(m == MODE_PAE && l == 3'(LVL_PDPT));
  endfunction

  function automatic page_size_e leaf_size(mode_e m, logic [2:0] l);
    if (l == 3'(LVL_PT)) return SIZE_4K;
    if (l == 3'(LVL_PD)) return (m == MODE_32) ? SIZE_4M : SIZE_2M;
    return SIZE_1G;
  endfunction

  // The deepest level any mode of this configuration walks: the per-level state above
  // it is never written, so synthesis removes it (and the muxes that read it).
  localparam int LMAX = HAS_LA57 ? LVL_PML5 : HAS_LONG ? LVL_PML4 : LVL_PDPT;
  function automatic logic level_kept(logic [2:0] l);
    return 32'(l) <= LMAX;
  endfunction

  always_comb begin
    logic [63:0] e, pa, frame;
    logic        step_valid, is_tbl, found;
    logic [2:0]  l, cas_l;
    logic [15:0] err;
    entry_class_e cls;
    response_t   res;
    page_size_e  sz;
    logic [1:0]  idx;

    // defaults: hold
    busy_d = busy_q;         mode_d = mode_q;        la_d = la_q;          req_d = req_q;
    ctl_d = ctl_q;           pse_d = pse_q;          pge_d = pge_q;        rsvd_base_d = rsvd_base_q;
    acc_bits_d = acc_bits_q; root_d = root_q;        pdpte_d = pdpte_q;    pcid_d = pcid_q;
    phase_d = phase_q;       level_d = level_q;      table_d = table_q;    cas_now_d = cas_now_q;
    and_rw_d = and_rw_q;     and_us_d = and_us_q;    nl_rw_d = nl_rw_q;    xd_d = xd_q;
    entry_d = entry_q;       entry_pa_d = entry_pa_q; next_table_d = next_table_q;
    from_mem_d = from_mem_q; at_rw_d = at_rw_q;      at_us_d = at_us_q;    at_xd_d = at_xd_q;
    perm_d = perm_q;         leaf_level_d = leaf_level_q; upd_level_d = upd_level_q;
    mreq_valid_d = mreq_valid_q; waiting_d = waiting_q;
    maddr_d = maddr_q;       mcmp_d = mcmp_q;        mwdata_d = mwdata_q;  mop_d = mop_q;
    msize8_d = msize8_q;     mlevel_d = mlevel_q;

    // Every local gets a value first: Yosys turns a local left holding its old value
    // into a combinational loop (it warned "found logic loop" on each of these).
    frame = '0;
    is_tbl = 1'b0;
    found = 1'b0;
    l = '0;
    cas_l = '0;
    err = '0;
    cls = ENT_NOT_PRESENT;
    sz = SIZE_4K;
    idx = '0;
    done_o = 1'b0;
    res = '0;
    restart_o = 1'b0;
    step_valid = 1'b0;
    e = '0;
    pa = '0;
    mem_read_o = 1'b0;
    mem_cas_o = 1'b0;

    // The memory port accepted the access in flight.
    if (mreq_valid_q && mem_req_ready_i) begin
      mreq_valid_d = 1'b0;
      waiting_d = 1'b1;
      mem_read_o = mop_q == MEM_READ;
      mem_cas_o = mop_q == MEM_CAS;
    end

    // ---- Stage 1: the event of this cycle ----
    if (start_i) begin
      // walk.c pw_walk_begin: latch everything the walk reads.
      busy_d = 1'b1;
      mode_d = mode_of(start_regs_i);
      la_d = la_truncate(mode_d, start_req_i.la);
      req_d = start_req_i;
      ctl_d = rights_ctl_of(start_regs_i);
      pse_d = start_regs_i.cr4[CR4_PSE];
      pge_d = start_regs_i.cr4[CR4_PGE];
      rsvd_base_d = rsvd_base(mode_d, ctl_d.nxe, MAXPHYADDR);
      acc_bits_d = access_err_bits(ctl_d, start_req_i);
      pdpte_d = start_pdpte_i;
      pcid_d = regs_pcid(start_regs_i);
      case (mode_d)                                          // R3.1-R3.3
        MODE_32:  root_d = start_regs_i.cr3 & bits_range(31, PAGE_SHIFT);
        MODE_PAE: root_d = start_regs_i.cr3 & bits_range(31, 5);
        default:  root_d = start_regs_i.cr3 & bits_range(MAXPHYADDR - 1, PAGE_SHIFT);
      endcase
      phase_d = PHASE_WALK;
      cas_now_d = 1'b0;
      from_mem_d = '0;
      if (start_level_i != 3'd0) begin
        level_d = start_level_i - 3'd1;
        table_d = start_table_i;
        and_rw_d = start_perm_i.rw;
        and_us_d = start_perm_i.us;
        nl_rw_d = start_perm_i.nonleaf_rw;
        xd_d = start_perm_i.xd;
      end else begin
        level_d = mode_levels(mode_d);
        table_d = root_d;
        {and_rw_d, and_us_d, nl_rw_d, xd_d} = 4'b1110;
      end
    end else if (busy_q && waiting_q && mem_rsp_valid_i) begin
      waiting_d = 1'b0;
      e = msize8_q ? mem_rsp_data_i : {32'd0, mem_rsp_data_i[31:0]};
      if (mem_rsp_err_i) begin
        // A failed access ends the walk: nothing cached, nothing invalidated.
        done_o = 1'b1;
        res.outcome = OUT_BUS;
        res.level = mlevel_q;
        res.entry_pa = maddr_q;
      end else if (mop_q == MEM_READ) begin
        step_valid = 1'b1;
        pa = maddr_q;
      end else if (e != mcmp_q) begin
        // R9.3: the entry changed under us; redo the walk from the root, no PSC.
        restart_o = 1'b1;
        phase_d = PHASE_WALK;
        cas_now_d = 1'b0;
        from_mem_d = '0;
        level_d = mode_levels(mode_q);
        table_d = root_q;
        {and_rw_d, and_us_d, nl_rw_d, xd_d} = 4'b1110;
      end else begin
        if (level_kept(mlevel_q)) entry_d[mlevel_q] = mwdata_q;
        if (phase_q == PHASE_WALK) begin
          cas_now_d = 1'b0;
          table_d = next_table_q[mlevel_q];
          level_d = mlevel_q - 3'd1;
        end else begin
          upd_level_d = mlevel_q - 3'd1;
          if (mlevel_q == leaf_level_q) perm_d.dirty = mwdata_q[PTE_D];
        end
      end
    end

    // ---- Stage 2: one entry read from memory (walk.c step_entry, R7.1) ----
    if (step_valid) begin
      l = level_d;
      if (level_kept(l)) begin
        entry_d[l] = e;
        entry_pa_d[l] = pa;
        from_mem_d[l] = 1'b1;
      end
      cls = classify(mode_d, l, pse_d, e, rsvd_base_d, HAS_1G, HAS_PSE36, MAXPHYADDR);
      if (cls == ENT_NOT_PRESENT || cls == ENT_RESERVED) begin
        done_o = 1'b1;
        res.outcome = OUT_PF;
        res.err_code = acc_bits_d;
        if (cls == ENT_RESERVED) begin
          res.err_code[PF_P] = 1'b1;
          res.err_code[PF_RSVD] = 1'b1;
        end
        res.level = l;
        res.raw_entry = e;
        res.entry_pa = pa;
      end else begin
        is_tbl = cls == ENT_TABLE;
        if (!(mode_d == MODE_PAE && l == 3'(LVL_PDPT))) begin   // R8.2; PDPTEs have no rights
          and_rw_d = and_rw_d & e[PTE_RW];
          and_us_d = and_us_d & e[PTE_US];
          if (ctl_d.nxe) xd_d = xd_d | e[PTE_XD];
          if (is_tbl) nl_rw_d = nl_rw_d & e[PTE_RW];
        end
        if (!is_tbl) begin
          perm_d.rw = and_rw_d;
          perm_d.us = and_us_d;
          perm_d.xd = xd_d;
          perm_d.nonleaf_rw = nl_rw_d;
          perm_d.dirty = e[PTE_D];
          perm_d.pk = (mode_d == MODE_4LVL || mode_d == MODE_5LVL) ? e[PTE_PK_LO +: 4] : 4'd0;  // R8.7
          leaf_level_d = l;
          err = rights_check(ctl_d, req_d, perm_d);              // R7.3
          if (err != '0) begin
            done_o = 1'b1;
            res.outcome = OUT_PF;
            res.err_code = err;
            res.level = l;
            res.raw_entry = e;
            res.entry_pa = pa;
          end else begin
            phase_d = PHASE_UPDATE;
            upd_level_d = mode_levels(mode_d);
          end
        end else begin
          if (level_kept(l)) begin
            at_rw_d[l] = and_rw_d;
            at_us_d[l] = and_us_d;
            at_xd_d[l] = xd_d;
            next_table_d[l] = entry_addr(mode_d, l, 1'b0, e, HAS_PSE36, MAXPHYADDR);
          end
          // R9.5 knob: QEMU sets A as each non-leaf entry passes its checks.
          if (AD_AS_WALKED && has_a_flag(mode_d, l) && !e[PTE_A]) begin
            cas_now_d = 1'b1;
          end else begin
            table_d = next_table_d[l];
            level_d = l - 3'd1;
          end
        end
      end
    end

    // ---- Stage 3: a PAE PDPTE register costs no access (R6.3) ----
    if (busy_d && !done_o && phase_d == PHASE_WALK && !cas_now_d && mode_d == MODE_PAE &&
        level_d == 3'(LVL_PDPT) && !PDPTE_ON_DEMAND) begin
      idx = la_d[31:30];
      e = pdpte_d[idx];
      pa = table_d + {59'd0, idx, 3'd0};
      entry_d[LVL_PDPT] = e;
      entry_pa_d[LVL_PDPT] = pa;
      from_mem_d[LVL_PDPT] = 1'b0;
      cls = classify(MODE_PAE, 3'(LVL_PDPT), pse_d, e, rsvd_base_d, HAS_1G, HAS_PSE36, MAXPHYADDR);
      if (cls != ENT_TABLE) begin
        done_o = 1'b1;
        res.outcome = OUT_PF;
        res.err_code = acc_bits_d;
        if (cls != ENT_NOT_PRESENT) begin
          res.err_code[PF_P] = 1'b1;
          res.err_code[PF_RSVD] = 1'b1;
        end
        res.level = 3'(LVL_PDPT);
        res.raw_entry = e;
        res.entry_pa = pa;
      end else begin
        at_rw_d[LVL_PDPT] = and_rw_d;
        at_us_d[LVL_PDPT] = and_us_d;
        at_xd_d[LVL_PDPT] = xd_d;
        next_table_d[LVL_PDPT] = entry_addr(MODE_PAE, 3'(LVL_PDPT), 1'b0, e, HAS_PSE36, MAXPHYADDR);
        table_d = next_table_d[LVL_PDPT];
        level_d = 3'(LVL_PD);
      end
    end

    // ---- Stage 4: the next access, or the end (walk.c next_access) ----
    fill_o = 1'b0;
    if (busy_d && !done_o && (start_i || (busy_q && waiting_q && mem_rsp_valid_i))) begin
      msize8_d = mode_d != MODE_32;
      if (phase_d == PHASE_WALK) begin
        mreq_valid_d = 1'b1;
        mlevel_d = level_d;
        if (cas_now_d) begin
          mop_d = MEM_CAS;
          maddr_d = entry_pa_d[level_d];
          mcmp_d = entry_d[level_d];
          mwdata_d = entry_d[level_d] | (64'd1 << PTE_A);
        end else begin
          mop_d = MEM_READ;
          maddr_d = table_d + {52'd0, entry_offset(mode_d, level_d, la_d)};
          mcmp_d = '0;
          mwdata_d = '0;
        end
      end else begin
        // R9.1-R9.3: one CAS per entry that needs it, top level first.
        found = 1'b0;
        cas_l = '0;
        for (int i = LMAX; i >= LVL_PT; i--) begin
          if (!found && 3'(i) <= upd_level_d && 3'(i) >= leaf_level_d && from_mem_d[i] &&
              has_a_flag(mode_d, 3'(i))) begin
            if (3'(i) == leaf_level_d) begin
              if (!entry_d[i][PTE_A] || (req_d.kind == ACC_WRITE && !entry_d[i][PTE_D])) begin
                found = 1'b1;
                cas_l = 3'(i);
              end
            end else if (!entry_d[i][PTE_A]) begin
              found = 1'b1;
              cas_l = 3'(i);
            end
          end
        end
        if (found) begin
          mreq_valid_d = 1'b1;
          mlevel_d = cas_l;
          mop_d = MEM_CAS;
          maddr_d = entry_pa_d[cas_l];
          mcmp_d = entry_d[cas_l];
          mwdata_d = entry_d[cas_l] | (64'd1 << PTE_A);
          if (cas_l == leaf_level_d && req_d.kind == ACC_WRITE) mwdata_d[PTE_D] = 1'b1;
          upd_level_d = cas_l;
        end else begin
          // walk.c finish_ok
          done_o = 1'b1;
          fill_o = 1'b1;
          l = leaf_level_d;
          sz = leaf_size(mode_d, l);
          frame = entry_addr(mode_d, l, 1'b1, entry_d[l], HAS_PSE36, MAXPHYADDR);
          res.outcome = OUT_OK;
          res.size = sz;
          res.pa = frame | (la_d & page_mask(sz));
          res.perm = perm_d;
          res.perm.dirty = entry_d[l][PTE_D];
          res.global_pg = entry_d[l][PTE_G] && pge_d;              // R11.4
          res.memtype = {entry_d[l][(l == 3'(LVL_PT)) ? PTE_PAT : PTE_PAT_LARGE],
                         entry_d[l][PTE_PCD], entry_d[l][PTE_PWT]};
          res.level = l;
          res.raw_entry = entry_d[l];
          res.entry_pa = entry_pa_d[l];
        end
      end
    end

    if (done_o) begin
      busy_d = 1'b0;
      mreq_valid_d = 1'b0;
    end
    result_o = res;
  end

  // What the walk leaves in the caches (mmu.c do_fill) and the #PF invalidation.
  always_comb begin
    page_size_e sz;
    logic [VPN_W-1:0] vmask;
    sz = result_o.size;
    vmask = vpn_mask(sz);
    fill_entry_o = '0;
    fill_entry_o.valid = 1'b1;
    fill_entry_o.vpn = la_d[PAGE_SHIFT +: VPN_W] & vmask;
    fill_entry_o.size = sz;
    fill_entry_o.pcid = pcid_d;
    fill_entry_o.global_pg = result_o.global_pg;
    fill_entry_o.pfn = result_o.pa[PAGE_SHIFT +: PFN_W] & vmask[PFN_W-1:0];
    fill_entry_o.perm = result_o.perm;
    fill_entry_o.memtype = result_o.memtype;
    fill_entry_o.level = result_o.level;
    for (int i = 0; i < 6; i++) begin
      psc_fill_o[i] = fill_o && i >= LVL_PD && 3'(i) > leaf_level_d && 3'(i) <= mode_levels(mode_d) &&
                      from_mem_d[i] && psc_level_used(mode_d, 3'(i));
      psc_table_o[i] = next_table_d[i];
      psc_perm_o[i] = '{rw: at_rw_d[i], us: at_us_d[i], xd: at_xd_d[i], nonleaf_rw: at_rw_d[i],
                        dirty: 1'b0, pk: 4'd0};
    end
    fault_flush_o = '{kind: (done_o && result_o.outcome == OUT_PF) ? FLUSH_FAULT : FLUSH_NONE,
                      pcid: pcid_d, la: la_d, mode: mode_d};
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;        mode_q <= MODE_NONE;    la_q <= '0;          req_q <= '0;
      ctl_q <= '0;           pse_q <= 1'b0;          pge_q <= 1'b0;       rsvd_base_q <= '0;
      acc_bits_q <= '0;      root_q <= '0;           pdpte_q <= '0;       pcid_q <= '0;
      phase_q <= PHASE_WALK; level_q <= '0;          table_q <= '0;       cas_now_q <= 1'b0;
      and_rw_q <= 1'b1;      and_us_q <= 1'b1;       nl_rw_q <= 1'b1;     xd_q <= 1'b0;
      entry_q <= '0;         entry_pa_q <= '0;       next_table_q <= '0;  from_mem_q <= '0;
      at_rw_q <= '0;         at_us_q <= '0;          at_xd_q <= '0;       perm_q <= '0;
      leaf_level_q <= '0;    upd_level_q <= '0;
      mreq_valid_q <= 1'b0;  waiting_q <= 1'b0;      maddr_q <= '0;       mcmp_q <= '0;
      mwdata_q <= '0;        mop_q <= MEM_READ;      msize8_q <= 1'b1;    mlevel_q <= '0;
    end else begin
      busy_q <= busy_d;      mode_q <= mode_d;       la_q <= la_d;        req_q <= req_d;
      ctl_q <= ctl_d;        pse_q <= pse_d;         pge_q <= pge_d;      rsvd_base_q <= rsvd_base_d;
      acc_bits_q <= acc_bits_d; root_q <= root_d;    pdpte_q <= pdpte_d;  pcid_q <= pcid_d;
      phase_q <= phase_d;    level_q <= level_d;     table_q <= table_d;  cas_now_q <= cas_now_d;
      and_rw_q <= and_rw_d;  and_us_q <= and_us_d;   nl_rw_q <= nl_rw_d;  xd_q <= xd_d;
      entry_q <= entry_d;    entry_pa_q <= entry_pa_d; next_table_q <= next_table_d;
      from_mem_q <= from_mem_d;
      at_rw_q <= at_rw_d;    at_us_q <= at_us_d;     at_xd_q <= at_xd_d;  perm_q <= perm_d;
      leaf_level_q <= leaf_level_d; upd_level_q <= upd_level_d;
      mreq_valid_q <= mreq_valid_d; waiting_q <= waiting_d; maddr_q <= maddr_d; mcmp_q <= mcmp_d;
      mwdata_q <= mwdata_d;  mop_q <= mop_d;         msize8_q <= msize8_d; mlevel_q <= mlevel_d;
    end
  end

  // A PSC entry caches no leaf attributes.
  logic unused_start_perm;
  assign unused_start_perm = ^{start_perm_i.dirty, start_perm_i.pk};

`ifdef PW_ASSERT
  // ---- Checks (STYLE.md "Assertions"), run by Verilator (--assert) and the formal proofs
  // (tb/formal). Labels: p1_* handshake, p4_* progress (docs/formal.md). They are
  // immediate checks on this cycle's values (always_comb), which the proofs read as
  // invariants of each state; what they need of the previous cycle is registered here
  // (explicit registers rather than $past: a synchronous use of the async reset is a lint
  // error, SYNCASYNCNET, and read_slang takes no check inside an async-reset block).
  logic        chk_stalled_q;   // last cycle an access was presented and not accepted
  logic [63:0] chk_maddr_q, chk_mcmp_q, chk_mwdata_q;
  logic        chk_msize8_q;
  mem_op_e     chk_mop_q;
  // The walk's accesses in the current pass (since the start or the last restart, R9.3).
  logic [3:0]  chk_pass_reads_q, chk_pass_cas_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      chk_stalled_q <= 1'b0;
      chk_maddr_q <= '0;
      chk_mcmp_q <= '0;
      chk_mwdata_q <= '0;
      chk_msize8_q <= 1'b0;
      chk_mop_q <= MEM_READ;
      chk_pass_reads_q <= '0;
      chk_pass_cas_q <= '0;
    end else begin
      chk_stalled_q <= mreq_valid_q && !mem_req_ready_i;
      chk_maddr_q <= maddr_q;
      chk_mcmp_q <= mcmp_q;
      chk_mwdata_q <= mwdata_q;
      chk_msize8_q <= msize8_q;
      chk_mop_q <= mop_q;
      if (start_i || restart_o) begin
        chk_pass_reads_q <= '0;
        chk_pass_cas_q <= '0;
      end else begin
        chk_pass_reads_q <= chk_pass_reads_q + 4'(mem_read_o);
        chk_pass_cas_q <= chk_pass_cas_q + 4'(mem_cas_o);
      end
    end
  end

  // Formal reads the checks as immediate (always_comb: an invariant of each state,
  // as induction needs); simulation samples them at the clock edge, so inputs a test
  // bench sets one by one between edges are never checked half-set.
`ifdef FORMAL
  always_comb begin
`else
  always_ff @(posedge clk_i or negedge rst_ni) begin
`endif
    if (rst_ni) begin
      // timing.md "Signals": at most one memory request outstanding; an access is
      // presented or awaited only during a walk.
      p1_one_outstanding: assert (!(mreq_valid_q && waiting_q))
        else $error("pw_walker: access presented while one is outstanding");
      p1_access_in_walk: assert (!(mreq_valid_q || waiting_q) || busy_q)
        else $error("pw_walker: access outside a walk");
      // With PAE PDPTE registers a walk resolves level 3 in the cycle it gets there
      // (stage 3, R6.3): stage 3 never fires in a cycle without an event, where it could
      // end the walk under a presented access (an invariant the induction of p1 needs).
      p1_pae_pdpte_resolved: assert (!(busy_q && mode_q == MODE_PAE && !PDPTE_ON_DEMAND &&
                                       phase_q == PHASE_WALK && !cas_now_q &&
                                       level_q == 3'(LVL_PDPT)))
        else $error("pw_walker: PAE walk waits at the PDPTE register");
      // ports.md: mem_req is stable until accepted, and valid stays high until then.
      if (chk_stalled_q) begin
        p1_mem_valid_held: assert (mreq_valid_q)
          else $error("pw_walker: mem_req_valid_o dropped before acceptance");
        p1_mem_stable: assert (maddr_q == chk_maddr_q && msize8_q == chk_msize8_q &&
                               mop_q == chk_mop_q && mcmp_q == chk_mcmp_q &&
                               mwdata_q == chk_mwdata_q)
          else $error("pw_walker: mem_req changed before acceptance");
      end
      // A walk never stalls: it presents an access or waits for one (timing.md §2).
      p4_no_stall: assert (!busy_q || mreq_valid_q || waiting_q)
        else $error("pw_walker: walk neither presents nor awaits an access");
      // One pass reads each level of the mode at most once (from the root or below a
      // PSC hit, timing.md §2) and CASes at most each entry it read (§4).
      p4_pass_reads: assert (!busy_q || 32'(chk_pass_reads_q) <= 32'(mode_levels(mode_q)))
        else $error("pw_walker: %0d reads in one pass", chk_pass_reads_q);
      p4_pass_cas: assert (chk_pass_cas_q <= chk_pass_reads_q)
        else $error("pw_walker: %0d CASes after %0d reads", chk_pass_cas_q, chk_pass_reads_q);
    end
  end
`endif

  assign busy_o = busy_q;
  assign mode_o = mode_d;
  assign la_o = la_d;
  assign pcid_o = pcid_d;
  assign mem_req_valid_o = mreq_valid_q;
  assign mem_req_addr_o = maddr_q;
  assign mem_req_size_o = msize8_q ? 4'd8 : 4'd4;
  assign mem_req_op_o = mop_q;
  assign mem_req_cmp_o = mcmp_q;
  assign mem_req_wdata_o = mwdata_q;

endmodule
