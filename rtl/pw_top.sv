// pagewalk top: request / response ports, TLB, paging-structure caches,
// walker, control registers and counters. Mirrors cmodel/src/mmu.c; the port
// list is docs/ports.md, the timing docs/timing.md.
module pw_top
  import pw_pkg::*;
#(
  parameter int TLB_ENTRIES     = 32,
  parameter int PSC_PDE         = 8,
  parameter int PSC_PDPTE       = 4,
  parameter int PSC_PML4E       = 2,
  parameter int PSC_PML5E       = 2,
  parameter int MAXPHYADDR      = 46,
  parameter bit HAS_1G          = 1'b1,
  parameter bit HAS_LONG        = 1'b1,   // 0: 32-bit and PAE paging only
  parameter bit HAS_PSE36       = 1'b1,
  parameter bit HAS_LA57        = 1'b1,
  parameter bit HAS_PCID        = 1'b1,
  parameter bit HAS_PKS         = 1'b1,
  parameter bit HAS_CET         = 1'b1,
  parameter bit AD_AS_WALKED    = 1'b0,
  parameter bit PDPTE_ON_DEMAND = 1'b0,
  parameter int CNT_W           = 64     // counter width: they count modulo 2^CNT_W
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // request
  input  logic              req_valid_i,
  output logic              req_ready_o,
  input  request_t          req_i,
  // response
  output logic              rsp_valid_o,
  output response_t         rsp_o,
  // memory
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
  // control
  input  logic              ctl_valid_i,
  input  ctl_kind_e         ctl_op_i,
  input  logic [63:0]       ctl_value_i,
  input  logic [63:0]       ctl_la_i,
  input  logic [1:0]        ctl_type_i,
  input  logic [3:0][63:0]  ctl_pdpte_i,
  // counters
  input  logic [3:0]        cnt_sel_i,
  output logic [63:0]       cnt_o
);

  // ---- Parameter legality (docs/ports.md) ----
  function automatic bit pow2_or_zero(int n);
    return n >= 0 && n <= 64 && (n & (n - 1)) == 0;
  endfunction
  if (!(TLB_ENTRIES >= 1 && pow2_or_zero(TLB_ENTRIES))) begin : gen_bad_tlb
    $error("pw_top: TLB_ENTRIES must be a power of two, 1..64");
  end
  if (!(pow2_or_zero(PSC_PDE) && pow2_or_zero(PSC_PDPTE) && pow2_or_zero(PSC_PML4E) &&
        pow2_or_zero(PSC_PML5E))) begin : gen_bad_psc
    $error("pw_top: PSC sizes must be 0 or a power of two up to 64");
  end
  if (HAS_LA57 && !HAS_LONG) begin : gen_bad_long
    $error("pw_top: HAS_LA57 needs HAS_LONG");
  end
  if (CNT_W < 16 || CNT_W > 64) begin : gen_bad_cnt_w
    $error("pw_top: CNT_W must be 16..64");
  end
  if (MAXPHYADDR < 32 || MAXPHYADDR > 52) begin : gen_bad_maxphy
    $error("pw_top: MAXPHYADDR must be 32..52");
  end
  // Features only gate which CR bits the core may set: the MMU honours whatever
  // legal state it is given.
  localparam bit UNUSED_FEATURES = HAS_LA57 ^ HAS_PCID ^ HAS_PKS ^ HAS_CET;

  localparam int NCNT = 16;
  localparam int C_REQUESTS = 0, C_HITS = 1, C_MISSES = 2, C_WALKS = 3, C_WALK_CYCLES = 4;
  localparam int C_MEM_READS = 5, C_MEM_CAS = 6, C_RESTARTS = 7, C_PSC_HITS = 6;  // + level
  localparam int C_FAULTS = 12, C_BUS_ERRORS = 13, C_FILLS_DROPPED = 14;

  // ---- Control registers ----
  regs_t            regs;
  logic [3:0][63:0] pdpte;
  flush_t           ctl_flush;
  pw_ctl #(
    .PDPTE_ON_DEMAND(PDPTE_ON_DEMAND), .HAS_LONG(HAS_LONG), .HAS_LA57(HAS_LA57), .HAS_PCID(HAS_PCID),
    .HAS_PKS(HAS_PKS), .HAS_CET(HAS_CET)
  ) u_ctl (
    .clk_i, .rst_ni, .ctl_valid_i, .ctl_op_i, .ctl_value_i, .ctl_la_i, .ctl_type_i, .ctl_pdpte_i,
    .regs_o(regs), .pdpte_o(pdpte), .flush_o(ctl_flush)
  );

  mode_e             mode;
  rights_ctl_t       ctl_now;
  logic [PCID_W-1:0] pcid_now;
  logic [63:0]       la_t;
  assign mode = mode_of(regs);
  assign ctl_now = rights_ctl_of(regs);
  assign pcid_now = regs_pcid(regs);
  assign la_t = la_truncate(mode, req_i.la);

  // ---- Walker ----
  logic              walk_busy, walk_start, walk_done, walk_fill, walk_restart, fill_dropped;
  logic              walk_mem_read, walk_mem_cas;
  response_t         walk_result;
  tlb_entry_t        walk_fill_entry;
  logic [5:0]        walk_psc_fill;
  logic [5:0][63:0]  walk_psc_table;
  perm_t [5:0]       walk_psc_perm;
  flush_t            walk_fault_flush;
  mode_e             walk_mode;
  logic [63:0]       walk_la;
  logic [PCID_W-1:0] walk_pcid;
  logic [2:0]        start_level;
  logic [63:0]       start_table;
  perm_t             start_perm;

  // ---- TLB ----
  localparam int TLB_IDX_W = (TLB_ENTRIES > 1) ? $clog2(TLB_ENTRIES) : 1;
  logic                 tlb_hit, tlb_touch, tlb_fill;
  logic [TLB_IDX_W-1:0] tlb_idx;
  tlb_entry_t           tlb_entry;
  logic [TLB_ENTRIES-1:0] tlb_valid;
  logic [TLB_IDX_W-1:0]   tlb_victim;
  pw_tlb #(.ENTRIES(TLB_ENTRIES)) u_tlb (
    .clk_i, .rst_ni,
    .lk_la_i(la_t), .lk_pcid_i(pcid_now), .lk_hit_o(tlb_hit), .lk_idx_o(tlb_idx),
    .lk_entry_o(tlb_entry),
    .touch_i(tlb_touch), .touch_idx_i(tlb_idx),
    .fill_i(tlb_fill), .fill_entry_i(walk_fill_entry),
    .flush_a_i(ctl_flush), .flush_b_i(walk_fault_flush),
    .valid_o(tlb_valid), .victim_o(tlb_victim)
  );

  // ---- Paging-structure caches, one per level 2..5 ----
  logic [5:0]       psc_hit, psc_touch, psc_fill_ok;
  logic [5:0][63:0] psc_table;
  perm_t [5:0]      psc_perm;
  localparam int PSC_SIZE [2:5] = '{PSC_PDE, PSC_PDPTE, PSC_PML4E, PSC_PML5E};
  for (genvar g = 2; g <= 5; g++) begin : gen_psc
    localparam int SLOTS = (PSC_SIZE[g] > 0) ? PSC_SIZE[g] : 1;
    localparam int PIDX_W = (SLOTS > 1) ? $clog2(SLOTS) : 1;
    logic [PIDX_W-1:0] lk_idx, victim;   // observation only
    logic [SLOTS-1:0]  valid;
    logic              unused_obs;
    assign unused_obs = ^{lk_idx, victim, valid};
    pw_psc #(.ENTRIES(PSC_SIZE[g]), .LEVEL(g)) u_psc (
      .clk_i, .rst_ni,
      .lk_mode_i(mode), .lk_la_i(la_t), .lk_pcid_i(pcid_now),
      .lk_hit_o(psc_hit[g]), .lk_idx_o(lk_idx), .lk_table_o(psc_table[g]), .lk_perm_o(psc_perm[g]),
      .touch_i(psc_touch[g]),
      .fill_i(psc_fill_ok[g]), .fill_mode_i(walk_mode), .fill_la_i(walk_la),
      .fill_pcid_i(walk_pcid), .fill_table_i(walk_psc_table[g]),
      .fill_perm_i(walk_psc_perm[g]),
      .flush_a_i(ctl_flush), .flush_b_i(walk_fault_flush),
      .valid_o(valid), .victim_o(victim)
    );
  end
  assign psc_hit[1:0] = '0;
  assign psc_table[1:0] = '0;
  assign psc_perm[1:0] = '0;

  // ---- The accept cycle (mmu.c pw_mmu_translate) ----
  logic        accept, trivial, hit_ok;
  response_t   trivial_rsp, hit_rsp;
  logic [15:0] hit_err;
  assign req_ready_o = !walk_busy;
  assign accept = req_valid_i && req_ready_o;
  assign hit_err = rights_check(ctl_now, req_i, tlb_entry.perm);
  // The TLB never delivers a fault, and a write through a clean entry re-walks (R11.2).
  assign hit_ok = tlb_hit && hit_err == '0 && !(req_i.kind == ACC_WRITE && !tlb_entry.perm.dirty);
  assign trivial = mode == MODE_NONE || !la_canonical(mode, req_i.la);
  assign walk_start = accept && !trivial && !hit_ok;
  assign tlb_touch = accept && !trivial && hit_ok;

  always_comb begin
    trivial_rsp = '0;
    if (mode == MODE_NONE) begin
      trivial_rsp.outcome = OUT_OK;                          // paging off: LA = PA
      trivial_rsp.pa = {32'd0, req_i.la[31:0]};
      trivial_rsp.size = SIZE_4K;
      trivial_rsp.perm = '{rw: 1'b1, us: 1'b1, xd: 1'b0, nonleaf_rw: 1'b1, dirty: 1'b1, pk: 4'd0};
    end else begin
      trivial_rsp.outcome = OUT_GP;                          // R2.1: no walk
    end
    hit_rsp = '0;
    hit_rsp.outcome = OUT_OK;
    hit_rsp.pa = ({{(64 - PFN_W - PAGE_SHIFT){1'b0}}, tlb_entry.pfn, {PAGE_SHIFT{1'b0}}}) |
                 (la_t & page_mask(tlb_entry.size));
    hit_rsp.size = tlb_entry.size;
    hit_rsp.perm = tlb_entry.perm;
    hit_rsp.global_pg = tlb_entry.global_pg;
    hit_rsp.memtype = tlb_entry.memtype;
    hit_rsp.level = tlb_entry.level;
  end

  // Deepest PSC hit among the levels the mode uses (psc.c pw_psc_lookup).
  always_comb begin
    start_level = '0;
    start_table = '0;
    start_perm = '0;
    psc_touch = '0;
    for (int l = 5; l >= 2; l--) begin
      if (psc_hit[l] && psc_level_used(mode, 3'(l))) begin
        start_level = 3'(l);
        start_table = psc_table[l];
        start_perm = psc_perm[l];
      end
    end
    if (walk_start && start_level != '0) psc_touch[start_level] = 1'b1;
  end

  pw_walker #(
    .MAXPHYADDR(MAXPHYADDR), .HAS_1G(HAS_1G), .HAS_PSE36(HAS_PSE36),
    .AD_AS_WALKED(AD_AS_WALKED), .PDPTE_ON_DEMAND(PDPTE_ON_DEMAND),
    .HAS_LONG(HAS_LONG), .HAS_LA57(HAS_LA57)
  ) u_walker (
    .clk_i, .rst_ni,
    .start_i(walk_start), .start_req_i(req_i), .start_regs_i(regs), .start_pdpte_i(pdpte),
    .start_level_i(start_level), .start_table_i(start_table), .start_perm_i(start_perm),
    .busy_o(walk_busy),
    .mem_req_valid_o, .mem_req_ready_i, .mem_req_addr_o, .mem_req_size_o, .mem_req_op_o,
    .mem_req_cmp_o, .mem_req_wdata_o, .mem_rsp_valid_i, .mem_rsp_data_i, .mem_rsp_err_i,
    .done_o(walk_done), .result_o(walk_result), .fill_o(walk_fill),
    .fill_entry_o(walk_fill_entry), .psc_fill_o(walk_psc_fill), .psc_table_o(walk_psc_table),
    .psc_perm_o(walk_psc_perm), .fault_flush_o(walk_fault_flush), .restart_o(walk_restart),
    .mode_o(walk_mode), .la_o(walk_la), .pcid_o(walk_pcid),
    .mem_read_o(walk_mem_read), .mem_cas_o(walk_mem_cas)
  );

  // ---- Epoch: any control operation from the accept cycle to the fill edge
  // cancels the fill (docs/timing.md §12) ----
  logic epoch_dirty_q, epoch_dirty_d;
  always_comb begin
    epoch_dirty_d = epoch_dirty_q;
    if (walk_start) epoch_dirty_d = ctl_valid_i;
    else if (walk_busy) epoch_dirty_d = epoch_dirty_q || ctl_valid_i;
  end
  assign fill_dropped = walk_fill && (walk_start ? ctl_valid_i : (epoch_dirty_q || ctl_valid_i));
  assign tlb_fill = walk_fill && !fill_dropped;
  assign psc_fill_ok = fill_dropped ? '0 : walk_psc_fill;   // PSC fills obey the epoch too

  // ---- Response register ----
  logic      rsp_valid_q, rsp_valid_d;
  response_t rsp_q, rsp_d;
  always_comb begin
    rsp_valid_d = 1'b0;
    rsp_d = rsp_q;
    if (walk_done) begin
      rsp_valid_d = 1'b1;
      rsp_d = walk_result;
    end else if (accept && trivial) begin
      rsp_valid_d = 1'b1;
      rsp_d = trivial_rsp;
    end else if (accept && hit_ok) begin
      rsp_valid_d = 1'b1;
      rsp_d = hit_rsp;
    end
  end

  // ---- Counters (mmu.h pw_counters) ----
  logic [NCNT-1:0][CNT_W-1:0] cnt_q, cnt_d;
  always_comb begin
    cnt_d = cnt_q;
    if (accept) cnt_d[C_REQUESTS] = cnt_q[C_REQUESTS] + 1'b1;
    if (tlb_touch) cnt_d[C_HITS] = cnt_q[C_HITS] + 1'b1;
    if (walk_start && !tlb_hit) cnt_d[C_MISSES] = cnt_q[C_MISSES] + 1'b1;
    if (walk_start) cnt_d[C_WALKS] = cnt_q[C_WALKS] + 1'b1;
    if (walk_start || walk_busy) cnt_d[C_WALK_CYCLES] = cnt_q[C_WALK_CYCLES] + 1'b1;
    if (walk_mem_read) cnt_d[C_MEM_READS] = cnt_q[C_MEM_READS] + 1'b1;
    if (walk_mem_cas) cnt_d[C_MEM_CAS] = cnt_q[C_MEM_CAS] + 1'b1;
    if (walk_restart) cnt_d[C_RESTARTS] = cnt_q[C_RESTARTS] + 1'b1;
    if (walk_start && start_level != '0)
      cnt_d[C_PSC_HITS + int'(start_level)] = cnt_q[C_PSC_HITS + int'(start_level)] + 1'b1;
    if (walk_done && walk_result.outcome == OUT_PF) cnt_d[C_FAULTS] = cnt_q[C_FAULTS] + 1'b1;
    if (walk_done && walk_result.outcome == OUT_BUS) cnt_d[C_BUS_ERRORS] = cnt_q[C_BUS_ERRORS] + 1'b1;
    if (fill_dropped) cnt_d[C_FILLS_DROPPED] = cnt_q[C_FILLS_DROPPED] + 1'b1;
  end
  assign cnt_o = 64'(cnt_q[cnt_sel_i]);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rsp_valid_q <= 1'b0;
      rsp_q <= '0;
      epoch_dirty_q <= 1'b0;
      cnt_q <= '0;
    end else begin
      rsp_valid_q <= rsp_valid_d;
      rsp_q <= rsp_d;
      epoch_dirty_q <= epoch_dirty_d;
      cnt_q <= cnt_d;
    end
  end

  assign rsp_valid_o = rsp_valid_q;
  assign rsp_o = rsp_q;

`ifdef PW_ASSERT
  // ---- Checks (STYLE.md "Assertions"), run by Verilator (--assert) and the formal proofs
  // (tb/formal); p3_*: no fill from an overtaken walk (docs/formal.md). ----
  // timing.md §8 epoch: a control operation in a cycle c with a <= c <= f (a: the walk's
  // accept cycle, f: its fill cycle) cancels every TLB and PSC fill of that walk; without
  // one, the walk fills. Watched from the ports, apart from the epoch logic above: "any
  // operation since the last accepted request" (no request is accepted from a+1 to f).
  logic chk_ctl_since_accept_q, chk_ctl_since_accept;
  assign chk_ctl_since_accept = ctl_valid_i || (!accept && chk_ctl_since_accept_q);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) chk_ctl_since_accept_q <= 1'b0;
    else chk_ctl_since_accept_q <= chk_ctl_since_accept;
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
      p3_no_fill_overtaken: assert (!(chk_ctl_since_accept && (tlb_fill || psc_fill_ok != '0)))
        else $error("pw_top: fill from a walk that a control operation overtook");
      p3_fill_kept: assert (!(walk_fill && !chk_ctl_since_accept) || tlb_fill)
        else $error("pw_top: fill dropped though no control operation came");
      // During a walk the epoch flag is the monitor's (an invariant the induction needs).
      p3_epoch_tracks: assert (!walk_busy || epoch_dirty_q == chk_ctl_since_accept_q)
        else $error("pw_top: epoch flag differs from the control operations seen");
    end
  end
`endif

  logic unused_top;
  // Levels 0-1 have no PSC; the hit path needs no tag fields of the entry.
  assign unused_top = ^{UNUSED_FEATURES, tlb_valid, tlb_victim, walk_psc_table[1:0],
                        walk_psc_perm[1:0], psc_touch[1:0], psc_fill_ok[1:0], tlb_entry.valid,
                        tlb_entry.vpn, tlb_entry.pcid};

endmodule
