// manners: routing messages to the rejoin plan and the nick reclaim, and turning their
// decisions into lines and log sentences. Only configured channels are rejoined (their key
// comes from the config), so a KICK from a channel someone else made us join is final.
#include "transports/irc/manners.h"

#include <algorithm>

namespace frugal::irc {

manners::manners(const config::irc_network& cfg)
    : channels_(cfg.channels),
      check_ms_(static_cast<uint64_t>(std::max<int64_t>(cfg.nick_check_ms, 0))),
      rejoin_({static_cast<uint64_t>(std::max<int64_t>(cfg.rejoin_delay_ms, 0)),
               static_cast<uint64_t>(std::max<int64_t>(cfg.rejoin_max_ms, 1))}),
      reclaim_(cfg.nick, cfg.nick_check_ms > 0) {}

void manners::take_reclaim_note(output& out) {
  if (std::string n = reclaim_.take_note(); !n.empty()) out.notes.push_back({false, n});
}

void manners::plan_check(uint64_t now) {
  if (!reclaim_.polling())
    check_at_.reset();
  else if (!check_at_)
    check_at_ = now + check_ms_;
}

manners::output manners::registered(const std::string& nick, const isupport& is, uint64_t now) {
  support_ = is;
  nick_ = nick;
  burst_ = true;
  check_at_ = now + burst_wait_ms;
  return {};
}

void manners::start_reclaim(output& out, const std::string& nick, uint64_t now) {
  burst_ = false;
  auto lines = reclaim_.start(nick, support_);
  out.lines.insert(out.lines.end(), lines.begin(), lines.end());
  take_reclaim_note(out);
  check_at_.reset();
  plan_check(now);
}

manners::output manners::feed(const message& m, const std::string& nick, const isupport& is,
                              uint64_t now) {
  support_ = is;
  nick_ = nick;
  output out;
  const std::string& c = m.command;
  if (burst_ && (c == "376" || c == "422")) start_reclaim(out, nick, now);
  if (c == "KICK" && is.equal(m.param(1), nick)) {
    const std::string& chan = m.param(0);
    std::string reason = m.params.size() > 2 ? m.params.back() : "";
    auto conf = std::find_if(channels_.begin(), channels_.end(),
                             [&](const auto& ch) { return is.equal(ch.name, chan); });
    std::string text =
        "kicked from " + chan + " by " + m.nick() + (reason.empty() ? "" : " (" + reason + ")");
    if (conf == channels_.end()) {
      out.notes.push_back({true, text + "; not a configured channel, not rejoining"});
    } else if (auto delay = rejoin_.kicked(is.fold(chan), now)) {
      out.notes.push_back({true, text + "; rejoining in " + std::to_string(*delay) + " ms"});
    } else {
      out.notes.push_back({true, text + "; rejoin_delay_ms = 0, not rejoining"});
    }
  } else if (c == "JOIN" && is.equal(m.nick(), nick)) {
    rejoin_.joined(is.fold(m.param(0)), now);
  } else if (is_join_refusal(c)) {
    const std::string& chan = m.param(1);
    bool rejoining = rejoin_.refused(is.fold(chan));
    std::string why = m.params.size() > 2 ? m.params.back() : c;
    out.notes.push_back({true, "cannot join " + chan + ": " + why + " (" + c + "); giving up " +
                                   (rejoining ? "rejoining it" : "on it") +
                                   " until the next connection"});
  }
  if (burst_) return out;  // the reclaim has not started; check_at_ is the burst's deadline
  auto lines = reclaim_.feed(m, nick, is);
  out.lines.insert(out.lines.end(), lines.begin(), lines.end());
  take_reclaim_note(out);
  plan_check(now);
  return out;
}

manners::output manners::wake(uint64_t now) {
  output out;
  if (burst_ && check_at_ && *check_at_ <= now) start_reclaim(out, nick_, now);  // no 376/422
  for (const auto& folded : rejoin_.due(now)) {
    auto conf = std::find_if(channels_.begin(), channels_.end(),
                             [&](const auto& ch) { return support_.fold(ch.name) == folded; });
    if (conf == channels_.end() || !is_safe_middle(conf->name)) continue;
    out.lines.push_back("JOIN " + conf->name + (is_safe_middle(conf->key) ? " " + conf->key : ""));
    out.notes.push_back({false, "rejoining " + conf->name});
  }
  if (!burst_ && check_at_ && *check_at_ <= now) {
    auto lines = reclaim_.tick();
    out.lines.insert(out.lines.end(), lines.begin(), lines.end());
    check_at_ = now + check_ms_;
  }
  return out;
}

std::optional<uint64_t> manners::next_wake(uint64_t now) const {
  std::optional<uint64_t> at = rejoin_.next_in(now);
  if (check_at_) {
    uint64_t in = *check_at_ > now ? *check_at_ - now : 0;
    if (!at || in < *at) at = in;
  }
  return at;
}

void manners::disconnected() {
  rejoin_.disconnected();
  reclaim_.reset();
  check_at_.reset();
  burst_ = false;
}

}  // namespace frugal::irc
