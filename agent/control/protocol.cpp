// The control protocol's encoding and the status formats. Request and reply lines are
// parsed with simdjson's DOM in error-code style: a peer's bytes are untrusted input.
#include "agent/control/protocol.h"

#include <simdjson.h>

#include "budget/prices.h"
#include "core/json_writer.h"
#include "core/utf8.h"

namespace frugal::control {
namespace {

bool plain_word(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f || c == ',') return false;
  return true;
}

bool parse_object(simdjson::dom::parser& p, std::string_view line, simdjson::dom::object& out) {
  simdjson::padded_string copy(line);
  simdjson::dom::element root;
  if (p.parse(copy).get(root)) return false;
  return !root.get_object().get(out);
}

const char* format_name(status_format f) {
  return f == status_format::json ? "json" : f == status_format::prometheus ? "prometheus" : "text";
}

// Prometheus label values: backslash, double quote and newline are escaped.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

bool is_irc(const transport_status& t) {
  return t.name.rfind("irc.", 0) == 0;
}

}  // namespace

result<say_target> parse_say_target(std::string_view spec) {
  const char* shapes =
      "a target is irc.NAME:#channel, irc.NAME:nick, matrix.NAME:!room:server or "
      "matrix.NAME:#alias:server";
  auto colon = spec.find(':');
  if (colon == std::string_view::npos) return fail("\"", spec, "\": ", shapes);
  say_target t{std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
  bool irc = t.transport.rfind("irc.", 0) == 0 && t.transport.size() > 4;
  bool matrix = t.transport.rfind("matrix.", 0) == 0 && t.transport.size() > 7;
  if ((!irc && !matrix) || !plain_word(t.to)) return fail("\"", spec, "\": ", shapes);
  if (matrix) {
    auto server = t.to.find(':');
    if ((t.to[0] != '!' && t.to[0] != '#') || server == std::string::npos || server < 2 ||
        server + 1 == t.to.size())
      return fail("\"", spec, "\": Matrix rooms are !id:server or #alias:server");
  }
  return t;
}

std::string encode(const request& r) {
  json_writer w;
  w.begin_object();
  if (r.op == request::kind::status) {
    w.key("op").string("status").key("format").string(format_name(r.format));
  } else {
    w.key("op").string("say").key("target").string(r.target).key("text").string(r.text);
  }
  return w.end_object().take() + "\n";
}

result<request> decode_request(std::string_view line) {
  simdjson::dom::parser p;
  simdjson::dom::object o;
  if (!parse_object(p, line, o)) return fail("control: the request is not a JSON object");
  std::string_view op, s;
  if (o["op"].get(op)) return fail("control: the request has no op");
  request r;
  if (op == "status") {
    r.op = request::kind::status;
    if (!o["format"].get(s)) {
      if (s == "json")
        r.format = status_format::json;
      else if (s == "prometheus")
        r.format = status_format::prometheus;
      else if (s != "text")
        return fail("control: unknown status format \"", s, "\"");
    }
    return r;
  }
  if (op == "say") {
    r.op = request::kind::say;
    if (o["target"].get(s)) return fail("control: say without a target");
    r.target = std::string(s);
    if (o["text"].get(s)) return fail("control: say without text");
    r.text = std::string(s);
    return r;
  }
  return fail("control: unknown op \"", utf8::repair(op.substr(0, 40)), "\"");
}

std::string encode(const reply& r) {
  json_writer w;
  w.begin_object().key("ok").boolean(r.ok).key("exit").number(int64_t{r.exit_code});
  w.key("output").string(r.output);
  return w.end_object().take() + "\n";
}

result<reply> decode_reply(std::string_view line) {
  simdjson::dom::parser p;
  simdjson::dom::object o;
  if (!parse_object(p, line, o)) return fail("control: the daemon's reply is not JSON");
  reply r;
  int64_t code = 0;
  std::string_view out;
  if (o["ok"].get(r.ok) || o["exit"].get(code) || o["output"].get(out))
    return fail("control: the daemon's reply lacks ok, exit or output");
  r.exit_code = static_cast<int>(code);
  r.output = std::string(out);
  return r;
}

std::string format_text(const daemon_status& s) {
  std::string out = "frugal " + s.version + " (pid " + std::to_string(s.pid) + "), up " +
                    std::to_string(s.uptime_s) + " s\n";
  out += "  today      " + s.day + ": " + std::to_string(s.turns_today) + " turn(s), " +
         std::to_string(s.turns_in_flight) + " in flight\n";
  out += "  spent      " + budget::format_usd(s.spent_micro) + " of " +
         budget::format_usd(s.cap_micro);
  if (s.reserved_micro > 0) out += " (+ " + budget::format_usd(s.reserved_micro) + " reserved)";
  out += "\n";
  for (const auto& t : s.transports) {
    out += "  " + t.name + "  " + (t.connected ? "connected" : "not connected");
    if (!t.self.empty()) out += " as " + t.self;
    if (!t.places.empty()) {
      out += (is_irc(t) ? " in " : " in rooms ");
      for (size_t i = 0; i < t.places.size(); ++i) out += (i ? ", " : "") + t.places[i];
    }
    if (!t.last_error.empty()) out += " (last error: " + t.last_error + ")";
    out += "\n";
  }
  return out;
}

std::string format_json(const daemon_status& s) {
  json_writer w;
  w.begin_object().key("version").string(s.version).key("pid").number(s.pid);
  w.key("uptime_s").number(s.uptime_s).key("day").string(s.day);
  w.key("turns_today").number(s.turns_today).key("turns_in_flight").number(s.turns_in_flight);
  w.key("spent_usd").raw(budget::usd_decimal(s.spent_micro));
  w.key("reserved_usd").raw(budget::usd_decimal(s.reserved_micro));
  w.key("cap_usd").raw(budget::usd_decimal(s.cap_micro));
  w.key("transports").begin_array();
  for (const auto& t : s.transports) {
    w.begin_object().key("name").string(t.name).key("connected").boolean(t.connected);
    w.key(is_irc(t) ? "nick" : "user_id");
    t.self.empty() ? w.null() : w.string(t.self);
    w.key(is_irc(t) ? "channels" : "rooms").begin_array();
    for (const auto& p : t.places) w.string(p);
    w.end_array().key("last_error");
    t.last_error.empty() ? w.null() : w.string(t.last_error);
    w.end_object();
  }
  w.end_array();
  return w.end_object().take() + "\n";
}

std::string format_prometheus(const daemon_status& s) {
  std::string out;
  auto gauge = [&](const char* name, const char* help, const std::string& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name +
           " " + value + "\n";
  };
  gauge("frugal_uptime_seconds", "Seconds since the daemon started.", std::to_string(s.uptime_s));
  gauge("frugal_turns_today", "Turns the daemon finished since the budget day began.",
        std::to_string(s.turns_today));
  gauge("frugal_turns_in_flight", "Turns running now.", std::to_string(s.turns_in_flight));
  gauge("frugal_spent_usd", "Settled spend today in US dollars (every process).",
        budget::usd_decimal(s.spent_micro));
  gauge("frugal_reserved_usd", "Outstanding reservations today in US dollars.",
        budget::usd_decimal(s.reserved_micro));
  gauge("frugal_cap_usd", "The daily spend cap in US dollars.", budget::usd_decimal(s.cap_micro));
  out +=
      "# HELP frugal_transport_connected 1 when the transport is connected, else 0.\n"
      "# TYPE frugal_transport_connected gauge\n";
  for (const auto& t : s.transports)
    out += "frugal_transport_connected{transport=\"" + label_value(t.name) + "\"} " +
           (t.connected ? "1" : "0") + "\n";
  out +=
      "# HELP frugal_transport_places Channels or rooms the transport is in.\n"
      "# TYPE frugal_transport_places gauge\n";
  for (const auto& t : s.transports)
    out += "frugal_transport_places{transport=\"" + label_value(t.name) + "\"} " +
           std::to_string(t.places.size()) + "\n";
  return out;
}

}  // namespace frugal::control
