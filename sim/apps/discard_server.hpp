// discard_server.hpp: DiscardServer reads and counts whatever its connections send, and
// closes each once the peer's FIN came (after it has read everything before it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "app.hpp"

namespace ftoe::sim {

struct DiscardServerOptions {
    uint16_t port = 9;
    std::size_t backlog = 0;  // listen() backlog (0: the Stack's default)
};

class DiscardServer final : public App {
public:
    explicit DiscardServer(DiscardServerOptions o = {}) : acceptor_(o.port, o.backlog) {}
    const char* name() const override { return "discard-server"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    std::size_t open_connections() const override { return conns_.size(); }

private:
    struct Conn {
        host::SocketId sock = 0;
        bool closing = false;
    };

    Acceptor acceptor_;
    std::vector<Conn> conns_;
    AppStats stats_;
    driver::Bytes scratch_;
};

}  // namespace ftoe::sim
