// The reclaim reactions. MONITOR replies list targets separated by commas (730 as
// nick!user@host, 731 as nick); ISON replies list the online nicks separated by spaces.
#include "transports/irc/nick_reclaim.h"

#include <sstream>

namespace frugal::irc {

namespace {
// True if `list`, split at `sep`, names `nick` (an entry may carry !user@host).
bool lists(const std::string& list, char sep, const std::string& nick, const isupport& is) {
  std::istringstream in(list);
  for (std::string item; std::getline(in, item, sep);) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    std::string who = item.substr(0, item.find('!'));
    if (!who.empty() && is.equal(who, nick)) return true;
  }
  return false;
}

const std::string& last(const message& m) {
  return m.param(m.params.empty() ? 0 : m.params.size() - 1);
}
}  // namespace

std::vector<std::string> nick_reclaim::start(const std::string& current, const isupport& is) {
  std::vector<std::string> out = stop();
  current_ = current;
  if (!enabled_ || is.equal(current, wanted_) || !is_safe_middle(wanted_)) return out;
  if (is.monitor > 0) {
    mode_ = mode::monitor;
    monitoring_ = true;
    out.push_back("MONITOR + " + wanted_);
  } else {
    mode_ = mode::poll;
  }
  note_ = "registered as " + current + "; watching for " + wanted_ + " to become free (" +
          (mode_ == mode::monitor ? "MONITOR" : "ISON") + ")";
  return out;
}

std::vector<std::string> nick_reclaim::stop() {
  std::vector<std::string> out;
  if (monitoring_) out.push_back("MONITOR - " + wanted_);
  monitoring_ = false;
  asked_ = false;
  mode_ = mode::off;
  return out;
}

void nick_reclaim::reset() {
  mode_ = mode::off;
  monitoring_ = false;
  asked_ = false;
  current_.clear();
  note_.clear();
}

std::vector<std::string> nick_reclaim::claim(const std::string& why) {
  note_ = wanted_ + " " + why + "; taking it back";
  return {"NICK " + wanted_};
}

std::vector<std::string> nick_reclaim::feed(const message& m, const std::string& current,
                                            const isupport& is) {
  if (!is.equal(current, current_)) {
    bool had_wanted = is.equal(current_, wanted_);
    current_ = current;
    if (is.equal(current, wanted_)) {
      bool was_watching = watching();
      auto out = stop();
      if (was_watching) note_ = "now using the configured nick " + wanted_;
      return out;
    }
    if (had_wanted) return start(current, is);  // moved off it (services, SANICK)
    return {};
  }
  if (mode_ == mode::off) return {};
  const std::string& c = m.command;
  if (c == "731" && mode_ == mode::monitor && lists(last(m), ',', wanted_, is))
    return claim("is free (MONITOR)");
  if (c == "303" && asked_) {
    asked_ = false;
    if (!lists(last(m), ' ', wanted_, is)) return claim("is free (ISON)");
    return {};
  }
  if (c == "734" && mode_ == mode::monitor) {  // our MONITOR list is full: poll instead
    monitoring_ = false;
    mode_ = mode::poll;
    return {};
  }
  if ((c == "432" || c == "433" || c == "436" || c == "437") && is.equal(m.param(1), wanted_)) {
    if (c == "432") {
      auto out = stop();
      note_ = "the server refuses the nick " + wanted_ + " (432); keeping " + current;
      return out;
    }
    // 433/436: taken again (MONITOR reports when it frees; polling asks again). 437: held
    // by the server for a while, which MONITOR does not report: poll until it is released.
    if (c == "437") mode_ = mode::poll;
    note_ = wanted_ + " is not available yet (" + c + "); keeping " + current;
  }
  return {};
}

std::vector<std::string> nick_reclaim::tick() {
  if (mode_ != mode::poll) return {};
  asked_ = true;
  return {"ISON " + wanted_};
}

}  // namespace frugal::irc
