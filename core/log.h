// Logging: one line per event on stderr, "LEVEL component: message", or JSON lines with
// --log-format json. Arguments are not evaluated below the level (the macros check first).
// Every line passes through redact(), the one place that hides registered secrets (API
// keys, SASL passwords, Matrix tokens). It does not rotate, buffer or timestamp: journald
// and cron add the time.
#pragma once
#include <string>
#include <string_view>

#include "core/result.h"

namespace frugal::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

void set_level(level l);
level current_level();
bool enabled(level l);
void set_json(bool json);
// Parses "debug" | "info" | "warn" | "error"; returns false for anything else.
bool parse_level(std::string_view text, level& out);

// Secrets registered here are replaced by "***" in every log line (and by redact()).
// Values shorter than 4 bytes are ignored (they would mangle ordinary text).
void add_secret(std::string secret);
std::string redact(std::string_view text);

void write(level l, std::string_view component, std::string_view message);

// Sends lines to a callback instead of stderr (tests); nullptr restores stderr.
using sink_fn = void (*)(level, std::string_view line);
void set_sink(sink_fn sink);

// The pieces (strings, characters, numbers) as one string; see frugal::text_part.
template <class... Parts>
std::string cat(const Parts&... parts) {
  return ::frugal::join_text({::frugal::text_part(parts)...});
}

}  // namespace frugal::log

#define FLOG_AT(lvl, component, ...)                                         \
  do {                                                                       \
    if (::frugal::log::enabled(lvl))                                         \
      ::frugal::log::write(lvl, component, ::frugal::log::cat(__VA_ARGS__)); \
  } while (0)
#define LOG_DEBUG(component, ...) FLOG_AT(::frugal::log::level::debug, component, __VA_ARGS__)
#define LOG_INFO(component, ...) FLOG_AT(::frugal::log::level::info, component, __VA_ARGS__)
#define LOG_WARN(component, ...) FLOG_AT(::frugal::log::level::warn, component, __VA_ARGS__)
#define LOG_ERROR(component, ...) FLOG_AT(::frugal::log::level::error, component, __VA_ARGS__)
