#include "measure/classify.h"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "core/parallel.h"

namespace vsv {

std::string_view PartName(Part part) {
  static constexpr std::array<std::string_view, kPartCount> kNames = {
      "B1", "B2", "B3", "C_VO", "C_MBO", "C_VAVO", "C_HO", "C_SPECIAL", "C_NONFUNDED",
      "C_DJI", "C_POLICE_DEFENCE", "C_SOCIAL", "D_SK", "D_ENTREE_WORK", "X"};
  return kNames[static_cast<size_t>(part)];
}

std::string_view CategoryName(Category category) {
  static constexpr std::array<std::string_view, kCategoryCount> kNames = {
      "VO-ONDERBOUW", "VO-BOVENBOUW-VMBO", "VO-BOVENBOUW-HAVO-VWO", "MBO-1", "MBO-2",
      "MBO-3-4", "VAVO"};
  return kNames[static_cast<size_t>(category)];
}

namespace {

// The dates of school year T.
struct YearDates {
  Date teldatum_t;       // 1 October T
  Date teldatum_t1;      // 1 October T+1
  Date end_of_year_t1;   // 31 December T+1: last day for a (late) SK
  // Younger than the age limit on teldatum T <=> born after this date.
  Date born_by;
  int age_limit;
  YearDates(int year, int limit)
      : teldatum_t(Teldatum(year)), teldatum_t1(Teldatum(year + 1)),
        end_of_year_t1(MakeDate(year + 1, 12, 31)), born_by(Teldatum(year - limit)),
        age_limit(limit) {}
};

// Where the rules write their reasons. The count passes a NoExplanation*, for which
// every Say() compiles to nothing; `vsv explain` passes an Explanation*. The rules
// are templates over the two, so there is still one text of the definition.
struct NoExplanation {};
template <typename TextFn>
void Say(NoExplanation*, TextFn) {}
// `text` is called only when someone asked for an explanation.
template <typename TextFn>
void Say(Explanation* why, TextFn text) {
  if (why) why->steps.push_back(text());
}

std::string DescribeEnrolment(const Registry& r, uint32_t row) {
  const EnrolmentTable& e = r.enrolments;
  std::string program = e.program[row] == Program::kCrebo ? fmt::format("crebo {}", e.crebo[row])
                                                           : std::string(ToString(e.program[row]));
  return fmt::format("{} {}{}{} at {} ({} to {}){}", ToString(e.sector[row]), program,
                     e.level[row] ? fmt::format(" level {}", e.level[row]) : "",
                     e.grade[row] ? fmt::format(" grade {}", e.grade[row]) : "",
                     r.institutions.LocationCode(e.location_row[row]), FormatDate(e.start_date[row]),
                     e.end_date[row] == kOpenEnd ? "open" : FormatDate(e.end_date[row]),
                     e.funded[row] ? "" : ", not funded");
}

// Rank of a sector in the choice of the main enrolment: VO before MBO before VAVO.
int SectorRank(Sector s) { return s == Sector::kVO ? 0 : s == Sector::kMBO ? 1 : 2; }

// A: a funded VO, MBO or VAVO enrolment active on teldatum T that is not a VO
// newcomer or international-stream enrolment. Returns the main enrolment or -1.
template <typename Why>
int64_t MainEnrolment(const Registry& r, PersonIndex p, Date teldatum, Why* why) {
  const EnrolmentTable& e = r.enrolments;
  const RowRange rows = e.Rows(p);
  int64_t best = -1;
  // A person's enrolments are sorted by start date: none after this one is active.
  for (uint32_t i = rows.begin; i < rows.end && e.start_date[i] <= teldatum; ++i) {
    if (!e.ActiveOn(i, teldatum)) continue;
    const Sector s = e.sector[i];
    const char* excluded = nullptr;
    if (s != Sector::kVO && s != Sector::kMBO && s != Sector::kVAVO) {
      excluded = "not VO, MBO or VAVO";
    } else if (!e.funded[i]) {
      excluded = "not funded";
    } else if (s == Sector::kVO && e.newcomer[i]) {
      excluded = "VO first-year newcomer";
    } else if (s == Sector::kVO && e.international[i]) {
      excluded = "VO international stream";
    }
    if (excluded) {
      Say(why, [&] { return fmt::format("Enrolment {} is active on teldatum but does not qualify: {}.",
                           DescribeEnrolment(r, i), excluded); });
      continue;
    }
    Say(why, [&] { return fmt::format("Enrolment {} qualifies for the start population.", DescribeEnrolment(r, i)); });
    if (best < 0) { best = i; continue; }
    const auto key = [&](uint32_t k) {
      return std::make_tuple(SectorRank(e.sector[k]), e.start_date[k], e.location_row[k]);
    };
    if (key(i) < key(static_cast<uint32_t>(best))) best = i;
  }
  return best;
}

template <typename Why>
bool DiedOrEmigrated(const Registry& r, PersonIndex p, const YearDates& d, Why* why) {
  const LifeEventTable& l = r.life_events;
  const RowRange rows = l.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (l.event[i] != LifeEvent::kImmigration && Covers(d.teldatum_t, d.teldatum_t1, l.date[i])) {
      Say(why, [&] { return fmt::format("B1: {} on {}, between teldatum T and teldatum T+1.",
                           l.event[i] == LifeEvent::kDeath ? "died" : "emigrated", FormatDate(l.date[i])); });
      return true;
    }
  }
  return false;
}

// Whether the residence `row` (the one covering `date`, or -1) is a Dutch
// municipality; `unknown` is set when no residence record covers the date.
template <typename Why>
bool LivesInNetherlands(const Registry& r, int64_t row, Date date, std::string_view which,
                        bool* unknown, Why* why) {
  if (row < 0) {
    *unknown = true;
    Say(why, [&] { return fmt::format("B2: no residence record covers {} ({}).", which, FormatDate(date)); });
    return false;
  }
  const Municipality m = r.residences.municipality[row];
  if (!IsDutchMunicipality(m)) {
    Say(why, [&] { return fmt::format("B2: on {} ({}) the residence is {}.", which, FormatDate(date),
                         m == kAbroad ? "abroad" : "without a fixed address"); });
    return false;
  }
  return true;
}

// C: the first part that applies on teldatum T+1, or nullopt.
template <typename Why>
std::optional<Part> StillInEducation(const Registry& r, PersonIndex p, Date teldatum_t1,
                                     Why* why) {
  const EnrolmentTable& e = r.enrolments;
  const RowRange rows = e.Rows(p);
  std::optional<Part> best;
  int64_t best_row = -1;
  for (uint32_t i = rows.begin; i < rows.end && e.start_date[i] <= teldatum_t1; ++i) {
    if (!e.ActiveOn(i, teldatum_t1)) continue;
    Part part;
    switch (e.sector[i]) {
      case Sector::kVO: part = e.funded[i] ? Part::kCVo : Part::kCNonfunded; break;
      case Sector::kMBO: part = e.funded[i] ? Part::kCMbo : Part::kCNonfunded; break;
      case Sector::kVAVO: part = e.funded[i] ? Part::kCVavo : Part::kCNonfunded; break;
      case Sector::kHO: part = Part::kCHo; break;
      default: part = Part::kCSpecial; break;  // PRO, VSO, SO
    }
    if (!best || part < *best) { best = part; best_row = i; }
  }
  if (best) {
    Say(why, [&] { return fmt::format("{}: on teldatum T+1 ({}) enrolled in {}.", PartName(*best),
                         FormatDate(teldatum_t1), DescribeEnrolment(r, static_cast<uint32_t>(best_row))); });
    return best;
  }
  static constexpr std::array<std::pair<Register, Part>, 3> kRegisters = {{
      {Register::kDji, Part::kCDji},
      {Register::kPoliceDefence, Part::kCPoliceDefence},
      {Register::kSocialTrajectory, Part::kCSocial},
  }};
  for (const auto& entry : kRegisters) {
    // Named copies: clang 14 cannot capture structured bindings in a lambda.
    const Register reg = entry.first;
    const Part part = entry.second;
    if (r.RegisteredOn(p, reg, teldatum_t1)) {
      Say(why, [&] { return fmt::format("{}: registered {} on teldatum T+1 ({}).", PartName(part), ToString(reg),
                           FormatDate(teldatum_t1)); });
      return part;
    }
  }
  Say(why, [&] { return fmt::format("Not in education or an equivalent on teldatum T+1 ({}).", FormatDate(teldatum_t1)); });
  return std::nullopt;
}

template <typename Why>
std::optional<Part> HasStartkwalificatie(const Registry& r, PersonIndex p, const YearDates& d,
                                         Why* why) {
  const DiplomaTable& t = r.diplomas;
  const RowRange rows = t.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (IsStartkwalificatie(t.type[i]) && t.date[i] <= d.end_of_year_t1) {
      Say(why, [&] { return fmt::format("D_SK: {} diploma dated {}, on or before {}.", ToString(t.type[i]),
                           FormatDate(t.date[i]), FormatDate(d.end_of_year_t1)); });
      return Part::kDSk;
    }
  }
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (t.type[i] == DiplomaType::kMbo1 && t.date[i] <= d.teldatum_t1) {
      if (r.RegisteredOn(p, Register::kEmployed, d.teldatum_t1)) {
        Say(why, [&] { return fmt::format("D_ENTREE_WORK: entree diploma dated {} and employed on teldatum T+1 ({}).",
                             FormatDate(t.date[i]), FormatDate(d.teldatum_t1)); });
        return Part::kDEntreeWork;
      }
      Say(why, [&] { return fmt::format("Entree diploma dated {}, but not employed on teldatum T+1 ({}).",
                           FormatDate(t.date[i]), FormatDate(d.teldatum_t1)); });
      break;
    }
  }
  Say(why, [&] { return fmt::format("No startkwalificatie dated on or before {}.", FormatDate(d.end_of_year_t1)); });
  return std::nullopt;
}

