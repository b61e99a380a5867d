#include "synth/calibration.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "measure/classify.h"

namespace vsv::synth {
namespace {

constexpr Part kCPartOf[kCParts] = {Part::kCVo,       Part::kCMbo,         Part::kCVavo,
                                    Part::kCHo,       Part::kCSpecial,     Part::kCNonfunded,
                                    Part::kCDji,      Part::kCPoliceDefence, Part::kCSocial};

int SectorOfCategory(Category c) {
  switch (c) {
    case Category::kVoOnderbouw:
    case Category::kVoBovenbouwVmbo:
    case Category::kVoBovenbouwHavoVwo: return kTallyVo;
    case Category::kVavo: return kTallyVavo;
    default: return kTallyMbo;
  }
}

double Pct(int64_t x, int64_t den) { return den > 0 ? 100.0 * x / den : 0.0; }
int64_t Den(const PartCounts& p) { return p.A() - p.B(); }

const NationalFigure* FindFigure(const std::vector<NationalFigure>& national, int year) {
  for (const auto& f : national) {
    if (f.school_year == year) return &f;
  }
  return nullptr;
}

}  // namespace

PartCounts YearFigures::Total() const {
  PartCounts t;
  for (const auto& s : sector) t.Add(s);
  return t;
}

std::vector<YearFigures> FiguresFromTally(const Tally& tally) {
  std::vector<YearFigures> out;
  for (size_t i = 0; i < tally.years.size(); ++i) {
    const YearTally& t = tally.years[i];
    YearFigures f;
    f.year = tally.from_year + static_cast<int>(i);
    for (int s = 0; s < kTallySectors; ++s) {
      PartCounts& p = f.sector[s];
      p.n[static_cast<size_t>(Part::kB1)] = t.b1[s];
      p.n[static_cast<size_t>(Part::kB2)] = t.b2[s];
      p.n[static_cast<size_t>(Part::kB3)] = t.b3[s];
      for (int k = 0; k < kCParts; ++k) p.n[static_cast<size_t>(kCPartOf[k])] = t.c[k][s];
      p.n[static_cast<size_t>(Part::kDSk)] = t.d_sk[s];
      p.n[static_cast<size_t>(Part::kDEntreeWork)] = t.d_entree_work[s];
      p.n[static_cast<size_t>(Part::kX)] = t.x[s];
    }
    // The tally keeps only A - B and X per region; B parts are put on one side.
    for (int r = 0; r < kTallyRegions; ++r) {
      f.region[r].n[static_cast<size_t>(Part::kX)] = t.region_x[r];
      f.region[r].n[static_cast<size_t>(Part::kDSk)] = t.region_denominator[r] - t.region_x[r];
    }
    f.x_with_absence = t.x_with_absence;
    f.absent_in_a = t.absent_in_a;
    f.absent_in_a_x = t.absent_in_a_x;
    out.push_back(f);
  }
  return out;
}

std::vector<YearFigures> FiguresFromRegistry(const Registry& registry, const Reference& reference,
                                             int first, int last, int threads) {
  std::vector<YearFigures> out;
  for (int year = first; year <= last; ++year) {
    ClassifyOptions options;
    options.threads = threads;
    const YearClassification c = ClassifyYear(registry, reference, year, options);
    YearFigures f;
    f.year = year;
    for (size_t i = 0; i < c.size(); ++i) {
      const size_t part = static_cast<size_t>(c.part[i]);
      ++f.sector[SectorOfCategory(c.CategoryAt(registry, i))].n[part];
      const int r = c.RegionAt(i);
      if (r >= 0 && r < kTallyRegions) ++f.region[r].n[part];
    }
    out.push_back(f);
  }
  return out;
}

std::string CalibrationReport(const std::vector<YearFigures>& figures,
                              const std::vector<NationalFigure>& national, double scale,
                              bool* all_ok) {
  std::string s;
  bool ok_all = true;
  auto out = std::back_inserter(s);
  fmt::format_to(out, "{:<11} {:<22} {:>12} {:>12} {:>8}  {}\n", "year", "figure", "target",
                 "generated", "diff", "within");
  auto count_line = [&](int year, const char* name, std::optional<int64_t> target, int64_t gen,
                        double tol_rel) {
    if (!target) {
      fmt::format_to(out, "{:<11} {:<22} {:>12} {:>12}\n", SchoolYearName(year), name, "-", gen);
      return;
    }
    const int64_t scaled = std::llround(static_cast<double>(*target) * scale);
    const double diff = (static_cast<double>(gen) - scaled) / static_cast<double>(scaled);
    const bool ok = std::abs(diff) <= tol_rel;
    ok_all = ok_all && ok;
    fmt::format_to(out, "{:<11} {:<22} {:>12} {:>12} {:>+7.1f}%  {} (±{:.0f}%)\n",
                   SchoolYearName(year), name, scaled, gen, 100 * diff, ok ? "ok" : "NO",
                   100 * tol_rel);
  };
  auto pct_line = [&](int year, const char* name, std::optional<double> target, double gen) {
    if (!target) {
      fmt::format_to(out, "{:<11} {:<22} {:>12} {:>12.2f}\n", SchoolYearName(year), name, "-", gen);
      return;
    }
    const double diff = gen - *target;
    const bool ok = std::abs(diff) <= 0.1 + 1e-9;
    ok_all = ok_all && ok;
    fmt::format_to(out, "{:<11} {:<22} {:>12.2f} {:>12.2f} {:>+8.2f}  {} (±0.1)\n",
                   SchoolYearName(year), name, *target, gen, diff, ok ? "ok" : "NO");
  };
  for (const YearFigures& f : figures) {
    const NationalFigure* nf = FindFigure(national, f.year);
    const PartCounts total = f.Total();
    const PartCounts& vo = f.sector[kTallyVo];
    const PartCounts& mbo = f.sector[kTallyMbo];
    std::optional<int64_t> none;
    count_line(f.year, "new vsv total", nf ? nf->total_new_vsv : none, total.X(), 0.03);
    count_line(f.year, "new vsv VO", nf ? nf->vo_new_vsv : none, vo.X(), 0.03);
    count_line(f.year, "new vsv MBO", nf ? nf->mbo_new_vsv : none, mbo.X(), 0.03);
    count_line(f.year, "new vsv VAVO", none, f.sector[kTallyVavo].X(), 0.03);
    std::optional<double> nd;
    pct_line(f.year, "vsv % total", nf ? nf->total_pct : nd, Pct(total.X(), Den(total)));
    pct_line(f.year, "vsv % VO", nf ? nf->vo_pct : nd, Pct(vo.X(), Den(vo)));
    pct_line(f.year, "vsv % MBO", nf ? nf->mbo_pct : nd, Pct(mbo.X(), Den(mbo)));
    count_line(f.year, "start population (A)", nf ? nf->start_population : none, total.A(), 0.05);
    fmt::format_to(out, "{:<11} {:<22} {:>12} {:>12} {:>12} (VO, MBO, VAVO)\n", SchoolYearName(f.year),
                   "A - B by sector", Den(vo), Den(mbo), Den(f.sector[kTallyVavo]));
  }
  // Parts of the definition, as a share of A (per mille), per year.
  fmt::format_to(out, "\nparts per 1000 of A   ");
  static constexpr Part kShown[] = {Part::kB1, Part::kB2, Part::kB3, Part::kCVo, Part::kCMbo,
                                    Part::kCVavo, Part::kCHo, Part::kCSpecial, Part::kCNonfunded,
                                    Part::kCDji, Part::kCPoliceDefence, Part::kCSocial,
                                    Part::kDSk, Part::kDEntreeWork, Part::kX};
  for (Part p : kShown) fmt::format_to(out, "{:>8}", PartName(p).substr(0, 8));
  fmt::format_to(out, "\n");
  for (const YearFigures& f : figures) {
    const PartCounts total = f.Total();
    fmt::format_to(out, "{:<22}", SchoolYearName(f.year));
    for (Part p : kShown) {
      fmt::format_to(out, "{:>8.2f}", total.A() ? 1000.0 * total[p] / total.A() : 0.0);
    }
    fmt::format_to(out, "\n");
  }
  // Regions: the big cities against the rest, the last year.
  if (!figures.empty()) {
    const YearFigures& f = figures.back();
    int64_t big_x = 0, big_den = 0, rest_x = 0, rest_den = 0;
    double lo = 1e9, hi = 0;
    for (int r = 1; r < kTallyRegions; ++r) {
      const PartCounts& p = f.region[r];
      const int64_t den = Den(p);
      if (den == 0) continue;
      const bool big = r == 21 || r == 28 || r == 29;
      (big ? big_x : rest_x) += p.X();
      (big ? big_den : rest_den) += den;
      if (!big) {
        lo = std::min(lo, Pct(p.X(), den));
        hi = std::max(hi, Pct(p.X(), den));
      }
    }
    fmt::format_to(out,
                   "\nregions {}: big cities (21, 28, 29) {:.2f}%, other regions {:.2f}% "
                   "(range {:.2f}%..{:.2f}%)\n",
                   SchoolYearName(f.year), Pct(big_x, big_den), Pct(rest_x, rest_den), lo, hi);
    for (int r : {21, 28, 29}) {
      fmt::format_to(out, "  region {:02d}: {:.2f}%\n", r, Pct(f.region[r].X(), Den(f.region[r])));
    }
  }
  // Absence signal.
  int64_t xa = 0, x = 0, ab = 0, abx = 0;
  for (const YearFigures& f : figures) {
    if (f.x_with_absence < 0) continue;
    xa += f.x_with_absence;
    x += f.Total().X();
    ab += f.absent_in_a;
    abx += f.absent_in_a_x;
  }
  if (x > 0 && ab > 0) {
    fmt::format_to(out,
                   "\nabsence: {:.0f}% of new vsv'ers were reported absent in the year before; "
                   "{:.0f}% of pupils reported absent became a new vsv'er\n",
                   100.0 * xa / x, 100.0 * abx / ab);
  }
  fmt::format_to(out, "\n{}\n", ok_all ? "all published figures within tolerance"
                                        : "some figures outside tolerance (NO)");
  if (all_ok) *all_ok = ok_all;
  return s;
}

std::vector<YearFigures> PoolFigures(const std::vector<std::vector<YearFigures>>& runs) {
  if (runs.empty()) return {};
  std::vector<YearFigures> out = runs[0];
  for (size_t r = 1; r < runs.size(); ++r) {
    for (size_t i = 0; i < out.size() && i < runs[r].size(); ++i) {
      YearFigures& o = out[i];
      const YearFigures& f = runs[r][i];
      for (int s = 0; s < kTallySectors; ++s) o.sector[s].Add(f.sector[s]);
      for (int g = 0; g < kTallyRegions; ++g) o.region[g].Add(f.region[g]);
      const bool known = o.x_with_absence >= 0 && f.x_with_absence >= 0;
      o.x_with_absence = known ? o.x_with_absence + f.x_with_absence : -1;
      o.absent_in_a = known ? o.absent_in_a + f.absent_in_a : -1;
      o.absent_in_a_x = known ? o.absent_in_a_x + f.absent_in_a_x : -1;
    }
  }
  return out;
}

namespace {

// The X of VO, MBO and VAVO to aim at in one school year. Every published figure of
// the year (total, VO and MBO: count and percentage of the generated A - B) is a
// target for a sum of these; one seed's figure at scale 1.0 misses its target by
// sampling noise with sd 1 / sqrt(X) (X at scale 1.0). The aim is the (VO, MBO,
// VAVO) that leaves the most room within ±3% in units of that sd for the figure
// with the least: maximin on a grid of relative steps from the generated values.
// A sector's percentage whose X lies more than 4% from its count's cannot hold with
// it within ±3% with noise on top (the generated denominator differs from the real
// one); the count is kept and the percentage left out. Sectors without a figure
// and VAVO (none published) move together, by at most ±30%, to serve the total.
std::array<double, 3> YearTargets(const YearFigures& f, const NationalFigure& nf, double scale) {
  const PartCounts& vo = f.sector[kTallyVo];
  const PartCounts& mbo = f.sector[kTallyMbo];
  const double gen[3] = {static_cast<double>(vo.X()), static_cast<double>(mbo.X()),
                         static_cast<double>(f.sector[kTallyVavo].X())};
  struct Target {
    bool in[3];    // which of VO, MBO, VAVO the figure sums
    double x;      // the X it asks for (pooled registry)
  };
  std::vector<Target> targets;
  auto sector = [&](int s, std::optional<int64_t> count, std::optional<double> pct,
                    const PartCounts& p) {
    Target t{{s == 0 || s < 0, s == 1 || s < 0, s < 0}, 0};
    std::optional<double> from_count, from_pct;
    if (count) from_count = static_cast<double>(*count) * scale;
    if (pct && Den(p) > 0) from_pct = *pct / 100 * static_cast<double>(Den(p));
    if (from_count && from_pct && std::abs(std::log(*from_count / *from_pct)) > 0.04) {
      from_pct.reset();
    }
    for (auto x : {from_count, from_pct}) {
      if (x) targets.push_back({{t.in[0], t.in[1], t.in[2]}, *x});
    }
    return from_count || from_pct;
  };
  sector(-1, nf.total_new_vsv, nf.total_pct, f.Total());
  bool published[3] = {sector(0, nf.vo_new_vsv, nf.vo_pct, vo),
                       sector(1, nf.mbo_new_vsv, nf.mbo_pct, mbo), false};
  for (int s = 0; s < 3; ++s) {
    if (gen[s] < 1) published[s] = true;  // nothing to move: keep it out of the free group
  }
  auto margin = [&](const double x[3]) {
    double worst = 1e9;
    for (const Target& t : targets) {
      double v = 0;
      for (int s = 0; s < 3; ++s) v += t.in[s] ? x[s] : 0;
      const double sd = 1 / std::sqrt(t.x / scale);  // one seed at scale 1.0
      worst = std::min(worst, (0.03 - std::abs(v / t.x - 1)) / sd);
    }
    return worst;
  };
  double best = -1e18;
  std::array<double, 3> out = {gen[0], gen[1], gen[2]};
  auto range = [](bool on, double lo, double hi, double step) {
    std::vector<double> r;
    if (!on) return std::vector<double>{0.0};
    for (double d = lo; d <= hi + 1e-12; d += step) r.push_back(d);
    return r;
  };
  for (double dv : range(published[0], -0.2, 0.2, 0.0025)) {
    for (double dm : range(published[1], -0.2, 0.2, 0.0025)) {
      for (double df : range(true, -0.3, 0.3, 0.005)) {
        const double d[3] = {dv, dm, 0};
        double x[3];
        for (int s = 0; s < 3; ++s) x[s] = gen[s] * std::exp(published[s] ? d[s] : df);
        // Ties (figures that do not bind) go to the smallest move.
        const double score = margin(x) - 1e-3 * (std::abs(dv) + std::abs(dm) + std::abs(df));
        if (score > best) {
          best = score;
          out = {x[0], x[1], x[2]};
        }
      }
    }
  }
  return out;
}

}  // namespace

void AdjustYearEffects(const std::vector<YearFigures>& figures,
                       const std::vector<NationalFigure>& national, double scale,
                       FlowParams* params) {
  int first_fit = 9999, last_fit = 0;
  for (const YearFigures& f : figures) {
    const NationalFigure* nf = FindFigure(national, f.year);
    if (!nf || !nf->total_new_vsv) continue;
    const PartCounts& vo = f.sector[kTallyVo];
    const PartCounts& mbo = f.sector[kTallyMbo];
    const PartCounts& vavo = f.sector[kTallyVavo];
    const std::array<double, 3> targets = YearTargets(f, *nf, scale);
    const double gens[3] = {static_cast<double>(vo.X()), static_cast<double>(mbo.X()),
                            static_cast<double>(vavo.X())};
    std::array<double, FlowParams::kYears>* eff[3] = {
        &params->vo_year_effect, &params->mbo_year_effect, &params->vavo_year_effect};
    const int i = f.year - FlowParams::kFirstYear;
    if (i < 0 || i >= FlowParams::kYears) continue;
    for (int s = 0; s < 3; ++s) {
      if (gens[s] < 1) continue;
      // X responds less than proportionally to the hazard (returns, other routes).
      const double step = std::clamp(1.3 * std::log(targets[s] / gens[s]), -1.0, 1.0);
      (*eff[s])[i] += step;
    }
    first_fit = std::min(first_fit, f.year);
    last_fit = std::max(last_fit, f.year);
  }
  if (first_fit > last_fit) return;
  for (auto* e : {&params->vo_year_effect, &params->mbo_year_effect, &params->vavo_year_effect}) {
    for (int y = FlowParams::kFirstYear; y < first_fit; ++y) {
      (*e)[y - FlowParams::kFirstYear] = (*e)[first_fit - FlowParams::kFirstYear];
    }
    for (int y = last_fit + 1; y < FlowParams::kFirstYear + FlowParams::kYears; ++y) {
      (*e)[y - FlowParams::kFirstYear] = (*e)[last_fit - FlowParams::kFirstYear];
    }
  }
}

std::string YearEffectsAsCode(const FlowParams& p) {
  std::string s;
  auto one = [&](const char* name, const std::array<double, FlowParams::kYears>& a) {
    fmt::format_to(std::back_inserter(s), "constexpr std::array<double, FlowParams::kYears> {} = {{", name);
    for (int i = 0; i < FlowParams::kYears; ++i) {
      fmt::format_to(std::back_inserter(s), "{}{:.3f}", i ? (i % 10 == 0 ? ",\n    " : ", ") : "", a[i]);
    }
    fmt::format_to(std::back_inserter(s), "}};\n");
  };
  one("kVoYear", p.vo_year_effect);
  one("kMboYear", p.mbo_year_effect);
  one("kVavoYear", p.vavo_year_effect);
  return s;
}

}  // namespace vsv::synth
