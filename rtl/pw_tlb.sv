// The TLB (docs/tlb.md): fully associative, one entry per page of any size,
// PCID and global tags (R11.2, R11.4), tree-PLRU replacement. Mirrors
// cmodel/include/pagewalk/tlb.h and cmodel/src/tlb.c entry for entry.
//
// Ports, all in one cycle:
//   lookup  lk_la_i/lk_pcid_i -> lk_hit_o, lk_idx_o, lk_entry_o (combinational,
//           pw_tlb_lookup). lk_la_i is the mode-truncated LA (pw_la_truncate), so
//           bits 63:57 are zero; only LA[56:12] is compared.
//   touch   touch_i/touch_idx_i: PLRU touch at the edge (pw_tlb_touch, a hit).
//   fill    fill_i/fill_entry_i: insert at the edge (pw_tlb_fill). The entry's
//           valid bit is ignored (the slot becomes valid) and its vpn is masked
//           to its size here.
//   flush   flush_a_i, flush_b_i: two invalidations at the edge (pw_tlb_flush of
//           each; their union). FLUSH_NONE does nothing.
//
// Same-edge ordering (documented choice):
//   - fill and flush: the fill is applied first, then both flushes, so a flush
//     may remove the entry the fill writes. (The model never does both at once
//     except that the control port's flush wins over a fill, timing.md §7: the
//     walker drops such fills itself; a FAULT flush never coincides with a fill.)
//   - touch and flush: both (flushes never change the PLRU).
//   - touch and fill: never happen together (timing.md §7: a fill never coincides
//     with a hit's PLRU touch). If they do, only the fill's touch of its victim
//     is applied; PW_ASSERT flags it.
//
// valid_o and victim_o (the PLRU victim) are for the testbench and assertions.
module pw_tlb
  import pw_pkg::*;
