// fold: the history budget's arithmetic — what a request carries (never past the budget,
// never starting with an answer), when and how much to fold (down to half the budget, whole
// exchanges), the summariser's prompt and the stored summary's cap.
#include "agent/session/fold.h"

#include <catch2/catch.hpp>

using namespace frugal;

namespace {

session::window exchanges(int n, size_t bytes) {
  session::window w;
  for (int i = 0; i < n; ++i) {
    w.rows.push_back(
        {2 * i + 1, {llm::role::user, "q" + std::to_string(i) + std::string(bytes, 'u')}});
    w.rows.push_back(
        {2 * i + 2, {llm::role::assistant, "a" + std::to_string(i) + std::string(bytes, 'a')}});
  }
  return w;
}

int64_t tokens(const std::vector<llm::message>& ms) {
  int64_t n = 0;
  for (const auto& m : ms) n += static_cast<int64_t>((m.content.size() + 3) / 4);
  return n;
}

}  // namespace

TEST_CASE("fit sends the newest whole exchanges within the budget, summary first") {
  auto w = exchanges(10, 98);  // 100-byte messages: 25 tokens each
  size_t dropped = 0;
  auto all = session::fit(w, 1000, &dropped);
  CHECK(all.size() == 20);
  CHECK(dropped == 0);
  auto some = session::fit(w, 130, &dropped);  // room for 5 messages: 4 after the cut
  CHECK(tokens(some) <= 130);
  REQUIRE(some.size() == 4);
  CHECK(some.front().role == llm::role::user);
  CHECK(some.front().content.rfind("q8", 0) == 0);
  CHECK(dropped == 16);

  w.summary = "earlier: the user likes tea";
  auto with = session::fit(w, 130, &dropped);
  CHECK(tokens(with) <= 130);
  REQUIRE(with.size() >= 2);
  CHECK(with.front().role == llm::role::user);
  CHECK(with.front().content.find("Summary of the earlier conversation") != std::string::npos);
  CHECK(with.front().content.find("likes tea") != std::string::npos);

  w.summary = std::string(2000, 's');  // bigger than the budget: left out, never sent whole
  auto huge = session::fit(w, 130, &dropped);
  CHECK(tokens(huge) <= 130);
  CHECK(huge.front().content.find("Summary") == std::string::npos);
}

TEST_CASE("plan_fold waits for the budget, then folds down to half of it") {
  auto w = exchanges(4, 98);  // 100-byte messages: 200 tokens
  CHECK(session::plan_fold(w, 200).count == 0);
  auto p = session::plan_fold(w, 160);
  // Kept: the newest whole exchanges within 160 / 4 = 40 tokens: none fits (50 each).
  CHECK(p.count == 8);
  CHECK(p.through_id == 8);
  CHECK(p.summary_max_tokens == 40);
  auto big = exchanges(20, 18);  // 20- and 21-byte messages: 5 or 6 tokens, 230 in all
  auto q = session::plan_fold(big, 160);
  REQUIRE(q.count > 0);
  CHECK(big.rows[q.count].msg.role == llm::role::user);  // the kept part starts an exchange
  int64_t kept = 0;
  for (size_t i = q.count; i < big.rows.size(); ++i)
    kept += session::tokens_of(big.rows[i].msg.content);
  CHECK(kept <= 40);
  CHECK(kept >= 30);  // as much as fits, not everything folded

  auto msgs = session::summary_request(big, q, 160);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].role == llm::role::system);
  CHECK(msgs[1].content.find("user: q0") != std::string::npos);
  CHECK(msgs[1].content.find("assistant: a0") != std::string::npos);
  CHECK(msgs[1].content.find("q" + std::to_string(q.count / 2)) == std::string::npos);
}

TEST_CASE("the summariser sees the previous summary; its answer is capped with a marker") {
  auto w = exchanges(2, 10);
  w.summary = "the user is called Ann";
  session::fold_plan p{4, 4, 50};
  auto msgs = session::summary_request(w, p, 200);
  CHECK(msgs[1].content.find("Summary so far:\nthe user is called Ann") != std::string::npos);
  CHECK(session::clip_summary("  short\n", 50) == "short");
  std::string capped = session::clip_summary(std::string(1000, 'x') + "é", 50);
  CHECK(capped.rfind(std::string(200, 'x'), 0) == 0);
  CHECK(capped.find("bytes cut]") != std::string::npos);
  CHECK(capped.size() < 240);
}
