// toml_reader: strict, typed access to one TOML table for the config loader. Every key
// read is remembered so finish() can reject unknown keys; every error names the file, the
// line and the dotted key ("frugal.toml:12: budget.daily_usd: expected a number").
// Errors are thrown as config_error inside the loader only; load() turns them into values.
#pragma once
#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace frugal::config {

struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class toml_reader {
 public:
  toml_reader(const toml::table& table, std::string file, std::string path);

  // Optional keys: leave `out` unchanged when absent.
  void get(const char* key, std::string& out);
  void get(const char* key, int64_t& out);
  void get(const char* key, double& out);
  void get(const char* key, bool& out);
  void get(const char* key, std::vector<std::string>& out);
  void get(const char* key, std::optional<double>& out);
  // Numbers with their documented range: outside [lo, hi] is an error naming the key
  // ("must be between lo and hi"). Every numeric key of the config is read this way.
  void get(const char* key, int64_t& out, int64_t lo, int64_t hi);
  void get(const char* key, double& out, double lo, double hi);
  // Prices given in USD per million tokens (0 to 1,000,000), stored as micro-dollars per
  // million tokens. A positive price that rounds to 0 µ$ is an error (it would make a
  // paid model free).
  void get_usd(const char* key, int64_t& out_micro);
  // A required key: error when absent.
  void require(const char* key);
  bool has(const char* key) const;

  // Sub-tables: every key of `key` that is itself a table, in file order.
  std::vector<std::pair<std::string, toml_reader>> tables(const char* key);
  std::optional<toml_reader> table(const char* key);
  // Every key of this table, each of which must be a table.
  std::vector<std::pair<std::string, toml_reader>> tables_here();
  // Marks a key as read when the caller parsed it through table_ptr().
  void mark_read(const char* key) { seen_.insert(key); }
  // The array of tables / inline tables at `key`.
  std::vector<toml_reader> table_array(const char* key);

  const toml::table* table_ptr() const { return table_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

  // Throws for any key that was never read.
  void finish() const;
  [[noreturn]] void fail_at(const char* key, const std::string& what) const;
  std::string key_path(const char* key) const;
  int line_of(const char* key) const;

 private:
  const toml::node* node(const char* key);
  const toml::table* table_;
  std::string file_;
  std::string path_;
  std::set<std::string> seen_;
};

}  // namespace frugal::config
