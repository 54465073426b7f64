// Deliberately wrong for a state table: the read is asynchronous, so the 4096 x 32 table
// cannot go to block RAM. synth_check.py --min-bram 1 must fail.
`default_nettype none
module bad_no_bram (
    input  wire logic        clk,
    input  wire logic        we,
    input  wire logic [11:0] wa,
    input  wire logic [31:0] wd,
    input  wire logic [11:0] ra,
    output logic      [31:0] rd
);
    logic [31:0] mem [4096];
    always_ff @(posedge clk) if (we) mem[wa] <= wd;
    always_comb rd = mem[ra];
endmodule
`default_nettype wire
