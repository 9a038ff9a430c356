// One level of the paging-structure caches (R11.3, docs/tlb.md "Paging-structure
// caches"): fully associative, tree-PLRU, keyed by the LA bits above the region
// one entry at LEVEL maps, plus PCID; never global. Mirrors one `lvl[LEVEL]` of
// cmodel/include/pagewalk/psc.h and cmodel/src/psc.c.
//
// Entry: valid, key = psc_key(mode, LEVEL, la), pcid, table (PA of the next
// table, 4 KiB aligned and below 2^52: stored as PA[51:12]), perm (rights
// combined down to and including the cached entry).
//
//   lookup  lk_mode_i/lk_la_i/lk_pcid_i -> lk_hit_o, lk_idx_o, lk_table_o,
//           lk_perm_o (combinational). Match: valid && pcid == lk_pcid &&
//           key == psc_key(lk_mode, LEVEL, lk_la).
//   touch   touch_i: PLRU touch, at the edge, of the entry this cycle's lookup
//           hits (pw_psc_lookup touches the deepest hit level only; the caller
//           decides which level that is). No touch if the lookup misses.
//   fill    fill_i with fill_mode_i/fill_la_i/fill_pcid_i/fill_table_i/fill_perm_i
//           (pw_psc_fill): victim = lowest slot that is invalid or holds the same
//           (key, pcid), else the PLRU victim; every other slot holding the same
//           (key, pcid) is invalidated; touch(victim).
//   flush   flush_a_i, flush_b_i (psc.c flushes(), their union): ALL and
//           NONGLOBAL_ALL remove everything; CONTEXT, PCID_NONGLOBAL, PAGE and
//           PAGE_NONGLOBAL every entry of f.pcid; FAULT the entry of f.pcid whose
//           key is psc_key(f.mode, LEVEL, f.la).
//
// Which levels a mode uses (pw_psc_level_used) is the caller's decision: this
// module stores and compares whatever it is given. ENTRIES = 0 means no cache at
// this level: the lookup never hits and fills are ignored.
//
// Same-edge ordering, as in pw_tlb: a fill is applied before the flushes (which
// may remove the new entry); touch and flush both happen; touch and fill never
// coincide (timing.md §7) and if they do only the fill's touch is applied.
//
// valid_o and victim_o (the PLRU victim) are for the testbench and assertions.
module pw_psc
  import pw_pkg::*;
