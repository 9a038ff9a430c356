// The self-test's report line on the UART:
//   pagewalk <board> PASS sig <8 hex> exp <8 hex> req <8 hex> ... cyc <8 hex>
// built from a template in which "@N" is the board's name, "@P" PASS or FAIL and
// "@0".."@9" field 0..9 in hex, 8 digits (the low 32 bits).
module pw_board_report #(
  parameter int unsigned CLK_HZ = 25_000_000,
  parameter int unsigned N_FIELDS = 10,
  parameter logic [8*16-1:0] NAME = "board"   // right-justified, zero-padded
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  input  logic                     start_i,     // print once (ignored while printing)
  input  logic                     pass_i,
  input  logic [N_FIELDS-1:0][63:0] field_i,
  output logic                     busy_o,
  output logic [3:0]               field_o,     // the field being printed (its source may follow it)
  output logic                     tx_o
);
  localparam int unsigned TLEN = 86;   // characters in TBITS
  localparam logic [8*TLEN-1:0] TBITS =
    "pagewalk @N @P sig @0 exp @1 req @2 hit @3 walk @4 rd @5 cas @6 flt @7 bus @8 cyc @9\r\n";
  localparam int unsigned NAME_LEN = 16, WORD_LEN = 4, SHORT_DIGITS = 8;
  localparam logic [8*WORD_LEN-1:0] WORD_PASS = "PASS", WORD_FAIL = "FAIL";
  if (TBITS[8*TLEN-1 -: 8] != "p") begin : gen_bad_tlen
    $error("pw_board_report: TLEN does not match the template");
  end
  if (N_FIELDS > 10) begin : gen_bad_fields
    $error("pw_board_report: at most 10 fields (@0..@9)");
  end

  function automatic logic [7:0] tchar(int unsigned i);
    return TBITS[8*(TLEN-1-i) +: 8];
  endfunction

  function automatic logic [7:0] hex(logic [3:0] n);
    return n < 4'd10 ? 8'("0") + 8'(n) : 8'("a") + 8'(n) - 8'd10;
  endfunction

  logic       busy_q, uart_ready, send;
  logic [7:0] pos_q, pos_d;   // template index
  logic [4:0] sub_q, sub_d;   // index inside an expansion
  logic [7:0] ch;
  logic       done;

  always_comb begin
    logic [7:0]  c, code;
    logic [4:0]  len;
    logic [63:0] f;
    int unsigned k;
    k     = 0;
    c     = tchar(32'(pos_q));
    code  = 32'(pos_q) + 1 < TLEN ? tchar(32'(pos_q) + 1) : 8'd0;
    send  = 1'b1;
    ch    = c;
    pos_d = pos_q;
    sub_d = sub_q;
    len   = 5'd1;
    f     = '0;
    if (c != "@") begin
      pos_d = pos_q + 1'b1;
    end else begin
      if (code == "N") begin
        len  = 5'(NAME_LEN);
        ch   = NAME[8*(NAME_LEN-1-32'(sub_q)) +: 8];
        send = ch != 8'd0;
      end else if (code == "P") begin
        len = 5'(WORD_LEN);
        ch  = pass_i ? WORD_PASS[8*(WORD_LEN-1-32'(sub_q)) +: 8] : WORD_FAIL[8*(WORD_LEN-1-32'(sub_q)) +: 8];
      end else begin
        k   = 32'(code) - 32'(8'("0"));
        len = 5'(SHORT_DIGITS);
        if (k < N_FIELDS)
          f = field_i[k];
        ch = hex(f[4 * (32'(len) - 1 - 32'(sub_q)) +: 4]);   // a nibble mux, not a shifter
      end
      if (sub_q + 1'b1 == len) begin
        sub_d = '0;
        pos_d = pos_q + 8'd2;
      end else begin
        sub_d = sub_q + 1'b1;
      end
    end
  end

  assign done   = 32'(pos_q) >= TLEN;
  always_comb begin
    logic [7:0] c2;
    c2 = 32'(pos_q) + 1 < TLEN ? tchar(32'(pos_q) + 1) : 8'd0;
    field_o = c2 >= "0" && c2 <= "9" ? 4'(c2 - 8'("0")) : 4'd0;
  end
  assign busy_o = busy_q;

  logic step;
  assign step = busy_q && !done && uart_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      pos_q  <= '0;
      sub_q  <= '0;
    end else if (!busy_q) begin
      if (start_i) begin
        busy_q <= 1'b1;
        pos_q  <= '0;
        sub_q  <= '0;
      end
    end else if (done) begin
      if (uart_ready)
        busy_q <= 1'b0;
    end else if (step) begin
      pos_q <= pos_d;
      sub_q <= sub_d;
    end
  end

  pw_uart_tx #(.CLK_HZ(CLK_HZ)) u_tx (
    .clk_i, .rst_ni,
    .valid_i(step && send),
    .ready_o(uart_ready),
    .data_i (ch),
    .tx_o
  );
endmodule
