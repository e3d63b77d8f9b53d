// arg_parser: the command line's one parser. A command declares its options as a table of
// option_spec (long name, short letter, value name, help, where the value goes) and its
// positionals as positional_spec; parse_args walks argv with glibc's getopt_long against
// that table and help_text prints the same table, so the help cannot drift from what is
// parsed. Not a general library: only the value kinds the commands use.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace frugal::cli {

// One option. Exactly one target (flag, count, text, number) is set, or `stop` is. Accepted
// as --name VALUE, --name=VALUE, -l VALUE, -lVALUE; short flags cluster (-vv). A long name
// must be written whole (no getopt abbreviations), so adding an option never changes what
// an existing command line means.
struct option_spec {
  enum class action : unsigned char { none, help, version };

  const char* name;          // the long name, without "--"
  char letter = 0;           // the short form, 0 for none
  const char* value_name{};  // text and number: the placeholder in help (FILE, N)
  const char* help = "";
  bool* flag{};         // set to true when given (repeating is harmless)
  int* count{};         // one more each time given (-v, -vv)
  std::string* text{};  // the value; at most once
  int64_t* number{};    // the value, a decimal integer in [min, max]; at most once
  int64_t min = 0, max = 0;
  const char* const* choices{};  // text: the allowed values, a nullptr-terminated list
  const char* excludes{};        // the long name of an option that may not come with this
  bool* given{};                 // also set to true when given (init: "was any option given")
  action stop = action::none;    // help or version: parsing stops and says so
};

// A positional: `one` takes exactly one word (required), `rest` every word left (optional).
struct positional_spec {
  const char* value_name;  // TARGET, TEXT
  const char* help;
  std::string* one{};
  std::vector<std::string>* rest{};
};

struct arg_table {
  std::vector<option_spec> options;  // -h/--help is implied
  std::vector<positional_spec> positionals;
};

enum class parsed : unsigned char { ok, help, version };

// Parses argv[1..argc) (argv[0] is the program or command word) against `t`, writing the
// targets. With `stop_at_word` set, parsing stops at the first word that is not an option
// (or after "--") and stores its index there; positionals are not bound. Otherwise options
// may come anywhere, words (and everything after "--") go to the positionals in order.
// When a name or letter appears twice in `t`, the first entry owns it. Returns help or
// version as soon as such an option is met; an error is one line naming the option
// ("unknown option --x", "--tier needs a value NAME", "--history: 0 is not in 1-3660").
result<parsed> parse_args(int argc, char* const* argv, const arg_table& t,
                          int* stop_at_word = nullptr);

// "Arguments:" and "Options:" sections for `t`, one line per entry (the first line is
// -h, --help), a text option's current non-empty value shown as its default.
std::string help_text(const arg_table& t);

}  // namespace frugal::cli
