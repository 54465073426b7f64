// echo_server.hpp: EchoServer sends back every byte it reads, on every connection it
// accepts, and closes its side once the peer's FIN came and everything was echoed.
// Reading stops while `max_pending` bytes wait for send buffer room (the peer then sees
// its data stay unacknowledged in our Stack, not lost).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "app.hpp"
#include "byte_queue.hpp"

namespace ftoe::sim {

struct EchoServerOptions {
    uint16_t port = 7;
    std::size_t backlog = 0;              // listen() backlog (0: the Stack's default)
    std::size_t max_pending = 256 * 1024; // bytes read and not yet taken by send()
};

class EchoServer final : public App {
public:
    explicit EchoServer(EchoServerOptions o = {}) : opt_(o), acceptor_(o.port, o.backlog) {}
    const char* name() const override { return "echo-server"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    std::size_t open_connections() const override { return conns_.size(); }

private:
    struct Conn {
        host::SocketId sock = 0;
        host::ByteQueue pending;  // read, not yet echoed
        bool closing = false;     // close() called (or the connection aborted)
    };
    void serve(host::Stack& stack, Conn& c);

    EchoServerOptions opt_;
    Acceptor acceptor_;
    std::vector<Conn> conns_;
    AppStats stats_;
    driver::Bytes scratch_;
};

}  // namespace ftoe::sim
