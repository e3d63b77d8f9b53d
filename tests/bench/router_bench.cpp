// router_bench: the cost of one routing decision (classifier + tier choice), median nanoseconds
// over batches of a mixed set of example turns. Prints one line per measure; it does not
// assert anything (the unit tests do), and numbers from a Debug/ASan build are pessimistic.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "agent/router/route.h"

namespace {

const char* const turns[] = {
    "hi there",
    "what's the capital of France?",
    "fetch https://example.org/news and summarise the top three stories",
    "```\nfor i in range(3): print(i)\n```\nwhy does this loop print 0?",
    "search the logs and read the last error, and then tell me what broke",
    "thanks, that helped a lot!",
    "can you explain how TCP slow start works and why it matters on lossy links?",
    "1. list the files\n2. delete the old ones\n",
};

template <class Fn>
double median_ns(Fn&& fn, int batches, int per_batch) {
  std::vector<double> samples;
  samples.reserve(batches);
  for (int b = 0; b < batches; ++b) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < per_batch; ++i) fn(i);
    auto end = std::chrono::steady_clock::now();
    samples.push_back(std::chrono::duration<double, std::nano>(end - start).count() / per_batch);
  }
  std::nth_element(samples.begin(), samples.begin() + batches / 2, samples.end());
  return samples[batches / 2];
}

}  // namespace

int main() {
  using namespace frugal;
  const int n_turns = static_cast<int>(std::size(turns));
  std::string long_turn(4000, 'x');
  long_turn += " run the report";

  std::vector<router::route_input> inputs;
  for (int i = 0; i < n_turns; ++i) {
    router::route_input in;
    in.text = turns[i];
    in.available_tiers = {"chat", "local", "tools"};
    in.budget_left = (i % 4 == 0) ? 0.1 : 0.9;
    inputs.push_back(in);
  }

  volatile size_t sink = 0;
  double mixed =
      median_ns([&](int i) { sink = sink + choose(inputs[i % n_turns]).tier.size(); }, 101, 1000);
  double classify_only = median_ns(
      [&](int i) {
        sink = sink + (router::classify_intent(inputs[i % n_turns].text).p_tools > 0.5);
      },
      101, 1000);
  router::route_input big = inputs[0];
  big.text = long_turn;
  double long_ns = median_ns([&](int) { sink = sink + choose(big).tier.size(); }, 51, 200);

  std::printf(
      "router: median %.0f ns per decision with its 3 deciding features (mixed turns, "
      "%d kinds)\n",
      mixed, n_turns);
  std::printf("router: median %.0f ns per classification alone (no explanation)\n", classify_only);
  std::printf("router: median %.0f ns per decision on a %zu-byte turn\n", long_ns,
              long_turn.size());
  return sink == static_cast<size_t>(-1);
}
