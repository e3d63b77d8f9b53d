// Markdown → HTML for formatted_body. A line-based block pass (fences, headings, quotes,
// lists, paragraphs) feeds an inline pass that escapes every byte it does not recognise.
// Searches for closing delimiters are bounded so hostile text cannot make this quadratic.
#include "transports/matrix/markdown.h"

#include <algorithm>

#include "core/utf8.h"

namespace frugal::matrix {
namespace {

constexpr size_t k_scan_limit = 4000;  // bytes searched for a closing delimiter
constexpr int k_max_depth = 6;         // nesting of emphasis / links

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n';
}
bool is_punct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

void escape_into(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

bool safe_url(std::string_view url) {
  size_t scheme = starts_with_ci(url, "https://") ? 8 : starts_with_ci(url, "http://") ? 7 : 0;
  if (scheme == 0 || url.size() == scheme) return false;
  for (unsigned char c : url)
    if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == 0x7f) return false;
  return true;
}

// Where emphasis can close, found in one pass so that many openers without a partner cost
// a binary search each instead of a rescan: a run of '*' or '~' not preceded by a space
// (nor escaped) closes ** (2+ stars), * (exactly one star) or ~~ (2+ tildes).
struct closers {
  std::vector<size_t> strong, em, strike;
};

closers find_closers(std::string_view s) {
  closers c;
  size_t k = 0;
  while (k < s.size()) {
    char ch = s[k];
    if (ch == '\\') {
      k += 2;
      continue;
    }
    if (ch != '*' && ch != '~') {
      ++k;
      continue;
    }
    size_t r = 1;
    while (k + r < s.size() && s[k + r] == ch) ++r;
    if (k > 0 && !is_space(s[k - 1])) {
      if (ch == '*' && r >= 2) c.strong.push_back(k);
      if (ch == '*' && r == 1) c.em.push_back(k);
      if (ch == '~' && r >= 2) c.strike.push_back(k);
    }
    k += r;
  }
  return c;
}

// The first closer after a non-empty inner text starting at `start`, within the scan
// limit; npos when there is none.
size_t closer_after(const std::vector<size_t>& positions, size_t start) {
  auto it = std::lower_bound(positions.begin(), positions.end(), start + 1);
  if (it == positions.end() || *it >= start + k_scan_limit) return std::string_view::npos;
  return *it;
}

size_t run_length(std::string_view s, size_t i, char c) {
  size_t n = 0;
  while (i + n < s.size() && s[i + n] == c) ++n;
  return n;
}

void render_inline(std::string_view s, std::string& out, int depth);

// Tries a code span at s[i]; returns the index after it, or 0 when there is none.
size_t code_span(std::string_view s, size_t i, std::string& out) {
  size_t n = run_length(s, i, '`');
  size_t limit = std::min(s.size(), i + n + k_scan_limit);
  for (size_t j = i + n; j < limit; ++j) {
    if (s[j] != '`') continue;
    size_t m = run_length(s, j, '`');
    if (m == n) {
      std::string_view code = s.substr(i + n, j - i - n);
      if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ')
        code = code.substr(1, code.size() - 2);
      out += "<code>";
      escape_into(out, code);
      out += "</code>";
      return j + m;
    }
    j += m - 1;
  }
  return 0;
}

// Tries a [text](url) link at s[i]; returns the index after it, or 0.
size_t link(std::string_view s, size_t i, std::string& out, int depth) {
  std::string_view window = s.substr(0, std::min(s.size(), i + k_scan_limit));
  size_t close = window.find(']', i + 1);
  if (close == std::string_view::npos || close + 1 >= window.size() || s[close + 1] != '(')
    return 0;
  size_t end = window.find(')', close + 2);
  if (end == std::string_view::npos) return 0;
  std::string_view url = s.substr(close + 2, end - close - 2);
  if (!safe_url(url) || close == i + 1) return 0;
  out += "<a href=\"";
  escape_into(out, url);
  out += "\">";
  render_inline(s.substr(i + 1, close - i - 1), out, depth + 1);
  out += "</a>";
  return end + 1;
}

// Tries emphasis with `delim` at s[i] wrapped in `tag`; returns the index after it, or 0.
size_t emphasis(std::string_view s, size_t i, std::string_view delim,
                const std::vector<size_t>& ends, const char* tag, std::string& out, int depth) {
  size_t start = i + delim.size();
  if (start >= s.size() || is_space(s[start])) return 0;
  if (delim == "*" && s[start] == '*') return 0;
  size_t close = closer_after(ends, start);
  if (close == std::string_view::npos) return 0;
  out += '<';
  out += tag;
  out += '>';
  render_inline(s.substr(start, close - start), out, depth + 1);
  out += "</";
  out += tag;
  out += '>';
  return close + delim.size();
}

void render_inline(std::string_view s, std::string& out, int depth) {
  closers ends = depth < k_max_depth ? find_closers(s) : closers{};
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    size_t next = 0;
    if (c == '\\' && i + 1 < s.size() && is_punct(s[i + 1])) {
      escape_into(out, s.substr(i + 1, 1));
      i += 2;
      continue;
    }
    if (c == '\n') {
      out += "<br>";
      ++i;
      continue;
    }
    if (c == '`') {
      next = code_span(s, i, out);
      if (!next) {
        size_t n = run_length(s, i, '`');
        out.append(n, '`');
        next = i + n;
      }
    } else if (depth < k_max_depth) {
      if (c == '*' && s.substr(i, 2) == "**")
        next = emphasis(s, i, "**", ends.strong, "strong", out, depth);
      if (!next && c == '~' && s.substr(i, 2) == "~~")
        next = emphasis(s, i, "~~", ends.strike, "del", out, depth);
      if (!next && c == '*' && s.substr(i, 2) != "**")
        next = emphasis(s, i, "*", ends.em, "em", out, depth);
      if (!next && c == '[') next = link(s, i, out, depth);
    }
    if (next) {
      i = next;
    } else {
      escape_into(out, s.substr(i, 1));
      ++i;
    }
  }
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_rule(std::string_view t) {
  char mark = t.empty() ? 0 : t.front();
  if (mark != '-' && mark != '*' && mark != '_') return false;
  int n = 0;
  for (char c : t) {
    if (c == mark)
      ++n;
    else if (c != ' ')
      return false;
  }
  return n >= 3;
}

// Ordered list marker "12. " or "12) ": returns the item text start, or 0.
size_t ordered_marker(std::string_view t, int& number) {
  size_t d = 0;
  while (d < t.size() && d < 9 && t[d] >= '0' && t[d] <= '9') ++d;
  if (d == 0 || d + 1 >= t.size() || (t[d] != '.' && t[d] != ')') || t[d + 1] != ' ') return 0;
  number = std::stoi(std::string(t.substr(0, d)));
  return d + 2;
}

class block_renderer {
 public:
  explicit block_renderer(std::string& out) : out_(out) {}