// The definition for one person, with the year's dates computed once by the caller.
template <typename Why>
PersonOutcome DecidePerson(const Registry& r, PersonIndex p, const YearDates& d, Why* why) {
  PersonOutcome out;
  // Younger than the limit on teldatum T <=> born after teldatum T - limit years
  // (one comparison instead of a calendar computation per person).
  if (r.persons.birth_date[p] <= d.born_by) {
    Say(why, [&] { return fmt::format("Not in A: aged {} on teldatum T ({}), not younger than {}.",
                                      AgeOn(r.persons.birth_date[p], d.teldatum_t), FormatDate(d.teldatum_t), d.age_limit); });
    return out;
  }
  out.main_enrolment = MainEnrolment(r, p, d.teldatum_t, why);
  if (out.main_enrolment < 0) {
    Say(why, [&] { return fmt::format("Not in A: no qualifying enrolment on teldatum T ({}).", FormatDate(d.teldatum_t)); });
    return out;
  }
  out.in_a = true;
  Say(why, [&] { return fmt::format("In A (aged {} on teldatum T); main enrolment: {}.",
                                    AgeOn(r.persons.birth_date[p], d.teldatum_t),
                       DescribeEnrolment(r, static_cast<uint32_t>(out.main_enrolment))); });
  const int64_t residence_t = r.ResidenceOn(p, d.teldatum_t);
  if (residence_t >= 0) out.municipality = r.residences.municipality[residence_t];

  if (DiedOrEmigrated(r, p, d, why)) { out.part = Part::kB1; return out; }
  bool unknown = false;
  const bool nl_t = LivesInNetherlands(r, residence_t, d.teldatum_t, "teldatum T", &unknown, why);
  const bool nl_t1 = nl_t && LivesInNetherlands(r, r.ResidenceOn(p, d.teldatum_t1), d.teldatum_t1,
                                                "teldatum T+1", &unknown, why);
  if (!nl_t1) {
    out.part = Part::kB2;
    out.residence_unknown = unknown;
    return out;
  }
  if (r.RegisteredOn(p, Register::kLpwExemption, d.teldatum_t1)) {
    Say(why, [&] { return fmt::format("B3: Leerplichtwet exemption active on teldatum T+1 ({}).", FormatDate(d.teldatum_t1)); });
    out.part = Part::kB3;
    return out;
  }
  if (auto c = StillInEducation(r, p, d.teldatum_t1, why)) { out.part = *c; return out; }
  if (auto dpart = HasStartkwalificatie(r, p, d, why)) { out.part = *dpart; return out; }
  Say(why, [] { return std::string("X: new vsv'er — in A and in none of B, C or D."); });
  out.part = Part::kX;
  return out;
}

}  // namespace

