#include "measure/explain.h"

#include <fmt/format.h>

namespace vsv {

namespace {

std::string Period(Date from, Date to) {
  return fmt::format("{} to {}", FormatDate(from), to == kOpenEnd ? "open" : FormatDate(to));
}

std::string MunicipalityText(Municipality m) {
  if (m == kAbroad) return "abroad";
  if (m == kNoFixedAddress) return "no fixed address";
  return fmt::format("municipality {:04d}", m);
}

void ListFacts(const Registry& r, PersonIndex p, std::vector<std::string>* facts) {
  facts->push_back(fmt::format("Born {}, sex {}.", FormatDate(r.persons.birth_date[p]),
                               ToString(r.persons.sex[p])));
  const auto& res = r.residences;
  for (uint32_t i = res.Rows(p).begin; i < res.Rows(p).end; ++i) {
    facts->push_back(fmt::format("Residence {}: {}.", Period(res.valid_from[i], res.valid_to[i]),
                                 MunicipalityText(res.municipality[i])));
  }
  const auto& e = r.enrolments;
  for (uint32_t i = e.Rows(p).begin; i < e.Rows(p).end; ++i) {
    std::string program = e.program[i] == Program::kCrebo ? fmt::format("crebo {}", e.crebo[i])
                                                          : std::string(ToString(e.program[i]));
    std::string flags;
    if (!e.funded[i]) flags += ", not funded";
    if (e.newcomer[i]) flags += ", newcomer";
    if (e.international[i]) flags += ", international stream";
    if (e.outsourced_to_vavo[i]) flags += ", taught at VAVO";
    facts->push_back(fmt::format("Enrolment {}: {} {}{}{}{} at {}{}.", Period(e.start_date[i], e.end_date[i]),
                                 ToString(e.sector[i]), program,
                                 e.level[i] ? fmt::format(" level {}", e.level[i]) : "",
                                 e.pathway[i] != Pathway::kNone ? fmt::format(" {}", ToString(e.pathway[i])) : "",
                                 e.grade[i] ? fmt::format(" grade {}", e.grade[i]) : "",
                                 r.institutions.LocationCode(e.location_row[i]), flags));
  }
  const auto& d = r.diplomas;
  for (uint32_t i = d.Rows(p).begin; i < d.Rows(p).end; ++i) {
    facts->push_back(fmt::format("Diploma {} on {}{}.", ToString(d.type[i]), FormatDate(d.date[i]),
                                 IsStartkwalificatie(d.type[i]) ? " (a startkwalificatie)" : ""));
  }
  const auto& g = r.registrations;
  for (uint32_t i = g.Rows(p).begin; i < g.Rows(p).end; ++i) {
    facts->push_back(fmt::format("Registered {} {}.", ToString(g.register_kind[i]),
                                 Period(g.valid_from[i], g.valid_to[i])));
  }
  const auto& l = r.life_events;
  for (uint32_t i = l.Rows(p).begin; i < l.Rows(p).end; ++i) {
    facts->push_back(fmt::format("Event {} on {}.", ToString(l.event[i]), FormatDate(l.date[i])));
  }
}

}  // namespace

Result<PersonExplanation> ExplainPerson(const Registry& registry, std::string_view person_id,
                                        int year, int age_limit) {
  const int64_t p = registry.persons.Find(person_id);
  if (p < 0) return MakeError(fmt::format("person '{}' is not in the registry", person_id));
  PersonExplanation out;
  out.person_id = std::string(person_id);
  out.year = year;
  out.age_limit = age_limit;
  ListFacts(registry, static_cast<PersonIndex>(p), &out.facts);
  Explanation why;
  out.outcome = ClassifyPerson(registry, static_cast<PersonIndex>(p), year, age_limit, &why);
  out.steps = std::move(why.steps);
  return out;
}

}  // namespace vsv
