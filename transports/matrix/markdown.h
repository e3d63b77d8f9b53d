// markdown: turns the model's Markdown into a Matrix `formatted_body` (HTML) from a small
// safe subset, plus the plain `body` (the Markdown source itself, as Element sends it).
// Recognised: paragraphs (single newlines become <br>), # headings, > quotes, - / 1. lists,
// ``` fenced code, `code`, **bold**, *em*, ~~strike~~, [text](http(s)://url), \ escapes,
// and --- rules. Everything else, including any HTML the model writes, is escaped text.
// It is not CommonMark: no nested lists, tables, images, raw HTML or reference links.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace frugal::matrix {

struct rendered {
  std::string body;  // plain text (the Markdown, invalid UTF-8 replaced)
  std::string html;  // org.matrix.custom.html
};

rendered render_markdown(std::string_view markdown);

// Splits `markdown` into pieces whose event content (body plus formatted_body, JSON-escaped,
// plus envelope) stays within `max_event_bytes`. Cuts prefer blank lines, then newlines,
// then spaces, then any UTF-8 boundary; a code fence cut in two is closed and reopened.
// Text that fits is returned as one piece; empty text yields no pieces.
std::vector<std::string> split_for_events(std::string_view markdown, size_t max_event_bytes);

}  // namespace frugal::matrix