PersonOutcome ClassifyPerson(const Registry& registry, PersonIndex person, int year, int age_limit,
                             Explanation* why) {
  return DecidePerson(registry, person, YearDates(year, age_limit), why);
}

namespace {

// Room for `rows` rows in every column. Capacity that is never written costs no
// memory (the pages are not touched), and the columns never move while they grow.
void Reserve(YearClassification& c, size_t rows) {
  c.person.reserve(rows);
  c.part.reserve(rows);
  c.main_enrolment.reserve(rows);
  c.municipality.reserve(rows);
}

// Appends the classification of `from` (a later range of persons) to `to`.
void Append(YearClassification& to, const YearClassification& from) {
  auto append = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
  append(to.person, from.person);
  append(to.part, from.part);
  append(to.main_enrolment, from.main_enrolment);
  append(to.municipality, from.municipality);
  to.residence_unknown += from.residence_unknown;
}

// The span of school years in which a person has any enrolment: a year whose
// teldatum falls outside [first start, last end] cannot put the person in A.
struct EnrolmentSpan {
  Date first_start = kOpenEnd;
  Date last_end = kNoDate;
};
EnrolmentSpan SpanOf(const EnrolmentTable& e, PersonIndex p) {
  EnrolmentSpan span;
  const RowRange rows = e.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    span.first_start = std::min(span.first_start, e.start_date[i]);
    span.last_end = std::max(span.last_end, e.end_date[i]);
  }
  return span;
}