  void line(std::string_view raw) {
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view t = trim_left(raw);
    size_t indent = raw.size() - t.size();
    if (fence_len_) return fence_line(raw, t);
    if (indent <= 3 && (run_length(t, 0, '`') >= 3 || run_length(t, 0, '~') >= 3)) {
      flush();
      fence_char_ = t.front();
      fence_len_ = run_length(t, 0, fence_char_);
      lang_.clear();
      for (char c : trim(t.substr(fence_len_)))
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '+')
          lang_ += c;
        else
          break;
      code_.clear();
      return;
    }
    if (t.empty()) return flush();
    int number = 0;
    if (indent <= 3 && t.front() == '#') {
      size_t level = run_length(t, 0, '#');
      if (level <= 6 && (level == t.size() || t[level] == ' ')) {
        flush();
        std::string tag = "h" + std::to_string(level);
        out_ += "<" + tag + ">";
        render_inline(trim(t.substr(level)), out_, 0);
        out_ += "</" + tag + ">";
        return;
      }
    }
    if (indent <= 3 && is_rule(t)) {
      flush();
      out_ += "<hr>";
      return;
    }
    bool bullet = t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ';
    size_t ordered = bullet ? 0 : ordered_marker(t, number);
    if (indent <= 3 && (bullet || ordered)) {
      flush_text();
      char kind = bullet ? 'u' : 'o';
      if (list_ != kind) flush_list();
      if (list_ == 0) start_ = number;
      list_ = kind;
      items_.emplace_back(t.substr(bullet ? 2 : ordered));
      return;
    }
    if (indent <= 3 && t.front() == '>') {
      if (quote_.empty()) flush();
      std::string_view q = t.substr(1);
      if (!q.empty() && q.front() == ' ') q.remove_prefix(1);
      append(quote_, q);
      return;
    }
    if (list_) return append(items_.back(), t);
    if (!quote_.empty()) return append(quote_, t);
    append(para_, t);
  }

  void finish() {
    if (fence_len_) emit_code();
    flush();
  }

 private:
  static void append(std::string& to, std::string_view text) {
    if (!to.empty()) to += '\n';
    to += text;
  }

  void fence_line(std::string_view raw, std::string_view t) {
    size_t n = run_length(t, 0, fence_char_);
    if (n >= fence_len_ && trim(t.substr(n)).empty()) return emit_code();
    code_ += raw;
    code_ += '\n';
  }

  void emit_code() {
    out_ += lang_.empty() ? "<pre><code>" : "<pre><code class=\"language-" + lang_ + "\">";
    escape_into(out_, code_);
    out_ += "</code></pre>";
    fence_len_ = 0;
  }

  void flush_text() {
    if (!para_.empty()) {
      out_ += "<p>";
      render_inline(para_, out_, 0);
      out_ += "</p>";
      para_.clear();
    }
    if (!quote_.empty()) {
      out_ += "<blockquote>";
      render_inline(quote_, out_, 0);
      out_ += "</blockquote>";
      quote_.clear();
    }
  }

  void flush_list() {
    if (!list_) return;
    if (list_ == 'u')
      out_ += "<ul>";
    else
      out_ += start_ == 1 ? "<ol>" : "<ol start=\"" + std::to_string(start_) + "\">";
    for (const std::string& item : items_) {
      out_ += "<li>";
      render_inline(item, out_, 0);
      out_ += "</li>";
    }
    out_ += list_ == 'u' ? "</ul>" : "</ol>";
    items_.clear();
    list_ = 0;
  }

  void flush() {
    flush_text();
    flush_list();
  }

  std::string& out_;
  std::string para_, quote_, code_, lang_;
  std::vector<std::string> items_;
  char list_ = 0;  // 'u', 'o' or 0
  int start_ = 1;
  char fence_char_ = 0;
  size_t fence_len_ = 0;  // nonzero inside a fenced block
};

}  // namespace

rendered render_markdown(std::string_view markdown) {
  rendered r;
  r.body = utf8::repair(markdown);
  block_renderer blocks(r.html);
  std::string_view rest = r.body;
  while (true) {
    size_t nl = rest.find('\n');
    blocks.line(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  blocks.finish();
  return r;
}

}  // namespace frugal::matrix
