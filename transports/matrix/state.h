// state: what one Matrix account keeps in the shared sqlite database: the sync token, the
// transaction counter, sends not yet acknowledged (with the txn id a retry must reuse), a
// bounded set of event ids already handled, and per-room facts (encrypted, notified,
// direct, member count, members). Rows are keyed by account name. It holds no network logic.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/store/database.h"

namespace frugal::matrix {

struct pending_send {
  int64_t id = 0;
  std::string room_id;
  std::string txn_id;
  std::string content;  // the JSON body of the PUT, fixed at enqueue time
};

// A message received and not yet answered: kept until the daemon says its turn is done,
// so a kill -9 mid-turn does not lose it (the sync token has already moved past it).
struct inbox_entry {
  std::string event_id;
  std::string room_id;
  std::string sender;
  std::string display;
  std::string text;  // addressing prefix removed
  bool direct = false;
  int64_t origin_ts = 0;  // when it was sent, ms since the epoch on this clock (now - age)
};

struct room_info {
  bool encrypted = false;  // m.room.encryption seen: the room is ignored
  bool notified = false;   // the "unencrypted rooms only" notice was queued
  bool direct = false;     // invited with is_direct
  int64_t members = -1;    // joined members from the last summary; -1 unknown
};

class state_store {
 public:
  // Runs the "matrix" migrations on `db` (which must outlive the store).
  static result<state_store> open(store::database& db, std::string account,
                                  size_t seen_limit = 5000);

  // The saved next_batch, "" before the first sync completed.
  result<std::string> next_batch();
  status set_next_batch(std::string_view token);

  // Allocates the next transaction id ("<prefix>.<n>", n persisted and strictly increasing;
  // the prefix is fixed when the account's first row is made, so a wiped database does not
  // reuse ids the homeserver remembers) and stores the send under it, in one transaction.
  result<pending_send> enqueue(std::string_view room_id, std::string_view content);
  // Sends not yet acknowledged, oldest first.
  result<std::vector<pending_send>> pending();
  status remove_pending(int64_t id);

  // Records `event_id`; true the first time, false when it was already recorded. Only the
  // newest seen_limit ids are kept.
  result<bool> mark_seen(std::string_view event_id);

  // In one transaction: mark_seen(e.event_id), and when it is fresh, keep `e` in the inbox
  // until answered(). Returns whether it was fresh. Runs before the sync token that
  // delivered it is saved, so a received message is either replayed or still pending.
  result<bool> receive(const inbox_entry& e);
  // Received and not answered, oldest first.
  result<std::vector<inbox_entry>> inbox();
  status answered(std::string_view event_id);

  result<room_info> room(std::string_view room_id);
  status set_room(std::string_view room_id, const room_info& info);

  // Room membership as the homeserver's m.room.member state says: `membership` "join" or
  // "invite" records the user, anything else ("leave", "ban", "knock") removes them.
  status set_member(std::string_view room_id, std::string_view user_id,
                    std::string_view membership);
  struct room_members {
    std::vector<std::string> joined;   // user ids, sorted
    std::vector<std::string> invited;  // user ids, sorted
  };
  result<room_members> members(std::string_view room_id);

 private:
  state_store(store::database& db, std::string account, size_t seen_limit)
      : db_(&db), account_(std::move(account)), seen_limit_(seen_limit) {}
  store::database* db_;
  std::string account_;
  size_t seen_limit_;
  size_t inserts_since_prune_ = 0;
};

}  // namespace frugal::matrix
