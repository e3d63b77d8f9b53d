// Fuzzes the Matrix /sync parser (transports/matrix/events.h) with the input as the body,
// then runs mention detection and user matching on every event it returns, as the
// transport would. Checks what the header promises: a parsed batch has a next_batch, every
// timeline event has an id, a sender and a type, and an addressed text is a tail of the
// body. It does not drive the sync loop or the sqlite state.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policies/invite.h"
#include "tests/fuzz/fuzz_support.h"
#include "transports/matrix/addressing.h"
#include "transports/matrix/events.h"

using namespace frugal::matrix;

namespace {
constexpr std::string_view own_id = "@frugal:example.org";
frugal::config::matrix_account acct() {
  frugal::config::matrix_account a;
  a.inviters = {"@owner:example.org", "@*:friends.org", "*"};
  return a;
}
const frugal::config::matrix_account account_cfg = acct();

void check_event(const event& ev) {
  addressing a = address(ev, own_id, "Frugal Bot");
  FUZZ_CHECK(a.text.size() <= ev.body.size());
  FUZZ_CHECK(std::string_view(ev.body).ends_with(a.text));
  (void)frugal::policies::may_invite(account_cfg, ev.sender);
  (void)frugal::policies::may_invite(account_cfg, ev.state_key);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto batch = parse_sync(in, own_id);
  if (!batch.ok()) {
    FUZZ_CHECK(!batch.message().empty() && batch.message().size() <= 512);
    return 0;
  }
  FUZZ_CHECK(!batch->next_batch.empty());
  for (const joined_room& room : batch->joined) {
    for (const event& ev : room.timeline) {
      FUZZ_CHECK(!ev.event_id.empty() && !ev.sender.empty() && !ev.type.empty());
      check_event(ev);
    }
    for (const event& ev : room.state) check_event(ev);
  }
  for (const invited_room& room : batch->invited)
    (void)frugal::policies::may_invite(account_cfg, room.inviter);
  return 0;
}
