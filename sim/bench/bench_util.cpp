#include "bench_util.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

namespace ftoe::bench {

Options::Options(const std::vector<std::string>& args, const std::vector<std::string>& flags,
                 const std::vector<std::string>& valued) {
    auto known = [](const std::vector<std::string>& list, const std::string& n) {
        return std::find(list.begin(), list.end(), n) != list.end();
    };
    for (std::size_t i = 0; i < args.size(); i++) {
        std::string a = args[i];
        if (a.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + a + "'");
        std::string value;
        const auto eq = a.find('=');
        const bool has_eq = eq != std::string::npos;
        if (has_eq) {
            value = a.substr(eq + 1);
            a = a.substr(0, eq);
        }
        const std::string name = a.substr(2);
        if (known(flags, name)) {
            if (has_eq) throw UsageError("--" + name + " takes no value");
            flags_[name] = true;
        } else if (known(valued, name)) {
            if (!has_eq) {
                if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
                value = args[++i];
            }
            values_[name] = value;
        } else {
            throw UsageError("unknown option --" + name + " (see --help)");
        }
    }
}

std::string Options::get(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
}

std::string Options::get_directory(const std::string& name) const {
    const std::string dir = get(name, "");
    std::error_code ec;
    if (values_.count(name) && !std::filesystem::is_directory(dir, ec))
        throw UsageError("--" + name + " wants an existing directory, got '" + dir + "'");
    return dir;
}

uint64_t Options::get_uint(const std::string& name, uint64_t fallback, uint64_t min,
                           uint64_t max) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || errno != 0 || v < min || v > max)
        throw UsageError("--" + name + " must be a whole number from " + std::to_string(min) +
                         " to " + std::to_string(max) + ", got '" + it->second + "'");
    return v;
}

namespace {
std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}
}  // namespace

Json& Json::num(const std::string& key, double v) {
    char buf[64];
    if (!std::isfinite(v)) std::snprintf(buf, sizeof buf, "null");
    else std::snprintf(buf, sizeof buf, "%.6g", v);
    fields_.emplace_back(key, buf);
    return *this;
}
Json& Json::num(const std::string& key, uint64_t v) {
    fields_.emplace_back(key, std::to_string(v));
    return *this;
}
Json& Json::str(const std::string& key, const std::string& v) {
    fields_.emplace_back(key, quote(v));
    return *this;
}
Json& Json::null(const std::string& key) {
    fields_.emplace_back(key, "null");
    return *this;
}

Json& Json::obj(const std::string& key, const Json& v) {
    fields_.emplace_back(key, v.dump());
    return *this;
}
std::string Json::dump() const {
    std::string s = "{";
    for (std::size_t i = 0; i < fields_.size(); i++) {
        if (i) s += ", ";
        s += quote(fields_[i].first) + ": " + fields_[i].second;
    }
    return s + "}";
}

ProcessResult run_process(const std::vector<std::string>& argv) {
    // argv is built before fork(): the child only calls async-signal-safe functions.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int pipe_fd[2];
    if (pipe(pipe_fd) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid == 0) {
        dup2(pipe_fd[1], STDOUT_FILENO);
        dup2(pipe_fd[1], STDERR_FILENO);
        close(pipe_fd[0]);
        close(pipe_fd[1]);
        execv(args[0], args.data());
        static const char kMsg[] = "exec failed\n";
        (void)!write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
        _exit(127);
    }
    close(pipe_fd[1]);
    std::string out;
    std::array<char, 4096> buf;
    for (;;) {
        const ssize_t n = read(pipe_fd[0], buf.data(), buf.size());
        if (n > 0) out.append(buf.data(), std::size_t(n));
        else if (n == 0 || errno != EINTR) break;
    }
    close(pipe_fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const double secs = seconds_since(t0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return {code, out, secs};
}

std::string file_beside_executable(const std::string& name) {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot read /proc/self/exe: " + ec.message());
    const auto path = exe.parent_path() / name;
    if (!std::filesystem::exists(path))
        throw std::runtime_error(path.string() + " is missing: rebuild ftoe-bench (cmake --build)");
    return path.string();
}

TempDir::TempDir() {
    char name[] = "/tmp/ftoe-bench-XXXXXX";
    if (!mkdtemp(name))
        throw std::runtime_error("cannot create a directory in /tmp: " +
                                 std::string(std::strerror(errno)));
    path_ = name;
}

TempDir::~TempDir() {
    std::error_code ec;  // best effort: a leftover directory must not mask the real error
    std::filesystem::remove_all(path_, ec);
}

std::string si(double v) {
    const char* units[] = {"", " k", " M", " G", " T"};
    int u = 0;
    while (std::fabs(v) >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g%s", v, units[u]);
    return buf;
}

}  // namespace ftoe::bench
