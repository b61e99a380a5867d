#include "followup/sync.h"

#include <fmt/format.h>

#include "measure/stock.h"
#include "measure/worklist.h"

namespace vsv::followup {

int AgeLimit(const SyncOptions& o) { return o.doorstroompunt ? 27 : 23; }

PersonSnapshot SnapshotOf(const Registry& r, PersonIndex p, Date date, int64_t enrolment, const Reference* reference) {
  PersonSnapshot s;
  s.person_id = std::string(r.persons.Id(p));
  s.birth_date = r.persons.birth_date[p];
  const int64_t res = r.ResidenceOn(p, date);
  if (res >= 0 && IsDutchMunicipality(r.residences.municipality[res])) {
    s.municipality = r.residences.municipality[res];
    // A residence period that runs on across a reorganisation: the register shows
    // the municipality of today's division (the successor).
    if (reference) {
      const Municipality now = reference->CodeIn(r.residences.municipality[res], SchoolYearOf(date));
      if (now >= 0) s.municipality = now;
    }
  }
  const EnrolmentTable& e = r.enrolments;
  if (enrolment < 0) {
    const RowRange rows = e.Rows(p);
    for (uint32_t i = rows.begin; i < rows.end; ++i) {
      if (e.start_date[i] > date) continue;
      if (enrolment < 0 || e.end_date[i] > e.end_date[enrolment] ||
          (e.end_date[i] == e.end_date[enrolment] && e.start_date[i] > e.start_date[enrolment])) {
        enrolment = i;
      }
    }
  }
  if (enrolment >= 0) {
    const auto i = static_cast<uint32_t>(enrolment);
    s.last_school = r.institutions.Brin(e.location_row[i]);
    s.last_location = r.institutions.LocationCode(e.location_row[i]);
    s.last_sector = std::string(ToString(e.sector[i]));
    s.last_program = e.program[i] == Program::kCrebo ? fmt::format("{}", e.crebo[i]) : std::string(ToString(e.program[i]));
    s.last_level = e.level[i];
    s.left_on = e.end_date[i] == kOpenEnd ? kNoDate : e.end_date[i];
  }
  const RowRange rows = r.diplomas.Rows(p);
  for (uint32_t i = rows.begin; i < rows.end; ++i) {
    if (r.diplomas.date[i] > date) continue;
    if (!s.diplomas.empty()) s.diplomas += "; ";
    s.diplomas += fmt::format("{} {}", ToString(r.diplomas.type[i]), FormatDate(r.diplomas.date[i]));
    if (r.diplomas.type[i] == DiplomaType::kMboVerklaring) s.has_mbo_verklaring = true;
  }
  return s;
}

std::string FlagOf(const Registry& r, const Reference& reference, PersonIndex p, Date date, int region) {
  const RowRange events = r.life_events.Rows(p);
  for (uint32_t i = events.begin; i < events.end; ++i) {
    if (r.life_events.event[i] == LifeEvent::kDeath && r.life_events.date[i] <= date) return "died";
  }
  if (HasStartkwalificatieOn(r, p, date)) return "sk-obtained";
  if (EnrolledOn(r, p, date)) return "re-enrolled";
  const int64_t res = r.ResidenceOn(p, date);
  if (res < 0 || !IsDutchMunicipality(r.residences.municipality[res])) return "moved:abroad";
  const int now_region = reference.RegionOf(r.residences.municipality[res], SchoolYearOf(date));
  if (now_region != region) return now_region < 0 ? "moved:unknown" : fmt::format("moved:{:02d}", now_region);
  return "";
}

SyncRequest BuildSyncRequest(const Registry& r, const Reference& reference, ClassificationCache& cache,
                             const SyncOptions& o, SyncInputCounts* counts) {
  SyncRequest req;
  req.region = o.region;
  req.date = o.date;
  const Date from = o.leavers_from.value_or(AddMonths(o.date, -12) + 1);
  const std::vector<WorklistEntry> list = ComputeWorklist(r, reference, {o.region, from, o.date, AgeLimit(o)});
  for (const WorklistEntry& w : list) {
    SyncCandidate c;
    c.kind = CaseKind::kNewLeaver;
    c.episode = "leaver:" + FormatDate(w.left_on);
    c.covered_from = w.left_on;
    c.person = SnapshotOf(r, w.person, o.date, w.enrolment, &reference);
    req.candidates.push_back(std::move(c));
  }
  const StockResult stock = ComputeStock(cache, {StockKind::kOudVsv, o.date, AgeLimit(o)});
  int64_t oud = 0;
  // A person on both lists (left this year and already counted) gets one case: the
  // new leaver's.
  std::vector<uint8_t> listed(r.person_count(), 0);
  for (const WorklistEntry& w : list) listed[w.person] = 1;
  for (const StockEntry& s : stock.entries) {
    if (s.region != o.region) continue;
    ++oud;
    if (listed[s.person]) continue;
    SyncCandidate c;
    c.kind = CaseKind::kOudVsv;
    c.episode = fmt::format("oud-vsv:{}", s.since_year);
    c.covered_from = MakeDate(s.since_year, 8, 1);
    c.person = SnapshotOf(r, s.person, o.date, -1, &reference);
    req.candidates.push_back(std::move(c));
  }
  if (counts) *counts = {static_cast<int64_t>(list.size()), oud};
  const Registry* reg = &r;
  const Reference* ref = &reference;
  const Date date = o.date;
  const int region = o.region;
  req.lookup = [reg, ref, date, region](std::string_view person_id) {
    PersonState st;
    const int64_t p = reg->persons.Find(person_id);
    if (p < 0) {
      st.flag = "not-in-registry";
      return st;
    }
    st.found = true;
    st.snapshot = SnapshotOf(*reg, static_cast<PersonIndex>(p), date, -1, ref);
    st.flag = FlagOf(*reg, *ref, static_cast<PersonIndex>(p), date, region);
    return st;
  };
  return req;
}

StoreResult<SyncReport> SyncCases(CaseStore& store, const Context& ctx, const Registry& registry,
                                  const Reference& reference, ClassificationCache& cache, const SyncOptions& options,
                                  SyncInputCounts* counts) {
  return store.Sync(ctx, BuildSyncRequest(registry, reference, cache, options, counts));
}

}  // namespace vsv::followup
