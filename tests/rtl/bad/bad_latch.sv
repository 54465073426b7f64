// Deliberately wrong: an incomplete always_comb infers a latch. synth_check.py must fail.
`default_nettype none
module bad_latch (
    input  wire logic       en,
    input  wire logic [3:0] d,
    output logic      [3:0] q
);
    always @* if (en) q = d;
endmodule
`default_nettype wire
