// protocol: what `frugal say` and `frugal status` send over the daemon's control socket
// and what comes back, plus the figures of `status` in its three forms (text, JSON,
// Prometheus). One request per connection: a JSON object and '\n'; one reply the same
// way. Pure functions: no sockets here (server.h, client.h), nothing read from the daemon.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frugal::control {

// The socket's name inside the state folder.
inline constexpr std::string_view k_socket_name = "control.sock";
// `say` text beyond this is refused (at a line a second, 32 KiB is already minutes of IRC).
inline constexpr size_t k_max_say_bytes = 32 * 1024;
// A request line past this is refused unread.
inline constexpr size_t k_max_request_bytes = 2 * k_max_say_bytes + 4096;

// `say` TARGET: "irc.NAME:#chan", "irc.NAME:nick", "matrix.NAME:!room:server" or
// "matrix.NAME:#alias:server". transport = "irc.NAME" / "matrix.NAME", to = the rest.
struct say_target {
  std::string transport;
  std::string to;
};
// Errors say what a TARGET looks like.
result<say_target> parse_say_target(std::string_view spec);

enum class status_format { text, json, prometheus };

struct request {
  enum class kind { status, say } op = kind::status;
  status_format format = status_format::text;  // status
  std::string target;                          // say: as typed (parse_say_target)
  std::string text;                            // say
};
std::string encode(const request& r);
// Errors name what is wrong ("control: unknown op \"x\"").
result<request> decode_request(std::string_view line);

struct reply {
  bool ok = false;
  int exit_code = 0;   // what the client exits with (0 when ok)
  std::string output;  // printed on stdout when ok, else the one-line error
};
std::string encode(const reply& r);
result<reply> decode_reply(std::string_view line);

struct transport_status {
  std::string name;  // "irc.libera", "matrix.main"
  bool connected = false;
  std::string self;                 // IRC nick / Matrix user id; "" while unknown
  std::vector<std::string> places;  // IRC channels / Matrix room ids
  std::string last_error;           // the latest disconnect's reason; "" none since start
};

struct daemon_status {
  std::string version;
  int64_t pid = 0;
  int64_t uptime_s = 0;
  std::string day;              // the budget's day (its time zone)
  int64_t turns_today = 0;      // turns this daemon finished since the day began
  int64_t turns_in_flight = 0;  // turns running now
  int64_t spent_micro = 0, reserved_micro = 0, cap_micro = 0;  // today's ledger, all processes
  std::vector<transport_status> transports;
};

// A few aligned lines for a person.
std::string format_text(const daemon_status& s);
// One object and '\n': version, pid, uptime_s, day, turns_today, turns_in_flight,
// spent_usd, reserved_usd, cap_usd, transports: [{name, connected, nick + channels (irc)
// or user_id + rooms (matrix), last_error (string or null)}].
std::string format_json(const daemon_status& s);
// The Prometheus text exposition format (version 0.0.4): frugal_* gauges with HELP and
// TYPE lines, transport labels escaped; for node_exporter's textfile collector.
std::string format_prometheus(const daemon_status& s);

}  // namespace frugal::control
