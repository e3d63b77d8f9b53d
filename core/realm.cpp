// realm: parse_realm(), the way back from a realm's name (config keys, sqlite rows) to its
// realm_kind. Exact match only: a name that differs by case is a different, unknown realm.
#include "core/realm.h"

namespace frugal::core {

result<realm_kind> parse_realm(std::string_view text) {
  for (realm_kind r : every_realm)
    if (text == realm_name(r)) return r;
  return fail("unknown realm \"", text, "\" (use \"private\" or \"public\")");
}

}  // namespace frugal::core
