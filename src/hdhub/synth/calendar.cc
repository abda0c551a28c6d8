#include "hdhub/synth/calendar.h"

#include <chrono>

namespace hdhub::synth {
namespace {

constexpr char kMonthAbbreviations[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int kSecondsPerHour = 3600;
constexpr int kSecondsPerMinute = 60;

char* WriteFourDigits(char* out, int v) {
  out = WriteTwoDigits(out, v / 100);
  return WriteTwoDigits(out, v % 100);
}

}  // namespace

CivilDate ToCivil(Day day) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

Day FromCivil(int year, int month, int day) {
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  return static_cast<Day>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

CivilDate NextMonthStart(const CivilDate& c) {
  return c.month == 12 ? CivilDate{c.year + 1, 1, 1} : CivilDate{c.year, c.month + 1, 1};
}

int AgeInYears(const CivilDate& b, const CivilDate& a) {
  int age = a.year - b.year;
  if (a.month < b.month || (a.month == b.month && a.day < b.day)) --age;
  return age;
}

int AgeInMonths(const CivilDate& b, const CivilDate& a) {
  int months = (a.year - b.year) * 12 + (a.month - b.month);
  if (a.day < b.day) --months;
  return months;
}

char* WriteIsoDate(char* out, const CivilDate& c) {
  out = WriteFourDigits(out, c.year);
  *out++ = '-';
  out = WriteTwoDigits(out, c.month);
  *out++ = '-';
  return WriteTwoDigits(out, c.day);
}

char* WriteDdMmYyyy(char* out, const CivilDate& c) {
  out = WriteTwoDigits(out, c.day);
  out = WriteTwoDigits(out, c.month);
  return WriteFourDigits(out, c.year);
}

char* WriteMonth(char* out, const CivilDate& c) { return WriteTwoDigits(out, c.month); }

char* WriteYearMonth(char* out, const CivilDate& c) {
  out = WriteFourDigits(out, c.year);
  return WriteTwoDigits(out, c.month);
}

char* WriteYear(char* out, const CivilDate& c) { return WriteFourDigits(out, c.year); }

char* WriteDateTime(char* out, const CivilDate& c, int seconds_of_day) {
  out = WriteTwoDigits(out, c.day);
  for (int i = 0; i < 3; ++i) *out++ = kMonthAbbreviations[c.month - 1][i];
  out = WriteFourDigits(out, c.year);
  *out++ = ':';
  out = WriteTwoDigits(out, seconds_of_day / kSecondsPerHour);
  *out++ = ':';
  out = WriteTwoDigits(out, seconds_of_day % kSecondsPerHour / kSecondsPerMinute);
  *out++ = ':';
  return WriteTwoDigits(out, seconds_of_day % kSecondsPerMinute);
}

}  // namespace hdhub::synth
