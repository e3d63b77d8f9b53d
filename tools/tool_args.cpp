// Argument parsing for tools: simdjson DOM, error codes only, every failure a message the
// model can act on ("argument \"path\" must be a string").
#include "tools/tool_args.h"

namespace frugal::tools {
namespace {

// Looks `key` up; `found` false when the object is empty or lacks it.
simdjson::error_code lookup(const simdjson::dom::object& obj, bool empty, const char* key,
                            simdjson::dom::element& out, bool& found) {
  found = false;
  if (empty) return simdjson::SUCCESS;
  auto err = obj.at_key(key).get(out);
  if (err == simdjson::NO_SUCH_FIELD) return simdjson::SUCCESS;
  if (err) return err;
  found = !out.is_null();
  return simdjson::SUCCESS;
}

error missing(const char* key) {
  return fail("missing argument \"", key, "\"");
}

}  // namespace

result<tool_args> tool_args::parse(std::string_view json) {
  tool_args a;
  size_t first = json.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return a;  // "" or whitespace: no arguments
  a.parser_ = std::make_unique<simdjson::dom::parser>();
  simdjson::dom::element root;
  if (auto err = a.parser_->parse(json.data(), json.size()).get(root))
    return fail("arguments are not valid JSON (", simdjson::error_message(err), ")");
  if (auto err = root.get(a.object_); err) return fail("arguments must be a JSON object");
  a.empty_ = false;
  return a;
}

status tool_args::get_string(const char* key, std::string& out, bool required) const {
  simdjson::dom::element e;
  bool found = false;
  if (lookup(object_, empty_, key, e, found)) return fail("bad argument \"", key, "\"");
  if (!found) return required ? status(missing(key)) : status::success();
  std::string_view v;
  if (e.get(v)) return fail("argument \"", key, "\" must be a string");
  out.assign(v);
  return status::success();
}

status tool_args::get_int(const char* key, int64_t& out, bool required) const {
  simdjson::dom::element e;
  bool found = false;
  if (lookup(object_, empty_, key, e, found)) return fail("bad argument \"", key, "\"");
  if (!found) return required ? status(missing(key)) : status::success();
  int64_t v = 0;
  if (e.get(v)) return fail("argument \"", key, "\" must be an integer");
  out = v;
  return status::success();
}

status tool_args::get_bool(const char* key, bool& out, bool required) const {
  simdjson::dom::element e;
  bool found = false;
  if (lookup(object_, empty_, key, e, found)) return fail("bad argument \"", key, "\"");
  if (!found) return required ? status(missing(key)) : status::success();
  bool v = false;
  if (e.get(v)) return fail("argument \"", key, "\" must be true or false");
  out = v;
  return status::success();
}

status tool_args::get_string_array(const char* key, std::vector<std::string>& out, bool required,
                                   size_t max_items) const {
  simdjson::dom::element e;
  bool found = false;
  if (lookup(object_, empty_, key, e, found)) return fail("bad argument \"", key, "\"");
  if (!found) return required ? status(missing(key)) : status::success();
  simdjson::dom::array arr;
  if (e.get(arr)) return fail("argument \"", key, "\" must be an array of strings");
  std::vector<std::string> items;
  for (simdjson::dom::element item : arr) {
    std::string_view v;
    if (item.get(v)) return fail("argument \"", key, "\" must be an array of strings");
    if (items.size() == max_items)
      return fail("argument \"", key, "\" has more than ", max_items, " items");
    items.emplace_back(v);
  }
  out = std::move(items);
  return status::success();
}

}  // namespace frugal::tools
