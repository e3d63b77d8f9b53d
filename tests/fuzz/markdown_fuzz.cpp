// Fuzzes the Markdown → Matrix HTML renderer and the event splitter (transports/matrix/
// markdown.h) with model text. Checks: the HTML is valid UTF-8 and holds only the tags and
// attributes of the documented subset (any other '<', '>', '"', '\'' or '&' is escaped),
// the body is the repaired Markdown, and each split piece renders within the event budget.
// It does not judge the formatting itself.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "core/utf8.h"
#include "tests/fuzz/fuzz_support.h"
#include "transports/matrix/markdown.h"

using namespace frugal;

namespace {

bool eat(std::string_view s, size_t& i, std::string_view what) {
  if (s.substr(i, what.size()) != what) return false;
  i += what.size();
  return true;
}

template <class Pred>
bool eat_run(std::string_view s, size_t& i, Pred ok) {
  size_t start = i;
  while (i < s.size() && ok(static_cast<unsigned char>(s[i]))) ++i;
  return i > start;
}

// An http:// or https:// scheme, in any case (as markdown.cpp accepts it), at s[i].
bool http_scheme(std::string_view s, size_t& i) {
  std::string head(s.substr(i, 8));
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.starts_with("http://")) return i += 7, true;
  if (head.starts_with("https://")) return i += 8, true;
  return false;
}

// Length of the allowed tag at html[i] ('<'), or 0.
size_t allowed_tag(std::string_view html, size_t i) {
  static constexpr std::string_view plain[] = {
      "p",  "br", "hr",  "h1",   "h2", "h3", "h4",  "h5",     "h6",        "ul",
      "ol", "li", "pre", "code", "em", "a",  "del", "strong", "blockquote"};
  size_t j = i + 1;
  bool closing = eat(html, j, "/");
  for (std::string_view name : plain) {
    size_t k = j;
    if (!eat(html, k, name)) continue;
    if (eat(html, k, ">")) return k - i;
    if (closing) continue;
    size_t a = k;
    if (name == "a" && eat(html, a, " href=\"") && http_scheme(html, a) &&
        eat_run(html, a,
                [](unsigned char c) { return c != '"' && c != '<' && c != '>' && c > ' '; }) &&
        eat(html, a, "\">"))
      return a - i;
    a = k;
    if (name == "ol" && eat(html, a, " start=\"") &&
        eat_run(html, a, [](unsigned char c) { return c >= '0' && c <= '9'; }) &&
        eat(html, a, "\">"))
      return a - i;
    a = k;
    if (name == "code" && eat(html, a, " class=\"language-") &&
        eat_run(
            html, a,
            [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '+'; }) &&
        eat(html, a, "\">"))
      return a - i;
  }
  return 0;
}

void check_html(std::string_view html) {
  FUZZ_CHECK(utf8::valid(html));
  for (size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      size_t n = allowed_tag(html, i);
      if (n == 0) std::fprintf(stderr, "unexpected tag: %.60s\n", html.substr(i).data());
      FUZZ_CHECK(n > 0);
      i += n;
    } else if (c == '&') {
      size_t j = i + 1;
      FUZZ_CHECK(eat(html, j, "amp;") || eat(html, j, "lt;") || eat(html, j, "gt;") ||
                 eat(html, j, "quot;") || eat(html, j, "#39;"));
      i = j;
    } else {
      FUZZ_CHECK(c != '>' && c != '"' && c != '\'');
      ++i;
    }
  }
}

size_t event_bytes(std::string_view piece) {  // as split.cpp measures it
  matrix::rendered r = matrix::render_markdown(piece);
  return json_quote(r.body).size() + json_quote(r.html).size() + 160;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  size_t max_event_bytes = 1024 + size_t{data[0]} * 32;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  matrix::rendered r = matrix::render_markdown(text);
  FUZZ_CHECK(r.body == utf8::repair(text));
  check_html(r.html);

  for (const std::string& piece : matrix::split_for_events(text, max_event_bytes)) {
    FUZZ_CHECK(!piece.empty());
    FUZZ_CHECK(utf8::valid(piece));
    FUZZ_CHECK(event_bytes(piece) <= max_event_bytes);
  }
  return 0;
}