// Whether the person can be in A in the year at all; the definition itself is
// DecidePerson, this only skips years it would reject at once.
bool WorthDeciding(const EnrolmentSpan& span, Date birth, const YearDates& d) {
  return d.teldatum_t >= span.first_start && d.teldatum_t <= span.last_end && birth > d.born_by;
}

// Where each thread's persons begin (and, last, the person count): consecutive
// ranges with about the same number of person-years to decide, estimated from every
// 256th person. Registries often number persons by birth cohort, so equal numbers
// of persons can be far from equal work (national synthetic registry: 60% / 40%).
std::vector<size_t> SplitByWork(const Registry& r, std::span<const YearDates> dates, size_t threads) {
  constexpr size_t kStep = 256;
  const size_t n = r.person_count();
  std::vector<size_t> cumulative;  // work of the sampled persons up to each sample
  size_t total = 0;
  for (size_t i = 0; i < n; i += kStep) {
    const PersonIndex p = static_cast<PersonIndex>(i);
    const EnrolmentSpan span = SpanOf(r.enrolments, p);
    for (const YearDates& d : dates) total += WorthDeciding(span, r.persons.birth_date[p], d) ? 1 : 0;
    cumulative.push_back(total);
  }
  std::vector<size_t> bounds(threads + 1, n);
  bounds[0] = 0;
  for (size_t t = 1; t < threads; ++t) {
    const size_t sample = static_cast<size_t>(
        std::lower_bound(cumulative.begin(), cumulative.end(), total * t / threads) - cumulative.begin());
    bounds[t] = std::min(n, sample * kStep);
  }
  return bounds;
}

}  // namespace

std::vector<YearClassification> ClassifyYears(const Registry& registry, const Reference& reference,
                                              std::span<const int> years, const ClassifyOptions& options) {
  const size_t threads = ThreadCount(options.threads);
  std::vector<YearDates> dates;
  for (int year : years) dates.emplace_back(year, options.age_limit);
  // parts[t][y]: thread t's persons for year y. Persons are split into consecutive
  // ranges and the ranges joined in order, so the result never depends on `threads`.
  std::vector<std::vector<YearClassification>> parts(threads, std::vector<YearClassification>(years.size()));
  const std::vector<size_t> bounds = SplitByWork(registry, dates, threads);
  auto classify = [&](size_t t) {
    const size_t begin = bounds[t], end = bounds[t + 1];
    for (YearClassification& out : parts[t]) Reserve(out, end - begin);
    for (size_t i = begin; i < end; ++i) {
      const PersonIndex p = static_cast<PersonIndex>(i);
      const EnrolmentSpan span = SpanOf(registry.enrolments, p);
      const Date birth = registry.persons.birth_date[p];
      // All years of one person together: the person's rows stay in cache.
      for (size_t y = 0; y < years.size(); ++y) {
        if (!WorthDeciding(span, birth, dates[y])) continue;
        const PersonOutcome o = DecidePerson(registry, p, dates[y], static_cast<NoExplanation*>(nullptr));
        if (!o.in_a) continue;
        YearClassification& out = parts[t][y];
        out.person.push_back(p);
        out.part.push_back(o.part);
        out.main_enrolment.push_back(static_cast<uint32_t>(o.main_enrolment));
        out.municipality.push_back(o.municipality);
        out.residence_unknown += o.residence_unknown ? 1 : 0;
      }
    }
  };
  // Joins the ranges of the years t, t + threads, ... into thread 0's part.
  auto join = [&](size_t t) {
    for (size_t y = t; y < years.size(); y += threads) {
      YearClassification& into = parts[0][y];
      into.year = years[y];
      into.age_limit = options.age_limit;
      into.division = reference.DivisionOf(years[y]);
      for (size_t from = 1; from < threads; ++from) Append(into, parts[from][y]);
    }
  };
  OnThreads(threads, classify);
  OnThreads(threads, join);
  return std::move(parts[0]);
}

YearClassification ClassifyYear(const Registry& registry, const Reference& reference, int year,
                                const ClassifyOptions& options) {
  const int years[] = {year};
  return std::move(ClassifyYears(registry, reference, years, options)[0]);
}

YearRange CountableYears(const Registry& registry, const Reference& reference) {
  const auto& starts = registry.enrolments.start_date;
  if (starts.empty()) return {1, 0};
  const auto [lo, hi] = std::minmax_element(starts.begin(), starts.end());
  return {std::max(reference.first_year(), SchoolYearOf(*lo)), SchoolYearOf(*hi) - 1};
}

}  // namespace vsv
