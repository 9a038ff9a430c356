// Tree pseudo-LRU over WAYS ways (a power of two, 1..64), shared by the TLB and
// the paging-structure caches. Mirrors cmodel/include/pagewalk/plru.h and
// cmodel/src/plru.c bit for bit (docs/tlb.md "Tree-PLRU").
//
//   Node i (1..WAYS-1) has children 2i and 2i+1; leaf WAYS+w stands for way w.
//   bits_q[i] = 0: the victim lies in the left subtree (child 2i), 1: the right.
//   touch(w):  point every node on w's path away from w.
//   victim():  follow the bits from the root.
//   All bits are 0 at reset (pw_plru_init).
//
// touch_i/touch_way_i are applied at the clock edge; victim_o is combinational
// from the current bits. With WAYS = 1 there are no bits and the victim is 0.
module pw_plru #(
  parameter  int WAYS  = 8,
  // Way-index width; 1 when WAYS = 1 so that the ports never have zero width.
  localparam int IDX_W = (WAYS > 1) ? $clog2(WAYS) : 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             touch_i,
  input  logic [IDX_W-1:0] touch_way_i,
  output logic [IDX_W-1:0] victim_o
);

  // ---- Parameter check (docs/tlb.md "Parameters") ----
  if (WAYS < 1 || WAYS > 64 || (WAYS & (WAYS - 1)) != 0) begin : gen_bad_ways
    $fatal(1, "pw_plru: WAYS must be a power of two, 1..64");
  end

  if (WAYS == 1) begin : gen_one_way
    // No tree: the only way is always the victim.
    assign victim_o = '0;

    logic unused_touch;
    assign unused_touch = ^{clk_i, rst_ni, touch_i, touch_way_i};

  end else begin : gen_tree
    localparam int DEPTH = $clog2(WAYS);   // levels of nodes above the leaves

    // Bit i is node i, as in the model's `bits` word; bit 0 is not a node.
    logic [WAYS-1:1] bits_d, bits_q;

    // touch(w): the node at depth d on w's path is (1 << d) + (w >> (DEPTH - d)),
    // and the path continues to its child 2*node + w[DEPTH-1-d]. Pointing away
    // from w sets the node to the opposite of that child bit.
    always_comb begin
      bits_d = bits_q;
      if (touch_i) begin
        for (int d = 0; d < DEPTH; d++) begin
          for (int j = 0; j < (1 << d); j++) begin
            if ((int'(touch_way_i) >> (DEPTH - d)) == j) begin
              bits_d[(1 << d) + j] = ~touch_way_i[DEPTH-1-d];
            end
          end
        end
      end
    end

    // victim(): node = 2*node + bit[node] from the root down; the way is the
    // sequence of bits read, most significant first.
    always_comb begin
      int node;
      node = 1;
      for (int d = 0; d < DEPTH; d++) begin
        node = 2 * node + int'(bits_q[node]);
      end
      victim_o = IDX_W'(node - WAYS);
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        bits_q <= '0;
      end else begin
        bits_q <= bits_d;
      end
    end
  end

endmodule
