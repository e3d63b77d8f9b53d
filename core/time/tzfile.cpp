// TZif and POSIX TZ parsing. The file is untrusted input in the sense that a truncated or
// corrupt zone file must give an error, not a crash: every read is bounds-checked.
#include "core/time/tzfile.h"

#include <algorithm>
#include <cctype>

namespace frugal::tz {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : k[m - 1];
}

// A cursor over the TZ string.
struct tz_reader {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }

  bool name() {
    if (peek() == '<') {
      size_t close = s.find('>', i);
      if (close == std::string_view::npos || close - i < 4) return false;
      i = close + 1;
      return true;
    }
    size_t start = i;
    while (!done() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return i - start >= 3;
  }
  bool number(int64_t& out, int max_digits) {
    size_t start = i;
    out = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(s[i])) &&
           i - start < size_t(max_digits))
      out = out * 10 + (s[i++] - '0');
    return i > start;
  }
  // [+-]hh[:mm[:ss]] as seconds; the sign is returned as written.
  bool hms(int64_t& out, int64_t max_hours) {
    int64_t sign = 1;
    if (peek() == '+' || peek() == '-') sign = s[i++] == '-' ? -1 : 1;
    int64_t h = 0, m = 0, sec = 0;
    if (!number(h, 3) || h > max_hours) return false;
    if (peek() == ':') {
      ++i;
      if (!number(m, 2) || m > 59) return false;
      if (peek() == ':') {
        ++i;
        if (!number(sec, 2) || sec > 59) return false;
      }
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool rule(posix_tz::rule& r) {
    int64_t a = 0, b = 0, c = 0;
    if (peek() == 'M') {
      ++i;
      if (!number(a, 2) || peek() != '.') return false;
      ++i;
      if (!number(b, 1) || peek() != '.') return false;
      ++i;
      if (!number(c, 1)) return false;
      if (a < 1 || a > 12 || b < 1 || b > 5 || c > 6) return false;
      r = {'M', int(a), int(b), int(c), 7200};
    } else if (peek() == 'J') {
      ++i;
      if (!number(a, 3) || a < 1 || a > 365) return false;
      r = {'J', 0, 0, int(a), 7200};
    } else {
      if (!number(a, 3) || a > 365) return false;
      r = {'D', 0, 0, int(a), 7200};
    }
    if (peek() == '/') {
      ++i;
      if (!hms(r.time, 167)) return false;
    }
    return true;
  }
};

// Local seconds (since the epoch, in the offset that applies just before it) of rule `r`
// in year `y`.
int64_t rule_local_time(const posix_tz::rule& r, int64_t y) {
  int64_t day;
  if (r.kind == 'J') {
    day = days_from_civil(y, 1, 1) + r.day - 1 + (is_leap(y) && r.day >= 60 ? 1 : 0);
  } else if (r.kind == 'D') {
    day = days_from_civil(y, 1, 1) + r.day;
  } else {
    int64_t first = days_from_civil(y, unsigned(r.month), 1);
    int64_t wday_first = ((first + 4) % 7 + 7) % 7;  // 0 = Sunday; 1970-01-01 was a Thursday
    int64_t mday = 1 + (r.day - wday_first + 7) % 7 + (r.week - 1) * 7;
    while (mday > days_in_month(y, unsigned(r.month))) mday -= 7;
    day = first + mday - 1;
  }
  return day * 86400 + r.time;
}

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = unsigned(doy - (153 * mp + 2) / 5 + 1);
  m = unsigned(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

std::optional<posix_tz> posix_tz::parse(std::string_view text) {
  tz_reader r{text};
  posix_tz tz;
  int64_t off = 0;
  if (!r.name() || !r.hms(off, 24)) return std::nullopt;
  tz.std_offset = -off;  // POSIX offsets count west of Greenwich
  if (r.done()) return tz;
  if (!r.name()) return std::nullopt;
  tz.has_dst = true;
  tz.dst_offset = tz.std_offset + 3600;
  if (r.peek() != ',' && !r.done()) {
    if (!r.hms(off, 24)) return std::nullopt;
    tz.dst_offset = -off;
  }
  if (r.done()) {  // no rule given: the US rule, as glibc assumes
    tz.start = {'M', 3, 2, 0, 7200};
    tz.end = {'M', 11, 1, 0, 7200};
    return tz;
  }
  if (r.peek() != ',') return std::nullopt;
  ++r.i;
  if (!r.rule(tz.start) || r.peek() != ',') return std::nullopt;
  ++r.i;
  if (!r.rule(tz.end) || !r.done()) return std::nullopt;
  return tz;
}

int64_t posix_tz::utc_offset(int64_t t) const {
  if (!has_dst) return std_offset;
  int64_t y;
  unsigned m, d;
  civil_from_days(floor_div(t + std_offset, 86400), y, m, d);
  const int64_t begin = rule_local_time(start, y) - std_offset;  // given in standard time
  const int64_t finish = rule_local_time(end, y) - dst_offset;   // given in daylight time
  bool dst = begin < finish ? (t >= begin && t < finish) : !(t >= finish && t < begin);
  return dst ? dst_offset : std_offset;
}

tz_rules tz_rules::fixed(int64_t offset) {
  tz_rules z;
  z.offsets_.push_back(offset);
  return z;
}

result<tz_rules> tz_rules::parse(std::string_view b) {
  struct counts {
    uint32_t isut, isstd, leap, time, type, chr;
  };
  auto be = [&](size_t at, int n) {
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(b[at + size_t(k)]);
    return v;
  };
  auto header = [&](size_t at, counts& c) -> bool {
    if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return false;
    uint32_t* f[] = {&c.isut, &c.isstd, &c.leap, &c.time, &c.type, &c.chr};
    for (int k = 0; k < 6; ++k) *f[k] = uint32_t(be(at + 20 + size_t(k) * 4, 4));
    return true;
  };
  auto data_len = [](const counts& c, size_t tsize) {
    return c.time * tsize + c.time + c.type * 6 + c.chr + c.leap * (tsize + 4) + c.isstd + c.isut;
  };
  counts c{};
  if (!header(0, c)) return fail("not a TZif file");
  const char version = b[4];
  size_t at = 44, tsize = 4;
  if (version >= '2') {
    at += data_len(c, 4);
    if (!header(at, c)) return fail("truncated TZif file (second header)");
    at += 44;
    tsize = 8;
  }
  if (c.type < 1 || c.type > 256) return fail("TZif file with ", c.type, " time types");
  if (b.size() < at + data_len(c, tsize)) return fail("truncated TZif file");
  tz_rules z;
  for (uint32_t k = 0; k < c.time; ++k) {
    uint64_t raw = be(at + k * tsize, int(tsize));
    z.times_.push_back(tsize == 8 ? static_cast<int64_t>(raw)
                                  : static_cast<int64_t>(static_cast<int32_t>(raw)));
  }
  at += c.time * tsize;
  for (uint32_t k = 0; k < c.time; ++k) {
    uint8_t idx = static_cast<uint8_t>(b[at + k]);
    if (idx >= c.type) return fail("TZif transition names type ", int(idx), " of ", c.type);
    z.type_of_.push_back(idx);
  }
  at += c.time;
  for (uint32_t k = 0; k < c.type; ++k)
    z.offsets_.push_back(static_cast<int32_t>(static_cast<uint32_t>(be(at + k * 6, 4))));
  at += data_len(c, tsize) - c.time * tsize - c.time;
  if (!std::is_sorted(z.times_.begin(), z.times_.end())) return fail("TZif times out of order");
  if (version >= '2' && at < b.size() && b[at] == '\n') {
    size_t close = b.find('\n', at + 1);
    if (close == std::string_view::npos) return fail("TZif footer not terminated");
    std::string_view text = b.substr(at + 1, close - at - 1);
    if (!text.empty()) {
      z.footer_ = posix_tz::parse(text);
      if (!z.footer_) return fail("TZif footer is not a POSIX TZ rule: ", text);
    }
  }
  return z;
}

int64_t tz_rules::utc_offset(int64_t t) const {
  if (times_.empty() || t >= times_.back()) {
    if (footer_) return footer_->utc_offset(t);
    if (times_.empty()) return offsets_.front();
    return offsets_[type_of_.back()];
  }
  auto it = std::upper_bound(times_.begin(), times_.end(), t);
  if (it == times_.begin()) return offsets_.front();
  return offsets_[type_of_[size_t(it - times_.begin()) - 1]];
}

}  // namespace frugal::tz
