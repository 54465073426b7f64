# The RTL files of each block built from others, in dependency order: the one list the
# Verilated models (sim/) and the lint and synthesis checks (tests/rtl/) take them from.
set(FTOE_RX_PARSE_SOURCES ${FTOE_RTL_DIR}/ftoe_pkg.sv ${FTOE_RTL_DIR}/common/pipe_delay.sv
    ${FTOE_RTL_DIR}/csum/csum_stream.sv ${FTOE_RTL_DIR}/csum/csum_ipv4_l4.sv
    ${FTOE_RTL_DIR}/parse/tcp_opt_parse.sv ${FTOE_RTL_DIR}/parse/eth_rx_parse.sv)
set(FTOE_RX_SESSION_SOURCES ${FTOE_RTL_DIR}/common/bypass_ram.sv
    ${FTOE_RTL_DIR}/tcp_rx/tcp_rx_accept.sv ${FTOE_RTL_DIR}/tcp_rx/tcp_rx_session.sv)
set(FTOE_TX_SESSION_SOURCES ${FTOE_RTL_DIR}/common/bypass_ram.sv
    ${FTOE_RTL_DIR}/tcp_tx/tcp_tx_cc.sv ${FTOE_RTL_DIR}/tcp_tx/tcp_tx_session.sv)
set(FTOE_ENGINE_SOURCES ${FTOE_RX_PARSE_SOURCES} ${FTOE_RTL_DIR}/conn_table/conn_table.sv
    ${FTOE_RTL_DIR}/host_if/hl_rx.sv ${FTOE_RTL_DIR}/host_if/hl_tx.sv
    ${FTOE_RTL_DIR}/stats/stat_counters.sv ${FTOE_RTL_DIR}/engine/rx_frame_store.sv
    ${FTOE_RTL_DIR}/engine/rx_payload_store.sv ${FTOE_RTL_DIR}/engine/tx_frame_mux.sv
    ${FTOE_RTL_DIR}/engine/frame_ring_wr.sv ${FTOE_RTL_DIR}/tcp_tx/tx_ack_build.sv
    ${FTOE_RTL_DIR}/engine/cmd_exec.sv ${FTOE_RTL_DIR}/engine/raw_tx_pack.sv
    ${FTOE_RTL_DIR}/common/bypass_ram.sv
    ${FTOE_RTL_DIR}/tcp_rx/tcp_rx_accept.sv ${FTOE_RTL_DIR}/tcp_rx/tcp_rx_session.sv
    ${FTOE_RTL_DIR}/tcp_tx/tcp_tx_cc.sv ${FTOE_RTL_DIR}/tcp_tx/tcp_tx_session.sv
    ${FTOE_RTL_DIR}/tcp_tx/tx_buf_wr.sv ${FTOE_RTL_DIR}/tcp_tx/tx_buf_rd.sv
    ${FTOE_RTL_DIR}/tcp_tx/tx_frame_build.sv ${FTOE_RTL_DIR}/timer/timer_wheel.sv
    ${FTOE_RTL_DIR}/timer/tx_timer_ctl.sv ${FTOE_RTL_DIR}/engine/axis_unpack.sv
    ${FTOE_RTL_DIR}/engine/raw_tx_csum.sv ${FTOE_RTL_DIR}/engine/rx_inject_merge.sv
    ${FTOE_RTL_DIR}/ftoe_engine.sv)
