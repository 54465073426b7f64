// bench_util.hpp: small helpers shared by ftoe-bench subcommands: option parsing,
// timing, a JSON writer, running a helper program, and finding files next to the binary.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ftoe::bench {

// A command-line mistake: reported as "ftoe-bench: <message>" with exit code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses "--name value", "--name=value" and "--flag" options. Every option must be
// declared: `flags` take no value, `valued` do.
class Options {
public:
    Options(const std::vector<std::string>& args, const std::vector<std::string>& flags,
            const std::vector<std::string>& valued);
    bool flag(const std::string& name) const { return flags_.count(name) != 0; }
    std::string get(const std::string& name, const std::string& fallback) const;
    uint64_t get_uint(const std::string& name, uint64_t fallback, uint64_t min, uint64_t max) const;
    // An existing directory, or "" when the option is not given.
    std::string get_directory(const std::string& name) const;

private:
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> flags_;
};

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Minimal JSON object writer: numbers, strings, booleans and nested objects, in order.
class Json {
public:
    Json& num(const std::string& key, double v);
    Json& num(const std::string& key, uint64_t v);
    Json& str(const std::string& key, const std::string& v);
    Json& obj(const std::string& key, const Json& v);
    Json& null(const std::string& key);  // a figure not measured (say why elsewhere)
    std::string dump() const;

private:
    std::vector<std::pair<std::string, std::string>> fields_;  // key, encoded value
};

// Runs argv[0] (a path; PATH is not searched) with stdout and stderr captured, and waits
// for it. `seconds` is the wall time from start to exit; exit code 127: exec failed.
struct ProcessResult {
    int exit_code;
    std::string output;
    double seconds;
};
ProcessResult run_process(const std::vector<std::string>& argv);

// A file installed next to the ftoe-bench executable (e.g. a compiled testbench).
std::string file_beside_executable(const std::string& name);

// A fresh directory under /tmp, removed with its contents when this goes out of scope
// (also when a benchmark fails half way).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// "1.23 M" style formatting for tables.
std::string si(double v);

}  // namespace ftoe::bench
