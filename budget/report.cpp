// Text and JSON renderings of the budget summary. Money is printed from integers, never
// through a double, so the JSON shows exactly what the ledger holds.
#include "budget/report.h"

#include <algorithm>
#include <cstdio>

#include "core/json_writer.h"

namespace frugal::budget {
namespace {

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void text_breakdown(std::string& out, const char* title, const std::vector<breakdown_row>& rows) {
  out += title;
  out += ":\n";
  if (rows.empty()) out += "  (no calls)\n";
  size_t width = 8;
  for (const auto& r : rows) width = std::max(width, r.key.size() + 2);
  for (const auto& r : rows) {
    out += "  " + pad(r.key.empty() ? "-" : r.key, width) + pad(format_usd(r.settled), 12);
    if (r.outstanding > 0) out += "+ " + format_usd(r.outstanding) + " reserved  ";
    out += std::to_string(r.calls) + (r.calls == 1 ? " call\n" : " calls\n");
  }
}

// "12.3" (% of input tokens read from a prompt cache), one decimal, from integers.
std::string cached_percent(const token_counts& t) {
  if (t.in <= 0) return "0";
  int64_t tenths = (t.cached * 1000 + t.in / 2) / t.in;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

void json_tokens(json_writer& w, const token_counts& t) {
  w.key("input_tokens").number(t.in).key("cached_input_tokens").number(t.cached);
  w.key("cache_write_tokens").number(t.cache_write);
  w.key("cached_share_percent").raw(cached_percent(t));
}

void json_money(json_writer& w, const char* key, int64_t micro) {
  w.key(key).raw(usd_decimal(micro));
}

void json_breakdown(json_writer& w, const char* key, const std::vector<breakdown_row>& rows) {
  w.key(key).begin_array();
  for (const auto& r : rows) {
    w.begin_object().key("name").string(r.key);
    json_money(w, "spent_usd", r.settled);
    json_money(w, "reserved_usd", r.outstanding);
    w.key("calls").number(r.calls).end_object();
  }
  w.end_array();
}

}  // namespace

std::string format_text(const summary& s) {
  std::string out = "budget for " + s.day + " (" + s.timezone + ")\n";
  out += "  cap        " + format_usd(s.cap) + "\n";
  out += "  spent      " + format_usd(s.spent) + "\n";
  out += "  reserved   " + format_usd(s.reserved) + "\n";
  out += "  remaining  " + format_usd(s.remaining) + "\n";
  out += "  resets at  " + s.resets_at_local + " (in " + tz::format_duration(s.resets_at - s.now) +
         ")\n";
  out += "  public realm cap " + format_usd(s.public_cap);
  if (s.per_sender_cap > 0) out += ", per public sender " + format_usd(s.per_sender_cap);
  if (s.monthly_cap > 0)
    out += ", this month " + format_usd(s.month_total) + " of " + format_usd(s.monthly_cap);
  out += "\n";
  if (s.stopped) out += "  STOPPED: paid calls are off until the reset: " + s.stop_reason + "\n";
  out += "  input      " + std::to_string(s.tokens.in) + " tokens, " + cached_percent(s.tokens) +
         " % read from the prompt cache, " + std::to_string(s.tokens.cache_write) +
         " written to it\n";
  text_breakdown(out, "by tier", s.by_tier);
  text_breakdown(out, "by model", s.by_model);
  text_breakdown(out, "by realm", s.by_realm);
  return out;
}

std::string format_json(const summary& s) {
  json_writer w;
  w.begin_object().key("day").string(s.day).key("timezone").string(s.timezone);
  json_money(w, "cap_usd", s.cap);
  json_money(w, "spent_usd", s.spent);
  json_money(w, "reserved_usd", s.reserved);
  json_money(w, "remaining_usd", s.remaining);
  w.key("resets_at").string(s.resets_at_local).key("resets_at_unix").number(s.resets_at);
  json_money(w, "public_cap_usd", s.public_cap);
  json_money(w, "per_sender_cap_usd", s.per_sender_cap);
  json_money(w, "monthly_cap_usd", s.monthly_cap);
  json_money(w, "month_usd", s.month_total);
  w.key("stopped").boolean(s.stopped).key("stop_reason").string(s.stop_reason);
  w.key("cap_micro").number(s.cap).key("spent_micro").number(s.spent);
  w.key("reserved_micro").number(s.reserved).key("remaining_micro").number(s.remaining);
  json_tokens(w, s.tokens);
  json_breakdown(w, "by_tier", s.by_tier);
  json_breakdown(w, "by_model", s.by_model);
  json_breakdown(w, "by_realm", s.by_realm);
  w.end_object();
  return w.take() + "\n";
}

std::string format_history_text(const std::vector<day_row>& days, int64_t cap_micro,
                                const std::string& timezone) {
  std::string out = "daily spend (" + timezone + "), cap " + format_usd(cap_micro) + "\n";
  out += "  day         spent       reserved    calls  cached\n";
  if (days.empty()) out += "  (no calls yet)\n";
  for (const auto& d : days) {
    out += "  " + pad(d.day, 12) + pad(format_usd(d.settled), 12) +
           pad(format_usd(d.outstanding), 12) + pad(std::to_string(d.calls), 7) +
           cached_percent(d.tokens) + " %";
    if (d.stopped) out += "  stopped";
    out += "\n";
  }
  return out;
}

std::string format_history_json(const std::vector<day_row>& days, int64_t cap_micro,
                                const std::string& timezone) {
  json_writer w;
  w.begin_object().key("timezone").string(timezone);
  json_money(w, "cap_usd", cap_micro);
  w.key("days").begin_array();
  for (const auto& d : days) {
    w.begin_object().key("day").string(d.day);
    json_money(w, "spent_usd", d.settled);
    json_money(w, "reserved_usd", d.outstanding);
    w.key("calls").number(d.calls).key("stopped").boolean(d.stopped);
    json_tokens(w, d.tokens);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take() + "\n";
}

}  // namespace frugal::budget
