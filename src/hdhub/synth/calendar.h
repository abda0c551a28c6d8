// Calendar days and the date formats of the SNDS Table Schemas.
//
// A Day counts days since 1970-01-01 (negative before). The writers format
// into a caller's buffer and return the position after the last character;
// they never allocate. Formats, named as in the schemas' `format`:
//   default date   YYYY-MM-DD          %d%m%Y   DDMMYYYY
//   %m             MM                  yearmonth YYYYMM      year YYYY
//   datetime %d%b%Y:%H:%M:%S  e.g. 02Jan2007:00:00:00 (English month abbreviations)
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace hdhub::synth {

using Day = int32_t;

// The mean length of a Gregorian year, for ages and exposure in years.
inline constexpr double kDaysPerYear = 365.2425;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

CivilDate ToCivil(Day day);
Day FromCivil(int year, int month, int day);
inline Day YearStart(int year) { return FromCivil(year, 1, 1); }
inline Day YearEnd(int year) { return FromCivil(year, 12, 31); }
// The first day of the month after `date`'s month.
CivilDate NextMonthStart(const CivilDate& date);

// Completed years and months between `birth` and `at` (at >= birth).
int AgeInYears(const CivilDate& birth, const CivilDate& at);
int AgeInMonths(const CivilDate& birth, const CivilDate& at);
inline int AgeInYears(Day birth, Day at) { return AgeInYears(ToCivil(birth), ToCivil(at)); }
inline int AgeInMonths(Day birth, Day at) { return AgeInMonths(ToCivil(birth), ToCivil(at)); }

// Writers take the civil date, converted once by callers that write a day
// in several formats.
char* WriteIsoDate(char* out, const CivilDate& c);
char* WriteDdMmYyyy(char* out, const CivilDate& c);
char* WriteMonth(char* out, const CivilDate& c);
char* WriteYearMonth(char* out, const CivilDate& c);
char* WriteYear(char* out, const CivilDate& c);
char* WriteDateTime(char* out, const CivilDate& c, int seconds_of_day);

// Two decimal digits of 0..99, for the writers above and their neighbours.
inline char* WriteTwoDigits(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

}  // namespace hdhub::synth
