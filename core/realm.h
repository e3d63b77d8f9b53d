// realm: the two realms as a type, and the one place their names are spelled. Config,
// ledger, audit, history and memory rows hold the name as text; everything in between
// holds a realm_kind. This file does not decide who belongs to which realm (policies/realm.h).
#pragma once
#include <string_view>

#include "core/result.h"

namespace frugal::core {

// In the order of their names, so a std::map keyed by realm_kind iterates as one keyed by
// the names did. Fields that hold one default to public_, the realm with less power.
enum class realm_kind : unsigned char { private_, public_ };

inline constexpr realm_kind every_realm[] = {realm_kind::private_, realm_kind::public_};

// "private" or "public": the text in the config ([realms.NAME]), logs, dry-run output and
// the realm column of sqlite rows.
constexpr std::string_view realm_name(realm_kind r) {
  return r == realm_kind::private_ ? "private" : "public";
}

// The realm named `text`, exactly as realm_name() spells it (case-sensitive). Anything else
// is an error: unknown realm "Public" (use "private" or "public").
result<realm_kind> parse_realm(std::string_view text);

}  // namespace frugal::core
