// Session history: per-key isolation (a public session never sees private messages),
// order, trimming, and the tool-use signal for the router.
#include "agent/session/history.h"

#include <catch2/catch.hpp>

using frugal::core::realm_kind;

using namespace frugal;

TEST_CASE("history is kept per realm, transport and target, oldest first") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto h = session::history::open(*db);
  REQUIRE(h.ok());
  session::key priv{realm_kind::private_, "irc.libera", "#chan"};
  session::key pub{realm_kind::public_, "irc.libera", "#chan"};
  REQUIRE(h->append(priv, "my secret is 42", "noted", 0, 100).ok());
  REQUIRE(h->append(pub, "hello", "hi there", 2, 100).ok());
  auto p = h->load(pub, 10);
  REQUIRE(p.ok());
  REQUIRE(p->size() == 2);
  CHECK((*p)[0].content == "hello");
  CHECK((*p)[0].role == llm::role::user);
  CHECK((*p)[1].content == "hi there");
  for (const auto& m : *p) CHECK(m.content.find("42") == std::string::npos);
  auto recent = h->recent_tool_calls(pub, 3);
  REQUIRE(recent.ok());
  CHECK(*recent == 2);
  CHECK(*h->recent_tool_calls(priv, 3) == 0);
}

TEST_CASE("history is trimmed to the newest messages and never starts with an answer") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto h = session::history::open(*db);
  REQUIRE(h.ok());
  session::key k{realm_kind::private_, "stdin", "chat"};
  for (int i = 0; i < 10; ++i)
    REQUIRE(h->append(k, "q" + std::to_string(i), "a" + std::to_string(i), 0, 6).ok());
  auto all = h->load(k, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 6);
  CHECK(all->front().content == "q7");
  CHECK(all->back().content == "a9");
  auto window = h->load(k, 3);  // q8? no: the window a8,q9,a9 drops the leading answer
  REQUIRE(window.ok());
  REQUIRE(window->size() == 2);
  CHECK(window->front().content == "q9");
}

TEST_CASE("append with replace starts the session over in the same transaction") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto h = session::history::open(*db);
  REQUIRE(h.ok());
  session::key ask{realm_kind::private_, "stdin", "ask"};
  session::key other{realm_kind::private_, "stdin", "ask:nightly"};
  REQUIRE(h->append(ask, "a big log", "summary", 3, 100).ok());
  REQUIRE(h->append(other, "kept", "yes", 0, 100).ok());
  REQUIRE(h->append(ask, "digest", "ok", 0, 100, /*replace=*/true).ok());
  auto a = h->load(ask, 100);
  REQUIRE(a.ok());
  REQUIRE(a->size() == 2);
  CHECK(a->front().content == "digest");
  CHECK(*h->recent_tool_calls(ask, 3) == 0);
  CHECK(h->load(other, 100)->size() == 2);
}

TEST_CASE("a direct message's session is its sender's, never the nick's (issue 13 item 8)") {
  auto dm = [](std::string network, std::string account, std::string mask, std::string target) {
    core::inbound m;
    m.transport = network == "irc" ? "irc.libera" : "matrix.main";
    m.from = {network, account, mask, target};
    m.target = target;
    m.direct = true;
    return m;
  };
  auto bob1 = dm("irc", "", "bob!b@first.example", "bob");
  auto bob2 = dm("irc", "", "bob!x@other.example", "bob");
  auto k1 = session::key_for(realm_kind::public_, bob1),
       k2 = session::key_for(realm_kind::public_, bob2);
  CHECK(k1.target == "irc:mask:bob!b@first.example");
  CHECK(k1.target != k2.target);
  // An account is the person wherever they connect from and whatever their nick.
  CHECK(session::key_for(realm_kind::private_, dm("irc", "Alice", "alice!a@h1", "alice")).target ==
        session::key_for(realm_kind::private_, dm("irc", "alice", "al!z@h2", "al")).target);
  CHECK(session::key_for(realm_kind::public_, dm("matrix", "@bob:example.org", "", "!room:x"))
            .target == "matrix:@bob:example.org");
  auto chan = bob1;
  chan.direct = false;
  chan.target = "#chan";
  CHECK(session::key_for(realm_kind::public_, chan).target == "#chan");
  core::inbound ask;
  ask.transport = "stdin";
  ask.from.network = "stdin";
  ask.target = "ask";
  ask.direct = true;
  CHECK(session::key_for(realm_kind::private_, ask).target == "ask");

  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto h = session::history::open(*db);
  REQUIRE(h.ok());
  REQUIRE(h->append(k1, "my address is 1 Elm St", "noted", 0, 100).ok());
  auto other = h->load(k2, 10);
  REQUIRE(other.ok());
  CHECK(other->empty());  // before: both keyed (public, irc.libera, "bob")
}

TEST_CASE("a fold replaces the oldest rows with one summary, in its own session only") {
  auto db = store::database::open_memory();
  REQUIRE(db.ok());
  auto h = session::history::open(*db);
  REQUIRE(h.ok());
  session::key pub{realm_kind::public_, "irc.libera", "#chan"};
  session::key priv{realm_kind::private_, "irc.libera", "#chan"};
  for (int i = 0; i < 4; ++i) {
    REQUIRE(h->append(pub, "q" + std::to_string(i), "a" + std::to_string(i), 0, 100).ok());
    REQUIRE(h->append(priv, "secret" + std::to_string(i), "ok", 0, 100).ok());
  }
  auto w = h->load_window(pub);
  REQUIRE(w.ok());
  REQUIRE(w->rows.size() == 8);
  CHECK(w->summary.empty());
  const int64_t through = w->rows[3].id;  // q0 a0 q1 a1
  auto won = h->fold(pub, 0, through, "they said q0 and q1");
  REQUIRE(won.ok());
  CHECK(*won);
  auto after = h->load_window(pub);
  REQUIRE(after.ok());
  CHECK(after->summary == "they said q0 and q1");
  CHECK(after->summary_through == through);
  REQUIRE(after->rows.size() == 4);
  CHECK(after->rows.front().msg.content == "q2");
  // The private session with the same transport and target is untouched.
  auto p = h->load_window(priv);
  REQUIRE(p.ok());
  CHECK(p->summary.empty());
  CHECK(p->rows.size() == 8);

  SECTION("a fold started from an older summary loses and changes nothing") {
    auto stale = h->fold(pub, 0, after->rows[1].id, "stale");
    REQUIRE(stale.ok());
    CHECK_FALSE(*stale);
    CHECK(h->load_window(pub)->summary == "they said q0 and q1");
    CHECK(h->load_window(pub)->rows.size() == 4);
  }
  SECTION("drop deletes the oldest rows and keeps the summary") {
    REQUIRE(h->drop(pub, after->rows[1].id).ok());
    auto d = h->load_window(pub);
    CHECK(d->summary == "they said q0 and q1");
    REQUIRE(d->rows.size() == 2);
    CHECK(d->rows.front().msg.content == "q3");
  }
  SECTION("a one-shot replace starts over without the summary") {
    REQUIRE(h->append(pub, "fresh", "start", 0, 100, /*replace=*/true).ok());
    auto f = h->load_window(pub);
    CHECK(f->summary.empty());
    CHECK(f->rows.size() == 2);
  }
}
