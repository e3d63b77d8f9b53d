// Strict TOML access with file:line:key errors. toml++ keeps source positions on every
// node, which is what makes the one-line error possible.
#include "core/config/toml_reader.h"

#include <cmath>
#include <cstdio>

namespace frugal::config {

toml_reader::toml_reader(const toml::table& table, std::string file, std::string path)
    : table_(&table), file_(std::move(file)), path_(std::move(path)) {}

std::string toml_reader::key_path(const char* key) const {
  if (!key) return path_;  // the table itself (fail_at(nullptr, ...))
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

int toml_reader::line_of(const char* key) const {
  const toml::node* n = key ? table_->get(key) : nullptr;
  if (n) return static_cast<int>(n->source().begin.line);
  return static_cast<int>(table_->source().begin.line);
}

void toml_reader::fail_at(const char* key, const std::string& what) const {
  std::string where = key_path(key);  // empty for the top-level table
  throw config_error(file_ + ":" + std::to_string(line_of(key)) + ": " +
                     (where.empty() ? "" : where + ": ") + what);
}

const toml::node* toml_reader::node(const char* key) {
  seen_.insert(key);
  return table_->get(key);
}

bool toml_reader::has(const char* key) const {
  return table_->contains(key);
}

void toml_reader::require(const char* key) {
  if (!has(key)) fail_at(nullptr, std::string("missing required key '") + key + "'");
}

void toml_reader::get(const char* key, std::string& out) {
  const toml::node* n = node(key);
  if (!n) return;
  auto v = n->value<std::string>();
  if (!n->is_string() || !v) fail_at(key, "expected a string");
  out = *v;
}

void toml_reader::get(const char* key, int64_t& out) {
  const toml::node* n = node(key);
  if (!n) return;
  if (!n->is_integer()) fail_at(key, "expected an integer");
  out = *n->value<int64_t>();
}

void toml_reader::get(const char* key, double& out) {
  const toml::node* n = node(key);
  if (!n) return;
  if (n->is_integer()) {
    out = static_cast<double>(*n->value<int64_t>());
  } else if (n->is_floating_point()) {
    out = *n->value<double>();
  } else {
    fail_at(key, "expected a number");
  }
  if (!std::isfinite(out)) fail_at(key, "expected a finite number");
}

namespace {
std::string range_text(double lo, double hi) {
  auto text = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return std::string(buf);
  };
  return "must be between " + text(lo) + " and " + text(hi);
}
}  // namespace

void toml_reader::get(const char* key, int64_t& out, int64_t lo, int64_t hi) {
  if (!has(key)) {
    seen_.insert(key);
    return;
  }
  int64_t v = 0;
  get(key, v);
  if (v < lo || v > hi)
    fail_at(key, range_text(static_cast<double>(lo), static_cast<double>(hi)) + " (got " +
                     std::to_string(v) + ")");
  out = v;
}

void toml_reader::get(const char* key, double& out, double lo, double hi) {
  if (!has(key)) {
    seen_.insert(key);
    return;
  }
  double v = 0;
  get(key, v);
  if (v < lo || v > hi) fail_at(key, range_text(lo, hi));
  out = v;
}

void toml_reader::get(const char* key, std::optional<double>& out) {
  if (!has(key)) {
    seen_.insert(key);
    return;
  }
  double d = 0;
  get(key, d);
  out = d;
}

void toml_reader::get(const char* key, bool& out) {
  const toml::node* n = node(key);
  if (!n) return;
  if (!n->is_boolean()) fail_at(key, "expected true or false");
  out = *n->value<bool>();
}

void toml_reader::get(const char* key, std::vector<std::string>& out) {
  const toml::node* n = node(key);
  if (!n) return;
  const toml::array* arr = n->as_array();
  if (!arr) fail_at(key, "expected an array of strings");
  out.clear();
  for (const auto& item : *arr) {
    auto v = item.value<std::string>();
    if (!item.is_string() || !v) fail_at(key, "expected an array of strings");
    out.push_back(*v);
  }
}

void toml_reader::get_usd(const char* key, int64_t& out_micro) {
  if (!has(key)) {
    seen_.insert(key);
    return;
  }
  double usd = 0;
  get(key, usd);
  if (usd < 0) fail_at(key, "must not be negative");
  if (usd > 1e6) fail_at(key, "implausibly large price");
  out_micro = static_cast<int64_t>(std::llround(usd * 1e6));
  if (usd > 0 && out_micro == 0)
    fail_at(key,
            "rounds to $0 (prices are counted in whole micro-dollars per million tokens: "
            "use 0 for a free model or at least 0.000001)");
}

std::vector<std::pair<std::string, toml_reader>> toml_reader::tables(const char* key) {
  auto sub = table(key);
  if (!sub) return {};
  return sub->tables_here();
}

std::vector<std::pair<std::string, toml_reader>> toml_reader::tables_here() {
  std::vector<std::pair<std::string, toml_reader>> out;
  for (const auto& [k, v] : *table_) {
    std::string name(k.str());
    seen_.insert(name);
    const toml::table* sub = v.as_table();
    if (!sub) fail_at(name.c_str(), "expected a table ([" + key_path(name.c_str()) + "])");
    out.emplace_back(name, toml_reader(*sub, file_, key_path(name.c_str())));
  }
  return out;
}

std::optional<toml_reader> toml_reader::table(const char* key) {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  const toml::table* t = n->as_table();
  if (!t) fail_at(key, "expected a table");
  return toml_reader(*t, file_, key_path(key));
}

std::vector<toml_reader> toml_reader::table_array(const char* key) {
  std::vector<toml_reader> out;
  const toml::node* n = node(key);
  if (!n) return out;
  const toml::array* arr = n->as_array();
  if (!arr) fail_at(key, "expected an array of tables");
  size_t i = 0;
  for (const auto& item : *arr) {
    const toml::table* t = item.as_table();
    if (!t) fail_at(key, "expected an array of tables");
    out.emplace_back(*t, file_, key_path(key) + "[" + std::to_string(i++) + "]");
  }
  return out;
}

void toml_reader::finish() const {
  for (const auto& [k, v] : *table_) {
    std::string name(k.str());
    if (!seen_.count(name)) {
      throw config_error(file_ + ":" + std::to_string(v.source().begin.line) + ": " +
                         key_path(name.c_str()) + ": unknown key");
    }
  }
}

}  // namespace frugal::config
