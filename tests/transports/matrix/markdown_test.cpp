// Unit tests for Markdown → formatted_body: the safe subset renders, everything else
// (HTML from the model, javascript: links) comes out escaped; long text splits per event.
#include "transports/matrix/markdown.h"

#include <catch2/catch.hpp>

using namespace frugal::matrix;

TEST_CASE("markdown renders the safe subset", "[matrix][markdown]") {
  CHECK(render_markdown("hello").html == "<p>hello</p>");
  CHECK(render_markdown("**bold** and *em* and `x<y`").html ==
        "<p><strong>bold</strong> and <em>em</em> and <code>x&lt;y</code></p>");
  CHECK(render_markdown("a\nb\n\nc").html == "<p>a<br>b</p><p>c</p>");
  CHECK(render_markdown("- one\n- **two**").html ==
        "<ul><li>one</li><li><strong>two</strong></li></ul>");
  CHECK(render_markdown("3. c\n4. d").html == "<ol start=\"3\"><li>c</li><li>d</li></ol>");
  CHECK(render_markdown("# Title\ntext").html == "<h1>Title</h1><p>text</p>");
  CHECK(render_markdown("> quoted").html == "<blockquote>quoted</blockquote>");
  CHECK(render_markdown("```cpp\nint a<b;\n**x**\n```\nafter").html ==
        "<pre><code class=\"language-cpp\">int a&lt;b;\n**x**\n</code></pre><p>after</p>");
  CHECK(render_markdown("see [docs](https://example.org/a?b=1&c=2)").html ==
        "<p>see <a href=\"https://example.org/a?b=1&amp;c=2\">docs</a></p>");
  CHECK(render_markdown("~~old~~ \\*literal\\*").html == "<p><del>old</del> *literal*</p>");
}

TEST_CASE("markdown keeps the plain body as the source text", "[matrix][markdown]") {
  rendered r = render_markdown("**hi** <there>");
  CHECK(r.body == "**hi** <there>");
  CHECK(r.html == "<p><strong>hi</strong> &lt;there&gt;</p>");
}

TEST_CASE("markdown escapes HTML and unsafe links", "[matrix][markdown]") {
  CHECK(render_markdown("<script>alert('x')</script>").html ==
        "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>");
  CHECK(render_markdown("[click](javascript:alert(1))").html ==
        "<p>[click](javascript:alert(1))</p>");
  CHECK(render_markdown("[x](http://a\"onmouseover=\"y)").html.find("<a") == std::string::npos);
  CHECK(render_markdown("[x](data:text/html,hi)").html.find("<a") == std::string::npos);
  CHECK(render_markdown("<img src=x onerror=alert(1)>").html.find("<img") == std::string::npos);
  // Unclosed markers stay literal.
  CHECK(render_markdown("2 * 3 and **open").html == "<p>2 * 3 and **open</p>");
  // An unclosed fence still renders as code, escaped.
  CHECK(render_markdown("```\n<b>").html == "<pre><code>&lt;b&gt;\n</code></pre>");
}

TEST_CASE("markdown copes with hostile input quickly", "[matrix][markdown]") {
  std::string stars = "x " + std::string(60000, '*');
  std::string brackets;
  for (int i = 0; i < 20000; ++i) brackets += "[a](";
  std::string opens(60000, '[');
  std::string spaced;
  for (int i = 0; i < 20000; ++i) spaced += "*a ";
  CHECK(render_markdown(opens).html.size() == opens.size() + 7);  // <p>…</p>
  CHECK(render_markdown(spaced).html.find("<em>") == std::string::npos);
  auto a = render_markdown(stars);
  auto b = render_markdown(brackets);
  CHECK(a.html.size() >= stars.size());
  CHECK(b.html.find("<a") == std::string::npos);
  CHECK(render_markdown("\xff\xfe bad utf8").body.find('\xff') == std::string::npos);
}

TEST_CASE("split_for_events keeps each event under the limit", "[matrix][markdown]") {
  CHECK(split_for_events("", 1000).empty());
  CHECK(split_for_events("short", 1000) == std::vector<std::string>{"short"});

  std::string para;
  for (int i = 0; i < 400; ++i) para += "word" + std::to_string(i) + " ";
  std::string text = para + "\n\n" + para + "\n\n" + para;
  auto pieces = split_for_events(text, 2000);
  REQUIRE(pieces.size() > 3);
  size_t words = 0;
  for (const auto& p : pieces) {
    rendered r = render_markdown(p);
    CHECK(r.body.size() + r.html.size() < 2000);
    for (size_t at = 0; (at = p.find("word", at)) != std::string::npos; at += 4) ++words;
  }
  CHECK(words == 1200);  // nothing lost

  // Escaping-heavy text: the HTML is much longer than the source, still within the limit.
  std::string angles(5000, '<');
  for (const auto& p : split_for_events(angles, 3000)) {
    rendered r = render_markdown(p);
    CHECK(r.body.size() + r.html.size() < 3000);
  }
}

TEST_CASE("split_for_events closes and reopens a code fence it cuts", "[matrix][markdown]") {
  std::string code = "```python\n";
  for (int i = 0; i < 200; ++i) code += "print('line " + std::to_string(i) + "')\n";
  code += "```\n";
  auto pieces = split_for_events(code, 3000);
  REQUIRE(pieces.size() >= 2);
  for (const auto& p : pieces) {
    std::string html = render_markdown(p).html;
    CHECK(html.rfind("<pre><code class=\"language-python\">", 0) == 0);
    CHECK(html.find("<p>") == std::string::npos);
  }
}

TEST_CASE("split_for_events cuts multi-byte text on character boundaries", "[matrix][markdown]") {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "é";
  auto pieces = split_for_events(text, 1500);
  REQUIRE(pieces.size() > 1);
  std::string joined;
  for (const auto& p : pieces) joined += p;
  CHECK(joined == text);
}
