// byte_queue.hpp: a FIFO of bytes for socket buffers: append at the back, take from the
// front, contiguous storage. Taking only moves an offset; the consumed prefix is dropped
// once it is at least half the storage, so each byte is moved O(1) times on average.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ftoe::host {

class ByteQueue {
public:
    std::size_t size() const { return buf_.size() - head_; }
    bool empty() const { return size() == 0; }
    const uint8_t* data() const { return buf_.data() + head_; }

    void append(const uint8_t* p, std::size_t n) { buf_.insert(buf_.end(), p, p + n); }

    // Drops the first n bytes (n <= size()).
    void consume(std::size_t n) {
        head_ += n;
        if (head_ == buf_.size()) {
            buf_.clear();
            head_ = 0;
        } else if (head_ >= kCompactAt && head_ * 2 >= buf_.size()) {
            buf_.erase(buf_.begin(), buf_.begin() + long(head_));
            head_ = 0;
        }
    }

    // Appends up to n bytes to `out` and drops them; returns how many.
    std::size_t take(std::vector<uint8_t>& out, std::size_t n) {
        n = std::min(n, size());
        out.insert(out.end(), data(), data() + n);
        consume(n);
        return n;
    }

    void clear() {
        buf_.clear();
        head_ = 0;
    }

private:
    static constexpr std::size_t kCompactAt = 4096;
    std::vector<uint8_t> buf_;
    std::size_t head_ = 0;
};

}  // namespace ftoe::host
