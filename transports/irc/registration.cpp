// Registration as a table of reactions to server messages. The SASL payload is built here
// and only here; it is never logged. CAP END is sent on every path out of negotiation so a
// server never waits on us.
#include "transports/irc/registration.h"

#include <openssl/evp.h>

#include <algorithm>
#include <sstream>

namespace frugal::irc {

namespace {
std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool is_nick_error(const std::string& c) {
  return c == "432" || c == "433" || c == "436" || c == "437";
}
}  // namespace

std::vector<std::string> authenticate_lines(std::string_view payload) {
  std::string encoded = base64(payload);
  std::vector<std::string> out;
  for (size_t i = 0; i < encoded.size(); i += 400)
    out.push_back("AUTHENTICATE " + encoded.substr(i, 400));
  if (encoded.size() % 400 == 0) out.push_back("AUTHENTICATE +");
  return out;
}

registration::registration(const config::irc_network& cfg) : cfg_(cfg), nick_(cfg.nick) {}

std::vector<std::string> registration::begin() {
  std::vector<std::string> out;
  if (!cfg_.server_password.empty())
    out.push_back("PASS :" + strip_line_breaks(cfg_.server_password));
  out.push_back("CAP LS 302");
  out.push_back("NICK " + nick_);
  out.push_back("USER " + cfg_.username + " 0 * :" + strip_line_breaks(cfg_.realname));
  return out;
}

std::string registration::sasl_mechanism() const {
  if (cfg_.sasl == "plain") return "PLAIN";
  if (cfg_.sasl == "external") return "EXTERNAL";
  return "";
}

std::vector<std::string> registration::feed(const message& m) {
  const std::string& c = m.command;
  // The token is echoed: a bare CR inside it (only LF ends a line) must not reach the wire.
  if (c == "PING")
    return {m.params.empty() ? "PONG" : "PONG :" + strip_line_breaks(m.params.back())};
  if (phase_ == phase::quitting) return {};
  if (c == "CAP") return on_cap(m);
  if (c == "005") {
    support_.apply(m);
    return {};
  }
  if (c == "001") return on_welcome(m);
  if (c == "NICK" && registered() && support_.equal(m.nick(), nick_)) {
    nick_ = m.param(0);
    return {};
  }
  if (is_nick_error(c) && !registered()) return next_nick();
  if (phase_ == phase::sasl) {
    if (c == "AUTHENTICATE" && m.param(0) == "+") {
      std::string mech = sasl_mechanism();
      if (mech == "EXTERNAL") return {"AUTHENTICATE +"};
      std::string user = cfg_.sasl_user.empty() ? cfg_.nick : cfg_.sasl_user;
      std::string payload = user + '\0' + user + '\0' + cfg_.sasl_password;
      return authenticate_lines(payload);
    }
    if (c == "900") account_ = m.param(2);
    if (c == "903" || c == "907") {
      sasl_ok_ = true;
      phase_ = phase::registering;
      return {"CAP END"};
    }
    if (c == "902" || c == "904" || c == "905" || c == "906")
      return sasl_failed("SASL authentication failed (" + c + ")");
    return {};
  }
  if (c == "900") account_ = m.param(2);
  return {};
}

std::vector<std::string> registration::on_cap(const message& m) {
  std::string sub = upper(m.param(1));
  if (sub == "LS" && phase_ == phase::caps) {
    bool more = m.params.size() >= 4 && m.param(2) == "*";
    for (const auto& w : words(m.params.back())) {
      size_t eq = w.find('=');
      offered_.emplace_back(w.substr(0, eq), eq == std::string::npos ? "" : w.substr(eq + 1));
    }
    // A CAP LS that never ends must not keep us waiting: stop listening after a while.
    if (more && ++ls_lines_ < max_cap_ls_lines) return {};
    return finish_ls();
  }
  if ((sub == "ACK" || sub == "NAK") && phase_ == phase::caps) {
    bool more = m.params.size() >= 4 && m.param(2) == "*";
    if (sub == "NAK") {
      if (cfg_.require_sasl) return sasl_missing("the server refused the SASL capability");
      phase_ = phase::registering;
      return {"CAP END"};
    }
    ack_pending_ += " " + m.params.back();
    if (more) return {};
    std::string list = std::move(ack_pending_);
    ack_pending_.clear();
    return on_ack(list);
  }
  if (sub == "ACK") {  // a later ACK (after CAP REQ from elsewhere) still counts
    for (const auto& w : words(m.params.back())) acked_.insert(w);
  } else if (sub == "DEL") {
    for (const auto& w : words(m.params.back())) acked_.erase(w);
  }
  return {};
}

std::vector<std::string> registration::finish_ls() {
  std::string mech = sasl_mechanism();
  std::string req;
  bool sasl_usable = false, sasl_listed = false;
  for (std::string_view want : wanted_caps) {
    auto it = std::find_if(offered_.begin(), offered_.end(),
                           [&](const auto& o) { return o.first == want; });
    if (it == offered_.end()) continue;
    if (want == "sasl") {
      sasl_listed = true;
      if (mech.empty()) continue;
      auto mechs = it->second;  // "PLAIN,EXTERNAL" in 302, or empty (unknown)
      if (!mechs.empty() && ("," + mechs + ",").find("," + mech + ",") == std::string::npos)
        continue;
      sasl_usable = true;
    }
    req += (req.empty() ? "" : " ") + std::string(want);
  }
  if (!mech.empty() && !sasl_usable && cfg_.require_sasl) {
    std::string why = "SASL " + mech + " is not offered by the server";
    return sasl_listed ? quit(why) : sasl_missing(why);
  }
  if (req.empty()) {
    phase_ = phase::registering;
    return {"CAP END"};
  }
  return {"CAP REQ :" + req};
}

std::vector<std::string> registration::on_ack(const std::string& list) {
  for (const auto& w : words(list)) acked_.insert(w[0] == '-' ? w.substr(1) : w);
  std::string mech = sasl_mechanism();
  if (!mech.empty() && has_cap("sasl")) {
    phase_ = phase::sasl;
    return {"AUTHENTICATE " + mech};
  }
  if (!mech.empty() && cfg_.require_sasl) return sasl_missing("SASL capability not acknowledged");
  phase_ = phase::registering;
  return {"CAP END"};
}

std::vector<std::string> registration::sasl_failed(const std::string& why) {
  if (cfg_.require_sasl) return quit(why);
  failure_ = why;  // noted; registration continues unauthenticated
  phase_ = phase::registering;
  return {"CAP END"};
}

std::vector<std::string> registration::quit(const std::string& why) {
  failure_ = why;
  phase_ = phase::quitting;
  return {"QUIT :" + why};
}

std::vector<std::string> registration::sasl_missing(const std::string& why) {
  sasl_unavailable_ = true;
  return quit(why);
}

std::vector<std::string> registration::next_nick() {
  ++nick_attempts_;
  if (nick_attempts_ >= max_nick_attempts) return quit("no usable nick");
  size_t alt = static_cast<size_t>(nick_attempts_ - 1);
  if (alt < cfg_.alt_nicks.size())
    nick_ = cfg_.alt_nicks[alt];
  else
    nick_ = cfg_.nick + std::to_string(nick_attempts_ - cfg_.alt_nicks.size());
  return {"NICK " + nick_};
}

std::vector<std::string> registration::on_welcome(const message& m) {
  if (registered()) return {};
  // 001's first parameter is the nick the server registered us under: the one we sent, or
  // another one followed by the welcome text (a server may shorten or change it). Anything
  // else is not a welcome (a broken or hostile server, a stray line): wait on.
  const std::string& nick = m.param(0);
  bool usable =
      !nick.empty() && nick != "*" && is_safe_middle(nick) && nick.find(',') == std::string::npos;
  if (!usable || (m.params.size() < 2 && !support_.equal(nick, nick_))) return {};
  if (cfg_.require_sasl && !sasl_succeeded()) return quit("SASL is required but did not succeed");
  nick_ = nick;
  phase_ = phase::registered;
  std::vector<std::string> out;
  if (!cfg_.nickserv_password.empty() && !sasl_succeeded()) {
    std::string who = cfg_.sasl_user.empty() ? cfg_.nick : cfg_.sasl_user;
    out.push_back("PRIVMSG NickServ :IDENTIFY " + who + " " +
                  strip_line_breaks(cfg_.nickserv_password));
  }
  for (const auto& ch : cfg_.channels) {
    if (!is_safe_middle(ch.name)) continue;
    out.push_back("JOIN " + ch.name + (is_safe_middle(ch.key) ? " " + ch.key : ""));
  }
  return out;
}

}  // namespace frugal::irc
