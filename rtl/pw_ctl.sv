// Control registers and the invalidation each control operation implies.
// Mirrors cmodel/src/regs.c for legal operations (the core checks #GP first):
// how MOV CR0/CR3/CR4 and WRMSR EFER change the registers, when PAE PDPTEs are
// reloaded (R6.1) and which flush follows (R11.5).
module pw_ctl
  import pw_pkg::*;
#(
  parameter bit PDPTE_ON_DEMAND = 1'b0,
  parameter bit HAS_LONG        = 1'b1,
  parameter bit HAS_LA57        = 1'b1,
  parameter bit HAS_PCID        = 1'b1,
  parameter bit HAS_PKS         = 1'b1,
  parameter bit HAS_CET         = 1'b1
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              ctl_valid_i,
  input  ctl_kind_e         ctl_op_i,
  input  logic [63:0]       ctl_value_i,
  input  logic [63:0]       ctl_la_i,
  input  logic [1:0]        ctl_type_i,
  input  logic [3:0][63:0]  ctl_pdpte_i,
  output regs_t             regs_o,
  output logic [3:0][63:0]  pdpte_o,
  output flush_t            flush_o     // the operation's invalidation, applied at this edge
);

  localparam logic [63:0] CR0_PDPTR_BITS = (64'd1 << CR0_PG) | (64'd1 << CR0_CD) | (64'd1 << CR0_NW);
  localparam logic [63:0] CR4_PDPTR_BITS = (64'd1 << CR4_PGE) | (64'd1 << CR4_PSE) |
                                           (64'd1 << CR4_PAE) | (64'd1 << CR4_SMEP);
  localparam logic [1:0] INVPCID_ADDR = 2'd0, INVPCID_SINGLE = 2'd1, INVPCID_ALL_GLOBAL = 2'd2;

  regs_t regs_q, regs_d;
  logic [3:0][63:0] pdpte_q, pdpte_d;
  flush_t flush;

  always_comb begin
    regs_t nx;
    logic reload, noflush;
    logic [63:0] chg;
    mode_e m_old;
    // locals first: Yosys makes a local that keeps its old value a combinational loop
    nx = regs_q;
    reload = 1'b0;
    noflush = 1'b0;
    chg = '0;
    m_old = mode_of(regs_q);
    flush = '{kind: FLUSH_NONE, pcid: '0, la: '0, mode: m_old};
    if (ctl_valid_i) begin
      case (ctl_op_i)
        CTL_MOV_CR0: begin
          nx.cr0 = ctl_value_i;
          nx.efer[EFER_LMA] = ctl_value_i[CR0_PG] && regs_q.efer[EFER_LME];
          if (!nx.efer[EFER_LMA]) nx.cr3 = {32'd0, nx.cr3[31:0]};
          reload = ((regs_q.cr0 ^ ctl_value_i) & CR0_PDPTR_BITS) != '0;
          if (regs_q.cr0[CR0_PG] && !ctl_value_i[CR0_PG]) flush.kind = FLUSH_ALL;   // R11.5
        end
        CTL_MOV_CR3: begin
          if (regs_q.efer[EFER_LMA]) begin
            nx.cr3 = ctl_value_i;
            if (regs_q.cr4[CR4_PCIDE]) begin
              noflush = ctl_value_i[CR3_NOFLUSH];                                  // R3.4
              nx.cr3[CR3_NOFLUSH] = 1'b0;
            end
          end else begin
            nx.cr3 = {32'd0, ctl_value_i[31:0]};                                   // R3.1, R3.2
          end
          reload = 1'b1;
          if (!noflush) begin
            flush.kind = FLUSH_PCID_NONGLOBAL;
            flush.pcid = regs_pcid(nx);
          end
        end
        CTL_MOV_CR4: begin
          chg = regs_q.cr4 ^ ctl_value_i;
          nx.cr4 = ctl_value_i;
          reload = (chg & CR4_PDPTR_BITS) != '0;
          if (chg[CR4_PGE] || (regs_q.cr4[CR4_PCIDE] && !ctl_value_i[CR4_PCIDE])) begin
            flush.kind = FLUSH_ALL;
          end else if (chg[CR4_PAE] || (ctl_value_i[CR4_SMEP] && !regs_q.cr4[CR4_SMEP])) begin
            flush.kind = FLUSH_CONTEXT;
            flush.pcid = regs_pcid(nx);
          end
        end
        CTL_WRMSR_EFER: begin
          nx.efer = ctl_value_i;                       // LMA is read-only
          nx.efer[EFER_LMA] = regs_q.efer[EFER_LMA];
        end
        CTL_WRPKRU: nx.pkru = ctl_value_i[31:0];
        CTL_WRPKRS: nx.pkrs = ctl_value_i[31:0];
        CTL_INVLPG: begin
          if (la_canonical(m_old, ctl_la_i)) begin    // a non-canonical INVLPG is a NOP
            flush.kind = FLUSH_PAGE;
            flush.pcid = regs_pcid(regs_q);
            flush.la = la_truncate(m_old, ctl_la_i);
          end
        end
        CTL_INVPCID: begin
          flush.pcid = ctl_value_i[PCID_W-1:0];
          flush.la = la_truncate(m_old, ctl_la_i);
          case (ctl_type_i)
            INVPCID_ADDR:       flush.kind = FLUSH_PAGE_NONGLOBAL;
            INVPCID_SINGLE:     flush.kind = FLUSH_PCID_NONGLOBAL;
            INVPCID_ALL_GLOBAL: flush.kind = FLUSH_ALL;
            default:            flush.kind = FLUSH_NONGLOBAL_ALL;
          endcase
        end
        CTL_FLUSH_ALL: flush.kind = FLUSH_ALL;
        default: ;
      endcase
    end
    // The core #GPs before a missing feature's bit can be set (docs/ports.md); clearing
    // those bits here changes nothing legal and lets synthesis drop the logic behind them.
    if (!HAS_LONG) begin
      nx.efer[EFER_LME] = 1'b0;
      nx.efer[EFER_LMA] = 1'b0;
    end
    if (!HAS_LA57) nx.cr4[CR4_LA57] = 1'b0;
    if (!HAS_PCID) nx.cr4[CR4_PCIDE] = 1'b0;
    if (!HAS_PKS) begin
      nx.cr4[CR4_PKS] = 1'b0;
      nx.pkrs = '0;
    end
    if (!HAS_CET) nx.cr4[CR4_CET] = 1'b0;
    regs_d = nx;
    pdpte_d = pdpte_q;
    // R6.1: a MOV that leaves PAE paging in use and changes the listed bits reloads.
    if (reload && !PDPTE_ON_DEMAND && mode_of(nx) == MODE_PAE) pdpte_d = ctl_pdpte_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      regs_q <= '0;
      pdpte_q <= '0;
    end else begin
      regs_q <= regs_d;
      pdpte_q <= pdpte_d;
    end
  end

  assign regs_o = regs_q;
  assign pdpte_o = pdpte_q;
  assign flush_o = flush;

endmodule
