// parse_bench: throughput of the two parsers that see the most bytes: the IRC line path
// (line buffer + message parser, fed a realistic mix of server lines in 4 KiB reads) and
// the SSE splitter (an OpenAI-style stream in 1.5 KiB reads). Prints lines/s and MB/s,
// median of 7 runs. Figures, not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "llm/sse.h"
#include "transports/irc/line_buffer.h"
#include "transports/irc/message.h"

using namespace frugal;
using clock_type = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string irc_corpus(size_t& lines) {
  const char* samples[] = {
      "@time=2026-11-25T12:00:00.000Z;account=alice :alice!a@host.example PRIVMSG #frugal "
      ":frugalbot: what is the weather like today?\r\n",
      ":bob!b@10.0.0.1 PRIVMSG #frugal :just chatting, nothing to see here\r\n",
      "PING :irc.example.org\r\n",
      ":irc.example.org 353 frugalbot = #frugal :@alice +bob carol dave erin frank\r\n",
      ":carol!c@c.example JOIN #frugal carol :Carol C\r\n",
      ":irc.example.org 005 frugalbot CHANTYPES=# CASEMAPPING=rfc1459 NICKLEN=30 "
      "LINELEN=512 :are supported by this server\r\n"};
  std::string s;
  lines = 0;
  while (s.size() < (8u << 20)) {
    for (const char* l : samples) {
      s += l;
      ++lines;
    }
  }
  return s;
}

std::string sse_corpus() {
  std::string s;
  while (s.size() < (8u << 20))
    s += "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
         "\"delta\":{\"content\":\"hello world, \"},\"finish_reason\":null}]}\n\n";
  return s;
}

}  // namespace

int main() {
  size_t lines = 0;
  std::string irc = irc_corpus(lines);
  std::vector<double> irc_rates;
  size_t parsed = 0;
  for (int run = 0; run < 7; ++run) {
    irc::line_buffer buf;
    auto t0 = clock_type::now();
    for (size_t off = 0; off < irc.size(); off += 4096) {
      for (const auto& line : buf.feed(std::string_view(irc).substr(off, 4096)))
        parsed += irc::parse(line).has_value();
    }
    double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    irc_rates.push_back(static_cast<double>(lines) / s);
  }
  std::printf("irc line buffer + parse  %.0f lines/s (median of 7, %zu lines, %.1f MiB)\n",
              median(irc_rates), lines, irc.size() / 1048576.0);

  std::string sse = sse_corpus();
  std::vector<double> sse_rates;
  size_t events = 0;
  for (int run = 0; run < 7; ++run) {
    llm::sse::parser p(1 << 20);
    std::vector<llm::sse::event> out;
    auto t0 = clock_type::now();
    for (size_t off = 0; off < sse.size(); off += 1500) {
      out.clear();
      (void)p.feed(std::string_view(sse).substr(off, 1500), out);
      events += out.size();
    }
    double s = std::chrono::duration<double>(clock_type::now() - t0).count();
    sse_rates.push_back(sse.size() / 1e6 / s);
  }
  std::printf("sse splitter             %.0f MB/s (median of 7, %.1f MiB)\n", median(sse_rates),
              sse.size() / 1048576.0);
  return parsed > 0 && events > 0 ? 0 : 1;
}
