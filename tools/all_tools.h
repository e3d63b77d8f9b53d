// all_tools: one accessor per tool file, used by registry.cpp to build the table, plus the
// small output helpers every tool shares. Each accessor returns that file's
// `static const descriptor`.
#pragma once
#include <string>

#include "tools/tool.h"

namespace frugal::tools {

const descriptor& clock_tool();
const descriptor& read_file_tool();
const descriptor& write_file_tool();
const descriptor& list_dir_tool();
const descriptor& shell_tool();
const descriptor& http_get_tool();
const descriptor& memory_remember_tool();
const descriptor& memory_recall_tool();
const descriptor& memory_forget_tool();

inline output tool_ok(std::string text) {
  return output{false, std::move(text)};
}
inline output tool_error(std::string text) {
  return output{true, std::move(text)};
}
// The tool refused the call by its own rule: the audit row says "denied" (tools/runner.h).
inline output tool_refused(std::string text) {
  output out{true, std::move(text)};
  out.refused = refusal::tool;
  return out;
}
// `e` as the call's result, prefixed with `prefix`: a refusal when a rule refused it
// (error::refused), an error otherwise.
inline output tool_error(const error& e, const std::string& prefix = {}) {
  return e.refused ? tool_refused(prefix + e.message) : tool_error(prefix + e.message);
}

}  // namespace frugal::tools