#(
  parameter  int ENTRIES = 32,
  localparam int IDX_W   = (ENTRIES > 1) ? $clog2(ENTRIES) : 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // Lookup
  input  logic [63:0]       lk_la_i,
  input  logic [PCID_W-1:0] lk_pcid_i,
  output logic              lk_hit_o,
  output logic [IDX_W-1:0]  lk_idx_o,
  output tlb_entry_t        lk_entry_o,
  // PLRU touch of a hit
  input  logic              touch_i,
  input  logic [IDX_W-1:0]  touch_idx_i,
  // Fill
  input  logic              fill_i,
  input  tlb_entry_t        fill_entry_i,
  // Invalidations
  input  flush_t            flush_a_i,
  input  flush_t            flush_b_i,
  // Observation
  output logic [ENTRIES-1:0] valid_o,
  output logic [IDX_W-1:0]  victim_o
);

  // ---- Parameter check (docs/tlb.md "Parameters", pw_config_check) ----
  if (ENTRIES < 1 || ENTRIES > 64 || (ENTRIES & (ENTRIES - 1)) != 0) begin : gen_bad_entries
    $fatal(1, "pw_tlb: ENTRIES must be a power of two, 1..64");
  end

  // ---- State: one packed array per field (toolchain.md) ----
  logic [ENTRIES-1:0]              valid_d, valid_q;
  logic [ENTRIES-1:0][VPN_W-1:0]   vpn_q;
  page_size_e [ENTRIES-1:0]        size_q;
  logic [ENTRIES-1:0][PCID_W-1:0]  pcid_q;
  logic [ENTRIES-1:0]              global_q;
  logic [ENTRIES-1:0][PFN_W-1:0]   pfn_q;
  perm_t [ENTRIES-1:0]             perm_q;
  logic [ENTRIES-1:0][2:0]         memtype_q;
  logic [ENTRIES-1:0][2:0]         level_q;

  // Each entry's compare mask (the model's e.vpn_mask), computed once.
  logic [ENTRIES-1:0][VPN_W-1:0] mask;
  always_comb begin
    for (int i = 0; i < ENTRIES; i++) begin
      mask[i] = vpn_mask(size_q[i]);
    end
  end

  // ---- Lookup: matches(e, la, pcid) = valid && (global || pcid == e.pcid) && same page ----
  logic [VPN_W-1:0]   lk_vpn;
  logic [ENTRIES-1:0] hit_vec;
  assign lk_vpn = lk_la_i[PAGE_SHIFT+VPN_W-1:PAGE_SHIFT];   // the model's la >> 12

  always_comb begin
    for (int i = 0; i < ENTRIES; i++) begin
      hit_vec[i] = valid_q[i] && (global_q[i] || pcid_q[i] == lk_pcid_i)
                && ((lk_vpn ^ vpn_q[i]) & mask[i]) == '0;   // same_page
    end
  end

  // At most one entry matches (the fill keeps it so): the payload mux is an OR,
  // field by field.
  logic [VPN_W-1:0]  hit_vpn;
  logic [1:0]        hit_size;
  logic [PCID_W-1:0] hit_pcid;
  logic              hit_global;
  logic [PFN_W-1:0]  hit_pfn;
  logic [8:0]        hit_perm;
  logic [2:0]        hit_memtype, hit_level;
  always_comb begin
    lk_idx_o    = '0;
    hit_vpn     = '0;
    hit_size    = '0;
    hit_pcid    = '0;
    hit_global  = 1'b0;
    hit_pfn     = '0;
    hit_perm    = '0;
    hit_memtype = '0;
    hit_level   = '0;
    for (int i = 0; i < ENTRIES; i++) begin
      lk_idx_o    |= {IDX_W{hit_vec[i]}} & IDX_W'(i);
      hit_vpn     |= {VPN_W{hit_vec[i]}} & vpn_q[i];
      hit_size    |= {2{hit_vec[i]}} & size_q[i];
      hit_pcid    |= {PCID_W{hit_vec[i]}} & pcid_q[i];
      hit_global  |= hit_vec[i] & global_q[i];
      hit_pfn     |= {PFN_W{hit_vec[i]}} & pfn_q[i];
      hit_perm    |= {9{hit_vec[i]}} & perm_q[i];
      hit_memtype |= {3{hit_vec[i]}} & memtype_q[i];
      hit_level   |= {3{hit_vec[i]}} & level_q[i];
    end
  end

  always_comb begin
    lk_entry_o           = '0;
    lk_entry_o.valid     = lk_hit_o;
    lk_entry_o.vpn       = hit_vpn;
    lk_entry_o.size      = page_size_e'(hit_size);
    lk_entry_o.pcid      = hit_pcid;
    lk_entry_o.global_pg = hit_global;
    lk_entry_o.pfn       = hit_pfn;
    lk_entry_o.perm      = perm_t'(hit_perm);
    lk_entry_o.memtype   = hit_memtype;
    lk_entry_o.level     = hit_level;
  end
  assign lk_hit_o = |hit_vec;

  // ---- Fill (tlb.c pw_tlb_fill) ----
  // overlap(e, ne) = e.valid && (e.global || ne.global || e.pcid == ne.pcid)
  //               && ((e.vpn ^ ne.vpn) & vpn_mask(e.size) & vpn_mask(ne.size)) == 0
  // 1. victim = lowest entry that is invalid or overlaps ne, else the PLRU victim;
  // 2. every other overlapping entry is invalidated; 3. ne goes into the victim;
  // 4. touch(victim).
  tlb_entry_t         ne;
  logic [VPN_W-1:0]   ne_mask;
  logic [ENTRIES-1:0] overlap, cand, fill_wr;
  logic [IDX_W-1:0]   first_cand, plru_victim, fill_victim;

  assign ne_mask = vpn_mask(fill_entry_i.size);
  always_comb begin
    ne     = fill_entry_i;   // ne.valid is ignored: the slot becomes valid
    ne.vpn = fill_entry_i.vpn & ne_mask;
  end

  always_comb begin
    for (int i = 0; i < ENTRIES; i++) begin
      overlap[i] = valid_q[i] && (global_q[i] || ne.global_pg || pcid_q[i] == ne.pcid)
                && ((vpn_q[i] ^ ne.vpn) & mask[i] & ne_mask) == '0;
    end
    cand = ~valid_q | overlap;
  end

  always_comb begin
    first_cand = '0;
    for (int i = ENTRIES - 1; i >= 0; i--) begin
      if (cand[i]) first_cand = IDX_W'(i);
    end
  end
  assign fill_victim = (|cand) ? first_cand : plru_victim;

  always_comb begin
    for (int i = 0; i < ENTRIES; i++) begin
      fill_wr[i] = fill_i && fill_victim == IDX_W'(i);
    end
  end

  // ---- Invalidations (tlb.c flushes), applied to the state after the fill ----
  // What each kind requires of an entry, decoded once per port:
  //   kind             global entries   non-global entries   and
  //   ALL              removed          every PCID
  //   CONTEXT          removed          pcid == p
  //   PCID_NONGLOBAL   kept             pcid == p
  //   NONGLOBAL_ALL    kept             every PCID
  //   PAGE, FAULT      removed          pcid == p            the entry's page holds la
  //   PAGE_NONGLOBAL   kept             pcid == p            the entry's page holds la
  // "Holds la" uses the entry's own size: ((la >> 12) & vpn_mask(e.size)) == e.vpn.
  logic [1:0]                  f_any, f_glob, f_own, f_page;
  logic [1:0][PCID_W-1:0]      f_pcid;
  logic [1:0][VPN_W-1:0]       f_vpn;
  always_comb begin
    flush_kind_e kind;
    for (int k = 0; k < 2; k++) begin
      kind      = (k == 0) ? flush_a_i.kind : flush_b_i.kind;
      f_any[k]  = kind != FLUSH_NONE;
      f_glob[k] = kind inside {FLUSH_ALL, FLUSH_CONTEXT, FLUSH_PAGE, FLUSH_FAULT};
      f_own[k]  = kind inside {FLUSH_CONTEXT, FLUSH_PCID_NONGLOBAL, FLUSH_PAGE,
                               FLUSH_PAGE_NONGLOBAL, FLUSH_FAULT};
      f_page[k] = kind inside {FLUSH_PAGE, FLUSH_PAGE_NONGLOBAL, FLUSH_FAULT};
      f_pcid[k] = (k == 0) ? flush_a_i.pcid : flush_b_i.pcid;
      f_vpn[k]  = (k == 0) ? flush_a_i.la[PAGE_SHIFT+VPN_W-1:PAGE_SHIFT]
                           : flush_b_i.la[PAGE_SHIFT+VPN_W-1:PAGE_SHIFT];
    end
  end

  // A slot the fill writes is judged on the new entry, any other slot on its own.
  logic               ne_flushed;
  logic [ENTRIES-1:0] old_flushed;
  always_comb begin
    ne_flushed  = 1'b0;
    old_flushed = '0;
    for (int k = 0; k < 2; k++) begin
      ne_flushed |= f_any[k]
                 && (ne.global_pg ? f_glob[k] : (!f_own[k] || ne.pcid == f_pcid[k]))
                 && (!f_page[k] || ((f_vpn[k] ^ ne.vpn) & ne_mask) == '0);
      for (int i = 0; i < ENTRIES; i++) begin
        old_flushed[i] |= f_any[k]
                       && (global_q[i] ? f_glob[k] : (!f_own[k] || pcid_q[i] == f_pcid[k]))
                       && (!f_page[k] || ((f_vpn[k] ^ vpn_q[i]) & mask[i]) == '0);
      end
    end
  end

  // Invalidation clears valid bits only, never the PLRU.
  always_comb begin
    for (int i = 0; i < ENTRIES; i++) begin
      if (fill_wr[i]) begin
        valid_d[i] = !ne_flushed;
      end else begin
        valid_d[i] = valid_q[i] && !(fill_i && overlap[i]) && !old_flushed[i];
      end
    end
  end

  // ---- Replacement ----
  pw_plru #(.WAYS(ENTRIES)) u_plru (
    .clk_i,
    .rst_ni,
    .touch_i    (fill_i || touch_i),
    .touch_way_i(fill_i ? fill_victim : touch_idx_i),
    .victim_o   (plru_victim)
  );

  assign valid_o  = valid_q;
  assign victim_o = plru_victim;

  // ---- Registers ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
    end else begin
      valid_q <= valid_d;
    end
  end

  // Payload: written only by a fill, no reset (an invalid slot is never read).
  for (genvar i = 0; i < ENTRIES; i++) begin : gen_slot
    always_ff @(posedge clk_i) begin
      if (fill_wr[i]) begin
        vpn_q[i]     <= ne.vpn;
        size_q[i]    <= ne.size;
        pcid_q[i]    <= ne.pcid;
        global_q[i]  <= ne.global_pg;
        pfn_q[i]     <= ne.pfn;
        perm_q[i]    <= ne.perm;
        memtype_q[i] <= ne.memtype;
        level_q[i]   <= ne.level;
      end
    end
  end

  // Bits the organisation does not compare: the LA's page offset and the bits a
  // mode-truncated LA leaves zero; the flush mode (used by the PSCs only).
  logic unused_bits;
  assign unused_bits = ^{lk_la_i[63:PAGE_SHIFT+VPN_W], lk_la_i[PAGE_SHIFT-1:0],
                         flush_a_i.la[63:PAGE_SHIFT+VPN_W], flush_a_i.la[PAGE_SHIFT-1:0],
                         flush_b_i.la[63:PAGE_SHIFT+VPN_W], flush_b_i.la[PAGE_SHIFT-1:0],
                         flush_a_i.mode, flush_b_i.mode, ne.valid};

`ifdef PW_ASSERT
  // docs/tlb.md invariants: at most one entry matches any (la, pcid); a fill
  // never coincides with a hit's touch (timing.md §7).
  // Formal reads the checks as immediate (always_comb: an invariant of each state,
  // as induction needs); simulation samples them at the clock edge, so inputs a test
  // bench sets one by one between edges are never checked half-set.
`ifdef FORMAL
  always_comb begin
`else
  always_ff @(posedge clk_i or negedge rst_ni) begin
`endif
    if (rst_ni) begin
      p2_tlb_one_hit: assert ($onehot0(hit_vec))
        else $error("pw_tlb: %0d entries match la %h pcid %h", $countones(hit_vec),
                    lk_la_i, lk_pcid_i);
      p2_tlb_fill_touch: assert (!(fill_i && touch_i))
        else $error("pw_tlb: fill and hit touch in the same cycle");
    end
  end
`endif
`ifdef FORMAL
  // The invariant behind p2_tlb_one_hit, for any lookup: no two valid entries overlap
  // (the fill's overlap rule above). Two entries that both match one (la, pcid) overlap,
  // so this implies $onehot0(hit_vec); unlike it, it is inductive (tb/formal). Formal
  // only: ENTRIES^2 comparators per cycle would slow the co-simulation for nothing.
  always_comb begin
    if (rst_ni) begin
      for (int i = 0; i < ENTRIES; i++) begin
        for (int j = i + 1; j < ENTRIES; j++) begin
          p2_tlb_disjoint: assert (!(valid_q[i] && valid_q[j] &&
                                     (global_q[i] || global_q[j] || pcid_q[i] == pcid_q[j]) &&
                                     ((vpn_q[i] ^ vpn_q[j]) & mask[i] & mask[j]) == '0));
        end
      end
    end
  end
`endif

endmodule
