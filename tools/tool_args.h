// tool_args: the model's arguments object for one tool call, parsed with simdjson in
// error-code style (the text is untrusted). Getters return an error naming the key; they
// never throw. An empty string counts as {} (models send that for "no arguments").
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frugal::tools {

class tool_args {
 public:
  // Fails unless `json` is empty or a JSON object.
  static result<tool_args> parse(std::string_view json);

  // Missing key: an error when `required`, else `out` is left alone. Wrong type: an error.
  status get_string(const char* key, std::string& out, bool required) const;
  status get_int(const char* key, int64_t& out, bool required) const;
  status get_bool(const char* key, bool& out, bool required) const;
  // An array of strings with at most `max_items` entries.
  status get_string_array(const char* key, std::vector<std::string>& out, bool required,
                          size_t max_items) const;

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::object object_;
  bool empty_ = true;
};

}  // namespace frugal::tools