#(
  parameter  int ENTRIES = 8,
  parameter  int LEVEL   = 2,
  localparam int IDX_W   = (ENTRIES > 1) ? $clog2(ENTRIES) : 1,
  localparam int SLOTS   = (ENTRIES > 0) ? ENTRIES : 1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // Lookup
  input  mode_e             lk_mode_i,
  input  logic [63:0]       lk_la_i,
  input  logic [PCID_W-1:0] lk_pcid_i,
  output logic              lk_hit_o,
  output logic [IDX_W-1:0]  lk_idx_o,
  output logic [63:0]       lk_table_o,
  output perm_t             lk_perm_o,
  // PLRU touch of this cycle's hit
  input  logic              touch_i,
  // Fill
  input  logic              fill_i,
  input  mode_e             fill_mode_i,
  input  logic [63:0]       fill_la_i,
  input  logic [PCID_W-1:0] fill_pcid_i,
  input  logic [63:0]       fill_table_i,
  input  perm_t             fill_perm_i,
  // Invalidations
  input  flush_t            flush_a_i,
  input  flush_t            flush_b_i,
  // Observation
  output logic [SLOTS-1:0]  valid_o,
  output logic [IDX_W-1:0]  victim_o
);

  // ---- Parameter check (docs/tlb.md "Parameters", pw_config_check) ----
  if (ENTRIES < 0 || ENTRIES > 64 || (ENTRIES & (ENTRIES - 1)) != 0) begin : gen_bad_entries
    $fatal(1, "pw_psc: ENTRIES must be 0 or a power of two up to 64");
  end
  if (LEVEL < 2 || LEVEL > 5) begin : gen_bad_level
    $fatal(1, "pw_psc: LEVEL must be 2..5");
  end

  if (ENTRIES == 0) begin : gen_absent
    assign lk_hit_o   = 1'b0;
    assign lk_idx_o   = '0;
    assign lk_table_o = '0;
    assign lk_perm_o  = '0;
    assign valid_o    = '0;
    assign victim_o   = '0;

    logic unused_inputs;
    assign unused_inputs = ^{clk_i, rst_ni, lk_mode_i, lk_la_i, lk_pcid_i, touch_i, fill_i,
                             fill_mode_i, fill_la_i, fill_pcid_i, fill_table_i, fill_perm_i,
                             flush_a_i, flush_b_i};

  end else begin : gen_cache
    // Region shift of an entry at LEVEL (level_shift): 8-byte entries, and 32-bit paging.
    localparam int SHIFT    = PAGE_SHIFT + LEVEL_BITS * (LEVEL - 1);
    localparam int SHIFT_32 = PAGE_SHIFT + LEVEL_BITS_32 * (LEVEL - 1);
    // Widest key: a 57-bit (5-level) LA above SHIFT; 32-bit paging keys are shorter.
    localparam int KEY_W    = (LEVEL >= 2 && LEVEL <= 5) ? 57 - SHIFT : 1;
    localparam int TABLE_W  = PFN_W;   // PA[51:12]

    // psc_key(m, LEVEL, la) = la_truncate(m, la) >> level_shift(m, LEVEL), written
    // with the two constant shifts so that no barrel shifter is built.
    // la[63:57] is never part of a mode-truncated LA.
    function automatic logic [KEY_W-1:0] key_of(mode_e m, logic [56:0] la);
      logic [56:0] t;
      case (m)
        MODE_5LVL: t = la;
        MODE_4LVL: t = {9'd0, la[47:0]};
        default:   t = {25'd0, la[31:0]};
      endcase
      if (m == MODE_32) return KEY_W'(t >> SHIFT_32);
      return KEY_W'(t >> SHIFT);
    endfunction

    // ---- State: one packed array per field ----
    logic [ENTRIES-1:0]              valid_d, valid_q;
    logic [ENTRIES-1:0][KEY_W-1:0]   key_q;
    logic [ENTRIES-1:0][PCID_W-1:0]  pcid_q;
    logic [ENTRIES-1:0][TABLE_W-1:0] table_q;
    perm_t [ENTRIES-1:0]             perm_q;

    // ---- Lookup ----
    logic [KEY_W-1:0]   lk_key;
    logic [ENTRIES-1:0] hit_vec;
    logic [IDX_W-1:0]   hit_idx;
    logic [TABLE_W-1:0] hit_table;
    assign lk_key = key_of(lk_mode_i, lk_la_i[56:0]);

    always_comb begin
      for (int i = 0; i < ENTRIES; i++) begin
        hit_vec[i] = valid_q[i] && pcid_q[i] == lk_pcid_i && key_q[i] == lk_key;
      end
    end

    // At most one entry matches (the fill keeps it so): the payload mux is an OR.
    always_comb begin
      hit_idx   = '0;
      hit_table = '0;
      lk_perm_o = '0;
      for (int i = 0; i < ENTRIES; i++) begin
        hit_idx   |= {IDX_W{hit_vec[i]}} & IDX_W'(i);
        hit_table |= {TABLE_W{hit_vec[i]}} & table_q[i];
        lk_perm_o |= {$bits(perm_t){hit_vec[i]}} & perm_q[i];
      end
    end
    assign lk_hit_o   = |hit_vec;
    assign lk_idx_o   = hit_idx;
    assign lk_table_o = {{(64 - PAGE_SHIFT - TABLE_W){1'b0}}, hit_table, {PAGE_SHIFT{1'b0}}};

    // ---- Fill (psc.c pw_psc_fill) ----
    logic [KEY_W-1:0]   fill_key;
    logic [ENTRIES-1:0] same, cand, fill_wr;
    logic [IDX_W-1:0]   first_cand, plru_victim, fill_victim;
    assign fill_key = key_of(fill_mode_i, fill_la_i[56:0]);

    always_comb begin
      for (int i = 0; i < ENTRIES; i++) begin
        same[i] = valid_q[i] && key_q[i] == fill_key && pcid_q[i] == fill_pcid_i;
      end
      cand = ~valid_q | same;
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

    // ---- Invalidations (psc.c flushes), applied to the state after the fill ----
    // What each kind requires of an entry (PSC entries are never global):
    //   ALL, NONGLOBAL_ALL                                   every entry
    //   CONTEXT, PCID_NONGLOBAL, PAGE, PAGE_NONGLOBAL        pcid == p
    //   FAULT                                                pcid == p and
    //                                                        key == psc_key(f.mode, LEVEL, la)
    logic [1:0]              f_any, f_own, f_key;
    logic [1:0][PCID_W-1:0]  f_pcid;
    logic [1:0][KEY_W-1:0]   f_keyval;
    always_comb begin
      flush_kind_e kind;
      for (int k = 0; k < 2; k++) begin
        kind        = (k == 0) ? flush_a_i.kind : flush_b_i.kind;
        f_any[k]    = kind != FLUSH_NONE;
        f_own[k]    = kind inside {FLUSH_CONTEXT, FLUSH_PCID_NONGLOBAL, FLUSH_PAGE,
                                   FLUSH_PAGE_NONGLOBAL, FLUSH_FAULT};
        f_key[k]    = kind == FLUSH_FAULT;
        f_pcid[k]   = (k == 0) ? flush_a_i.pcid : flush_b_i.pcid;
        f_keyval[k] = (k == 0) ? key_of(flush_a_i.mode, flush_a_i.la[56:0])
                               : key_of(flush_b_i.mode, flush_b_i.la[56:0]);
      end
    end

    // A slot the fill writes is judged on the new entry, any other slot on its own.
    logic               new_flushed;
    logic [ENTRIES-1:0] old_flushed;
    always_comb begin
      new_flushed = 1'b0;
      old_flushed = '0;
      for (int k = 0; k < 2; k++) begin
        new_flushed |= f_any[k] && (!f_own[k] || fill_pcid_i == f_pcid[k])
                    && (!f_key[k] || fill_key == f_keyval[k]);
        for (int i = 0; i < ENTRIES; i++) begin
          old_flushed[i] |= f_any[k] && (!f_own[k] || pcid_q[i] == f_pcid[k])
                         && (!f_key[k] || key_q[i] == f_keyval[k]);
        end
      end
    end

    // Invalidation clears valid bits only, never the PLRU.
    always_comb begin
      for (int i = 0; i < ENTRIES; i++) begin
        if (fill_wr[i]) begin
          valid_d[i] = !new_flushed;
        end else begin
          valid_d[i] = valid_q[i] && !(fill_i && same[i]) && !old_flushed[i];
        end
      end
    end

    // ---- Replacement ----
    pw_plru #(.WAYS(ENTRIES)) u_plru (
      .clk_i,
      .rst_ni,
      .touch_i    (fill_i || (touch_i && lk_hit_o)),
      .touch_way_i(fill_i ? fill_victim : hit_idx),
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
          key_q[i]   <= fill_key;
          pcid_q[i]  <= fill_pcid_i;
          table_q[i] <= fill_table_i[PAGE_SHIFT+TABLE_W-1:PAGE_SHIFT];
          perm_q[i]  <= fill_perm_i;
        end
      end
    end

    // Bits a mode-truncated LA leaves zero, a table address's page offset and the
    // bits above PA[51]; the key's LA bits below SHIFT are dropped by key_of.
    logic unused_bits;
    assign unused_bits = ^{lk_la_i[63:57], fill_la_i[63:57], flush_a_i.la[63:57],
                           flush_b_i.la[63:57], fill_table_i[63:PAGE_SHIFT+TABLE_W],
                           fill_table_i[PAGE_SHIFT-1:0]};

`ifdef PW_ASSERT
    logic [63:0] lk_key_model;
    assign lk_key_model = psc_key(lk_mode_i, 3'(LEVEL), lk_la_i);

    // docs/tlb.md invariants: at most one entry per (key, pcid) matches; the
    // constant-shift key equals psc_key; a touch is a hit's, never a fill's cycle.
    // Formal reads the checks as immediate (always_comb: an invariant of each state,
    // as induction needs); simulation samples them at the clock edge, so inputs a test
    // bench sets one by one between edges are never checked half-set.
`ifdef FORMAL
    always_comb begin
`else
    always_ff @(posedge clk_i or negedge rst_ni) begin
`endif
      if (rst_ni) begin
        p2_psc_one_hit: assert ($onehot0(hit_vec))
          else $error("pw_psc L%0d: %0d entries match", LEVEL, $countones(hit_vec));
        p2_psc_key: assert (lk_key_model == 64'(lk_key))
          else $error("pw_psc L%0d: key %h != psc_key %h", LEVEL, lk_key, lk_key_model);
        p2_psc_touch_hit: assert (!touch_i || lk_hit_o)
          else $error("pw_psc L%0d: touch without a hit", LEVEL);
        p2_psc_fill_touch: assert (!(fill_i && touch_i))
          else $error("pw_psc L%0d: fill and hit touch in the same cycle", LEVEL);
      end
    end
`endif
`ifdef FORMAL
    // The invariant behind p2_psc_one_hit: valid entries hold distinct (key, pcid)
    // (the fill's `same` rule above). Inductive, unlike $onehot0(hit_vec) (tb/formal).
    always_comb begin
      if (rst_ni) begin
        for (int i = 0; i < ENTRIES; i++) begin
          for (int j = i + 1; j < ENTRIES; j++) begin
            p2_psc_distinct: assert (!(valid_q[i] && valid_q[j] && key_q[i] == key_q[j] &&
                                       pcid_q[i] == pcid_q[j]));
          end
        end
      end
    end
`endif
  end

endmodule
