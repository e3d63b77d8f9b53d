// Fuzzes what an IRC server's bytes go through (transports/irc): line_buffer over the
// stream cut into pieces, parse() of each line, then the registration state machine, the
// account map, inbound filtering and CTCP answers, as transport.cpp chains them but without
// sockets. Checks: the same lines whole or in pieces, parsed fields as documented, every
// line we would send free of CR/LF/NUL, inbound text clean. It does not run the TLS layer.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "tests/fuzz/fuzz_support.h"
#include "transports/irc/accounts.h"
#include "transports/irc/ctcp.h"
#include "transports/irc/inbound.h"
#include "transports/irc/line_buffer.h"
#include "transports/irc/message.h"
#include "transports/irc/registration.h"

using namespace frugal;
using namespace frugal::irc;

namespace {

bool wire_safe(std::string_view line) {
  return line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void check_message(const message& m) {
  FUZZ_CHECK(!m.command.empty() && m.command.size() <= 32);
  for (char c : m.command) {
    FUZZ_CHECK(std::isalnum(static_cast<unsigned char>(c)));
    FUZZ_CHECK(!std::islower(static_cast<unsigned char>(c)));
  }
  FUZZ_CHECK(m.params.size() <= 64);
  FUZZ_CHECK(m.prefix.find(' ') == std::string::npos);
  for (size_t i = 0; i + 1 < m.params.size(); ++i) {  // middles: no space, no leading ':'
    FUZZ_CHECK(!m.params[i].empty());
    FUZZ_CHECK(m.params[i].find(' ') == std::string::npos && m.params[i][0] != ':');
  }
  for (const auto& [key, value] : m.tags) FUZZ_CHECK(!key.empty());
  (void)m.nick();
}

config::irc_network network_config(uint32_t seed) {
  config::irc_network c;
  c.name = "fuzz";
  c.nick = "bot";
  c.alt_nicks = {"bot_", "bot__"};
  static const char* mechs[] = {"none", "plain", "external"};
  c.sasl = mechs[seed % 3];
  c.sasl_user = "botacct";
  c.sasl_password = "sasl-secret";
  c.nickserv_password = (seed & 4) ? "ns-secret" : "";
  c.server_password = (seed & 8) ? "server-secret" : "";
  c.require_sasl = (seed & 16) != 0;
  c.channels = {{"#a", "", "mention"}, {"#b", "key", "all"}};
  return c;
}

struct session {
  explicit session(uint32_t seed) : cfg(network_config(seed)), reg(cfg) {
    for (const auto& l : reg.begin()) FUZZ_CHECK(wire_safe(l));
  }

  void line(std::string_view raw) {
    auto m = parse(raw);
    if (!m) return;
    check_message(*m);
    for (const std::string& out : reg.feed(*m)) {
      if (!wire_safe(out)) std::fprintf(stderr, "unsafe reply to [%s]\n", std::string(raw).c_str());
      FUZZ_CHECK(wire_safe(out));
    }
    FUZZ_CHECK(wire_safe(reg.nick()));
    accounts.observe(*m, reg.support(), reg.nick());
    (void)account_for(*m, reg.has_cap("account-tag"), accounts, reg.support());
    inbound_context ctx{
        "irc.fuzz", reg.nick(), &reg.support(), &cfg.channels, reg.has_cap("account-tag"),
        &accounts};
    if (auto in = to_inbound(*m, ctx)) {
      FUZZ_CHECK(utf8::valid(in->text));
      for (char c : in->text) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
      FUZZ_CHECK(!in->target.empty());
    }
    // As transport.cpp does: answer CTCP only to a sender whose nick is a safe middle.
    if (m->command == "PRIVMSG" && m->params.size() >= 2 && is_safe_middle(m->nick()))
      if (auto req = parse_ctcp(m->params.back()))
        if (auto reply = ctcp.answer(*req, m->nick(), now_ms += 20000))
          FUZZ_CHECK(wire_safe(*reply));
  }

  config::irc_network cfg;
  registration reg;
  account_map accounts;
  ctcp_responder ctcp{"frugal fuzz"};
  uint64_t now_ms = 1;
};

std::vector<std::string> feed_all(line_buffer& lb, const std::vector<std::string_view>& parts) {
  std::vector<std::string> lines;
  for (std::string_view p : parts)
    for (std::string& l : lb.feed(p)) {
      FUZZ_CHECK(!l.empty());
      FUZZ_CHECK(l.find('\n') == std::string::npos);
      lines.push_back(std::move(l));
    }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint32_t seed = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  line_buffer whole, cut;
  std::vector<std::string> a = feed_all(whole, {in});
  std::vector<std::string> b = feed_all(cut, frugal::fuzz::pieces(in, seed));
  FUZZ_CHECK(a == b);
  FUZZ_CHECK(whole.dropped() == cut.dropped());

  // A small cap reaches the over-long-line path with small inputs.
  size_t cap = 8 + seed % 120;
  line_buffer small_whole(cap), small_cut(cap);
  std::vector<std::string> c = feed_all(small_whole, {in});
  std::vector<std::string> d = feed_all(small_cut, frugal::fuzz::pieces(in, seed * 5 + 1));
  FUZZ_CHECK(c == d);
  FUZZ_CHECK(small_whole.dropped() == small_cut.dropped());
  for (const std::string& l : c) FUZZ_CHECK(l.size() <= cap);

  session s(seed);
  for (const std::string& l : a) s.line(l);
  return 0;
}
