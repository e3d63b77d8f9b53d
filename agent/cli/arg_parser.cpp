// The table-driven argv parser on glibc's getopt_long (no argument library: CLI11 cost
// ~105 KB of the stripped binary for what these ~250 lines do). getopt_long keeps its
// state in globals (optind, optarg, optopt); each parse resets them, and the front end is
// single-threaded when it parses.
#include "agent/cli/arg_parser.h"

#include <getopt.h>

#include <charconv>
#include <cstring>

namespace frugal::cli {
namespace {

bool takes_value(const option_spec& o) {
  return o.text || o.number;
}

// getopt_long's value for the long form of entry i; a short form returns its letter.
constexpr int k_long_base = 0x100;

std::string dashed(const option_spec& o) {
  return std::string("--") + o.name;
}

// "--name" of an argv element "--name=value".
std::string option_word(const char* element) {
  const char* eq = std::strchr(element, '=');
  return eq ? std::string(element, eq) : std::string(element);
}

status store_value(const option_spec& o, const char* value) {
  if (o.number) {
    int64_t n = 0;
    const char* end = value + std::strlen(value);
    auto [at, ec] = std::from_chars(value, end, n);
    if (ec != std::errc() || at != end || *value == '\0')
      return fail(dashed(o), ": \"", value, "\" is not a whole number (", o.min, "-", o.max, ")");
    if (n < o.min || n > o.max) return fail(dashed(o), ": ", n, " is not in ", o.min, "-", o.max);
    *o.number = n;
    return status::success();
  }
  if (o.choices) {
    bool known = false;
    std::string allowed;
    for (const char* const* c = o.choices; *c; ++c) {
      known |= std::strcmp(*c, value) == 0;
      allowed += (allowed.empty() ? "" : ", ") + std::string(*c);
    }
    if (!known) return fail(dashed(o), ": \"", value, "\" is not one of ", allowed);
  }
  *o.text = value;
  return status::success();
}

// The getopt_long tables for `t`: the first entry that names a letter or a long name owns
// it. -h/--help is entry t.options.size().
struct getopt_tables {
  std::string shorts;
  std::vector<option> longs;
  int by_letter[128];
};

const option_spec k_help = {.name = "help",
                            .letter = 'h',
                            .help = "print this help and exit",
                            .stop = option_spec::action::help};

const option_spec& entry(const arg_table& t, size_t i) {
  return i < t.options.size() ? t.options[i] : k_help;
}

getopt_tables build_tables(const arg_table& t, bool stop_at_word) {
  getopt_tables g;
  // '+' stops at the first word; '-' returns each word in order (and, unlike the default,
  // ignores POSIXLY_CORRECT, so `ask "text" --tier tools` always works); ':' reports a
  // missing value as ':' rather than '?'.
  g.shorts = stop_at_word ? "+:" : "-:";
  for (int& i : g.by_letter) i = -1;
  for (size_t i = 0; i <= t.options.size(); ++i) {
    const option_spec& o = entry(t, i);
    auto letter = static_cast<unsigned char>(o.letter);
    if (letter > 0 && letter < 128 && g.by_letter[letter] < 0) {
      g.by_letter[letter] = static_cast<int>(i);
      g.shorts += o.letter;
      if (takes_value(o)) g.shorts += ':';
    }
    bool taken = false;
    for (const option& l : g.longs) taken |= std::strcmp(l.name, o.name) == 0;
    if (!taken)
      g.longs.push_back({o.name, takes_value(o) ? required_argument : no_argument, nullptr,
                         k_long_base + static_cast<int>(i)});
  }
  g.longs.push_back({nullptr, 0, nullptr, 0});
  return g;
}

}  // namespace

result<parsed> parse_args(int argc, char* const* argv, const arg_table& t, int* stop_at_word) {
  getopt_tables g = build_tables(t, stop_at_word != nullptr);
  std::vector<int> seen(t.options.size() + 1, 0);
  std::vector<std::string> words;
  optind = 0;  // glibc: start over, re-reading the ordering from `shorts`
  opterr = 0;  // errors are ours to word
  for (;;) {
    optarg = nullptr;  // a flag leaves it as the last value had it
    int c = getopt_long(argc, argv, g.shorts.c_str(), g.longs.data(), nullptr);
    if (c == -1) break;
    if (c == 1) {  // a word, in order (only without stop_at_word)
      words.emplace_back(optarg);
      continue;
    }
    // getopt_long also takes unique abbreviations (--dry for --dry-run); they are refused,
    // so that a new option can never change what an existing command line means.
    auto abbreviated = [&](int i, const char* element) {
      return option_word(element) != dashed(entry(t, static_cast<size_t>(i)));
    };
    if ((c == '?' || c == ':') && optopt >= k_long_base &&
        abbreviated(optopt - k_long_base, argv[optind - 1]))
      return fail("unknown option ", option_word(argv[optind - 1]));
    if (c == '?') {
      if (optopt >= k_long_base)
        return fail(dashed(entry(t, optopt - k_long_base)), " takes no value");
      if (optopt > 0) return fail("unknown option -", static_cast<char>(optopt));
      return fail("unknown option ", option_word(argv[optind - 1]));
    }
    if (c == ':') {
      const option_spec& o =
          entry(t, optopt >= k_long_base ? optopt - k_long_base : g.by_letter[optopt & 127]);
      return fail(optopt >= k_long_base ? dashed(o) : std::string("-") + o.letter,
                  " needs a value ", o.value_name ? o.value_name : "");
    }
    size_t i;
    if (c >= k_long_base) {
      i = static_cast<size_t>(c - k_long_base);
      // The element is the last one read, or the one before when the value came separately.
      const char* element = argv[optind - 1];
      if (optarg == element && optind >= 2) element = argv[optind - 2];
      if (abbreviated(c - k_long_base, element))
        return fail("unknown option ", option_word(element));
    } else {
      i = static_cast<size_t>(g.by_letter[c & 127]);
    }
    const option_spec& o = entry(t, i);
    if (o.stop == option_spec::action::help) return parsed::help;
    if (o.stop == option_spec::action::version) return parsed::version;
    if (++seen[i] > 1 && takes_value(o)) return fail(dashed(o), " given more than once");
    if (o.flag) *o.flag = true;
    if (o.count) ++*o.count;
    if (o.given) *o.given = true;
    if (takes_value(o))
      if (status s = store_value(o, optarg); !s) return s.err();
  }
  for (size_t i = 0; i < t.options.size(); ++i) {
    const option_spec& o = t.options[i];
    if (!o.excludes || !seen[i]) continue;
    for (size_t j = 0; j < t.options.size(); ++j)
      if (seen[j] && std::strcmp(t.options[j].name, o.excludes) == 0)
        return fail(dashed(o), " and --", o.excludes, " cannot be given together");
  }
  if (stop_at_word) {
    *stop_at_word = optind;
    return parsed::ok;
  }
  for (int k = optind; k < argc; ++k) words.emplace_back(argv[k]);  // after "--"
  size_t next = 0;
  for (const positional_spec& p : t.positionals) {
    if (p.one) {
      if (next == words.size()) return fail(p.value_name, " is required");
      *p.one = words[next++];
    } else if (p.rest) {
      p.rest->assign(words.begin() + static_cast<std::ptrdiff_t>(next), words.end());
      next = words.size();
    }
  }
  if (next < words.size()) return fail("unexpected argument \"", words[next], "\"");
  return parsed::ok;
}

std::string help_text(const arg_table& t) {
  std::string out;
  auto row = [&out](std::string left, const std::string& help) {
    constexpr size_t k_column = 26;
    out += "  " + left;
    if (left.size() + 2 >= k_column)
      out += "\n" + std::string(k_column, ' ');
    else
      out += std::string(k_column - 2 - left.size(), ' ');
    out += help + "\n";
  };
  if (!t.positionals.empty()) {
    out += "Arguments:\n";
    for (const positional_spec& p : t.positionals)
      row(std::string(p.value_name) + (p.rest ? "..." : ""), p.help);
    out += "\n";
  }
  out += "Options:\n";
  std::string letters;  // owned so far: a later entry's letter is not shown
  for (size_t i = 0; i <= t.options.size(); ++i) {
    // -h, --help first, as every command has it.
    const option_spec& o = i == 0 ? k_help : t.options[i - 1];
    bool owns = o.letter && letters.find(o.letter) == std::string::npos;
    if (o.letter) letters += o.letter;
    std::string left = owns ? std::string("-") + o.letter + ", " : std::string();
    left += dashed(o);
    if (takes_value(o) && o.value_name) left += std::string(" ") + o.value_name;
    std::string help = o.help;
    if (o.text && !o.text->empty()) help += " (default: " + *o.text + ")";
    if (o.excludes) help += std::string(" (not with --") + o.excludes + ")";
    row(left, help);
  }
  return out;
}

}  // namespace frugal::cli
