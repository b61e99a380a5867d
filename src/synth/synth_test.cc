// Tests of the synthetic registry: determinism (seed, threads), the loader's full
// validation of the output, agreement of the generator's tally with the official
// count, and calibration at a small scale.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <unistd.h>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/file_util.h"
#include "registry/loader.h"
#include "registry/reference.h"
#include "synth/calibration.h"
#include "synth/flow_model.h"
#include "synth/generator.h"
#include "synth/rng.h"

namespace vsv::synth {
namespace {

const std::string kReference = std::string(VSV_SOURCE_DIR) + "/data/reference";

std::string TempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vsv_synth_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

uint64_t Fnv1a(std::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Hash of every file of a registry folder, in file order.
uint64_t HashRegistry(const std::string& dir) {
  uint64_t h = 0;
  for (int f = 0; f < kRegistryFiles; ++f) {
    auto text = ReadFile(dir + "/" + RegistryFileName(f));
    EXPECT_TRUE(text.has_value()) << RegistryFileName(f);
    if (text) h = h * 31 + Fnv1a(*text);
  }
  return h;
}

SynthOptions Small(const std::string& out, uint64_t seed, int threads, double scale = 0.002) {
  SynthOptions o;
  o.scale = scale;
  o.seed = seed;
  o.threads = threads;
  o.out_dir = out;
  o.reference_dir = kReference;
  o.progress = false;
  return o;
}

TEST(RngTest, SameStreamSameNumbersDifferentStreamsDiffer) {
  Rng a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  const uint64_t x = a.Next();
  EXPECT_EQ(x, b.Next());
  EXPECT_NE(x, c.Next());
  EXPECT_NE(x, d.Next());
  for (int i = 0; i < 1000; ++i) {
    const double u = a.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const int k = a.UniformInt(7);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 7);
  }
}

TEST(FlowModelTest, ProbabilitiesAreProbabilitiesAndRiskRaisesLeaving) {
  const FlowModel m = FlowModel::Default();
  Situation s;
  s.school_year = 2018;
  s.age = 17;
  s.region = 21;
  for (double risk : {-2.0, 0.0, 2.0}) {
    s.risk = risk;
    const VoYearProbs p = m.VoYear(s, VoTrack::kVmboKb, 4);
    EXPECT_GT(p.leave, 0);
    EXPECT_LT(p.leave, 1);
    EXPECT_GT(p.pass, 0);
    EXPECT_LT(p.pass, 1);
  }
  s.risk = -1;
  const double low = m.MboLeave(s, 2, Pathway::kBol, 1, 0);
  s.risk = 1;
  const double high = m.MboLeave(s, 2, Pathway::kBol, 1, 0);
  EXPECT_GT(high, 2 * low);
  // Big-city regions leave more than the average region.
  EXPECT_GT(m.RegionEffect(21), m.RegionEffect(5));
  EXPECT_GT(m.RegionEffect(29), m.RegionEffect(5));
}

TEST(FlowModelTest, JsonRoundTrip) {
  FlowParams p = FlowModel::Default().params();
  p.mbo_year_effect[19] = 0.123;
  p.region_effect[28] = 0.5;
  auto back = FlowParamsFromJson(FlowParamsToJson(p));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_DOUBLE_EQ(back->mbo_year_effect[19], 0.123);
  EXPECT_DOUBLE_EQ(back->region_effect[28], 0.5);
  EXPECT_FALSE(FlowParamsFromJson("{not json").has_value());
}

TEST(GeneratorTest, SameSeedSameBytesWhateverTheThreads) {
  const std::string a = TempDir("a"), b = TempDir("b"), c = TempDir("c");
  // Enough chunks (scale 0.01: ~25) that threads interleave differently per run.
  auto sa = GenerateRegistry(Small(a, 42, 1, 0.01));
  auto sb = GenerateRegistry(Small(b, 42, 3, 0.01));
  auto sc = GenerateRegistry(Small(c, 42, 2, 0.01));
  ASSERT_TRUE(sa.has_value()) << sa.error().message;
  ASSERT_TRUE(sb.has_value()) << sb.error().message;
  ASSERT_TRUE(sc.has_value()) << sc.error().message;
  EXPECT_GT(sa->persons, 5000);
  EXPECT_EQ(HashRegistry(a), HashRegistry(b));
  EXPECT_EQ(HashRegistry(b), HashRegistry(c));
  for (const auto& d : {a, b, c}) std::filesystem::remove_all(d);
}

TEST(GeneratorTest, DifferentSeedDifferentData) {
  const std::string a = TempDir("s1"), b = TempDir("s2");
  ASSERT_TRUE(GenerateRegistry(Small(a, 1, 2)).has_value());
  ASSERT_TRUE(GenerateRegistry(Small(b, 2, 2)).has_value());
  auto pa = ReadFile(a + "/persons.csv");
  auto pb = ReadFile(b + "/persons.csv");
  ASSERT_TRUE(pa && pb);
  EXPECT_NE(Fnv1a(*pa), Fnv1a(*pb));
  auto ea = ReadFile(a + "/enrolments.csv");
  auto eb = ReadFile(b + "/enrolments.csv");
  ASSERT_TRUE(ea && eb);
  EXPECT_NE(Fnv1a(*ea), Fnv1a(*eb));
  std::filesystem::remove_all(a);
  std::filesystem::remove_all(b);
}

TEST(GeneratorTest, FailsCleanlyOnMissingReference) {
  SynthOptions o = Small(TempDir("noref"), 42, 1);
  o.reference_dir = "/nonexistent/reference";
  auto s = GenerateRegistry(o);
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message.find("/nonexistent/reference"), std::string::npos);
}

// The written registry passes the loader's full validation, and the official count
// over it agrees with the generator's own tally, part by part.
TEST(GeneratorTest, OutputLoadsAndTallyMatchesOfficialCount) {
  const std::string dir = TempDir("load");
  auto stats = GenerateRegistry(Small(dir, 42, 2, 0.01));
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  auto ref = Reference::Load(kReference);
  ASSERT_TRUE(ref.has_value()) << ref.error().message;
  LoadReport report;
  auto reg = LoadRegistryCsv(dir, *ref, LoadOptions{2}, &report);
  ASSERT_TRUE(reg.has_value()) << reg.error().message;
  EXPECT_EQ(static_cast<int64_t>(reg->person_count()), stats->rows.rows[kPersonsFile]);
  EXPECT_TRUE(report.notices.empty() || report.notices[0].what.find("residence") == std::string::npos);
  const auto official = FiguresFromRegistry(*reg, *ref, 2012, 2023, 2);
  const auto tally = FiguresFromTally(stats->tally);
  ASSERT_EQ(official.size(), tally.size());
  for (size_t i = 0; i < official.size(); ++i) {
    for (int s = 0; s < kTallySectors; ++s) {
      EXPECT_EQ(official[i].sector[s].n, tally[i].sector[s].n)
          << "school year " << official[i].year << " sector " << s;
    }
  }
  // As the population register records a reorganisation: a period that runs across
  // one ends the day before it, so every period lies in a code valid on all its days
  // (up to the end of the data, 31 December 2024 here).
  const Date data_end = *ParseDate("2024-12-31");
  int64_t in_municipality = 0;
  for (size_t i = 0; i < reg->residences.valid_from.size(); ++i) {
    const Municipality m = reg->residences.municipality[i];
    if (m < 0) continue;
    ++in_municipality;
    const CodeValidity v = ref->ValidityOf(m);
    const Date last = std::min(reg->residences.valid_to[i], data_end);
    ASSERT_TRUE(v.Covers(reg->residences.valid_from[i]) && v.Covers(last))
        << "residence row " << i << ": code " << m << " from " << FormatDate(reg->residences.valid_from[i])
        << " to " << FormatDate(last);
  }
  EXPECT_GT(in_municipality, 0);
  std::filesystem::remove_all(dir);
}

// One published figure of one school year against a generated registry.
struct FigureCheck {
  int year;
  const char* name;
  double target;     // the figure (a count times the scale, or a percentage)
  double generated;
  double noise_x;    // the count whose binomial noise drives the figure's: X, or A
};

// Every published figure of the school years in `figures` (counts times `scale`),
// percentages as X / (A - B) x 100 of the counts.
std::vector<FigureCheck> PublishedFigures(const std::vector<YearFigures>& figures,
                                          const Reference& ref, double scale) {
  std::vector<FigureCheck> out;
  for (const YearFigures& f : figures) {
    const NationalFigure* nf = nullptr;
    for (const auto& n : ref.national_figures()) {
      if (n.school_year == f.year) nf = &n;
    }
    if (nf == nullptr) continue;
    const PartCounts total = f.Total();
    const PartCounts& vo = f.sector[kTallyVo];
    const PartCounts& mbo = f.sector[kTallyMbo];
    auto count = [&](const char* name, const std::optional<int64_t>& published, int64_t gen) {
      if (published) {
        const double target = static_cast<double>(*published) * scale;
        out.push_back({f.year, name, target, static_cast<double>(gen), target});
      }
    };
    auto pct = [&](const char* name, const std::optional<double>& published, const PartCounts& p) {
      if (published) {
        const double den = static_cast<double>(p.A() - p.B());
        out.push_back({f.year, name, *published, 100.0 * static_cast<double>(p.X()) / den,
                       *published / 100 * den});
      }
    };
    count("new vsv total", nf->total_new_vsv, total.X());
    count("new vsv VO", nf->vo_new_vsv, vo.X());
    count("new vsv MBO", nf->mbo_new_vsv, mbo.X());
    count("start population", nf->start_population, total.A());
    pct("vsv % total", nf->total_pct, total);
    pct("vsv % VO", nf->vo_pct, vo);
    pct("vsv % MBO", nf->mbo_pct, mbo);
  }
  return out;
}

// The percentage of the big-city regions (21, 28, 29) over that of regions 1-16
// without 14 (Arnhem/Nijmegen). The model gives the big cities +0.38..0.45 on the
// logit of leaving against -0.12..+0.10: over seeds 1-5 at scale 0.05 the ratio
// was 1.18-1.52 in 2023-2024 (mean 1.35). With ~300 and ~480 leavers per seed
// there, one seed's ratio has a relative sd of sqrt(1/300 + 1/480) = 7.4% (0.10),
// so one seed can only be asked to put the big cities higher (1.0 is 3.5 sd below
// 1.35); the five seeds pooled (sd 3.3%, 0.045) must show them clearly higher,
// by 20% (3.3 sd below 1.35, 6 sd above a ratio of 1).
double BigCityRatio(const YearFigures& f) {
  auto pct = [&](std::initializer_list<int> regions) {
    int64_t x = 0, den = 0;
    for (int r : regions) {
      x += f.region[r].X();
      den += f.region[r].A() - f.region[r].B();
    }
    return 100.0 * static_cast<double>(x) / static_cast<double>(den);
  };
  return pct({21, 28, 29}) / pct({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16});
}

// How far the mean over seeds lies from a published figure by construction: the
// fit (seeds 101-110 pooled, src/synth/README.md) left every figure within 2.4%
// (the largest: total % 2023-2024 +2.4%, total 2015-2016 -2.2%, where the published
// figures of the year disagree with each other given the generated denominators),
// except two VO percentages whose published count and percentage imply a VO
// denominator 8-10% off the generated one, so that the fit keeps the count:
// 2012-2013 (-7.2%) and 2019-2020 (+9.9%).
double SystematicDeviation(int year, const std::string& name) {
  if (name == "vsv % VO" && year == 2012) return 0.075;
  if (name == "vsv % VO" && year == 2019) return 0.10;
  return 0.025;
}

// Calibration at scale 0.05 for five seeds (none of them a fitting seed), each on
// its own and pooled. The allowance is not a tolerance chosen to pass but the
// calibration's systematic deviation (above) plus the noise a figure has at this
// scale:
// - a generated count is a sum of independent persons' outcomes, so its sd is
//   about sqrt(expected count) (binomial; bench/README.md "Calibration" measured
//   the sd over ten seeds at scale 1.0 at 0.99 x sqrt(X), rms over 52 figures); a
//   percentage X / (A - B) has the relative sd of its X, 1 / sqrt(X) (A - B varies
//   far less); the start population, taken as binomial too, varies less still;
// - kZ = 4 sd, so that none of the 53 figures x 6 checks fails by noise alone
//   (a two-sided 4 sd miss has probability 6e-5; over 318 checks 2%).
// At scale 0.05 a figure of ~250 VO leavers thus allows 2.5% + 4/sqrt(250) = 28%,
// the total of ~1,400 allows 13%, the start population 4.1%: a single seed at this
// scale says little. The five seeds pooled (a registry of scale 0.25) allow
// 2.5% + 4/sqrt(5 N): 14% for VO, 7.3% for the total — still far above the 3% that
// bench/calibration.sh checks at scale 1.0, where the calibration is measured.
TEST(GeneratorTest, CalibratedAtSmallScaleForFiveSeeds) {
  constexpr double kScale = 0.05;
  constexpr double kZ = 4.0;
  const uint64_t kSeeds[] = {1, 2, 3, 4, 5};
  auto ref = Reference::Load(kReference);
  ASSERT_TRUE(ref.has_value());
  std::vector<std::vector<YearFigures>> runs;
  for (uint64_t seed : kSeeds) {
    SynthOptions o = Small("", seed, 2, kScale);
    o.write_files = false;
    auto stats = GenerateRegistry(o);
    ASSERT_TRUE(stats.has_value()) << stats.error().message;
    runs.push_back(FiguresFromTally(stats->tally));
  }
  auto check = [&](const std::vector<YearFigures>& figures, double scale, const std::string& what) {
    const auto checks = PublishedFigures(figures, *ref, scale);
    EXPECT_EQ(checks.size(), 53u) << what;  // 12 school years of national_figures.csv
    for (const FigureCheck& c : checks) {
      const double allowed = SystematicDeviation(c.year, c.name) + kZ / std::sqrt(c.noise_x);
      EXPECT_LE(std::abs(c.generated / c.target - 1), allowed)
          << what << " " << SchoolYearName(c.year) << " " << c.name << ": generated "
          << c.generated << ", target " << c.target;
    }
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::vector<YearFigures>& figures = runs[i];
    const std::string what = "seed " + std::to_string(kSeeds[i]);
    ASSERT_EQ(figures.size(), 12u) << what;
    check(figures, kScale, what);
    for (const YearFigures& f : figures) {
      // Every part of the definition occurs.
      const PartCounts total = f.Total();
      for (Part p : {Part::kB1, Part::kB2, Part::kB3, Part::kCVo, Part::kCMbo, Part::kCVavo,
                     Part::kCHo, Part::kCSpecial, Part::kCNonfunded, Part::kCDji, Part::kDSk,
                     Part::kDEntreeWork, Part::kX}) {
        EXPECT_GT(total[p], 0) << what << " " << f.year << " " << PartName(p);
      }
    }
    // Big-city regions higher in the last year (see BigCityRatio for the margin).
    EXPECT_GT(BigCityRatio(figures.back()), 1.0) << what;
  }
  const std::vector<YearFigures> pooled = PoolFigures(runs);
  EXPECT_GT(BigCityRatio(pooled.back()), 1.2) << "five seeds pooled";
  check(pooled, kScale * static_cast<double>(runs.size()), "five seeds pooled");
}

}  // namespace
}  // namespace vsv::synth
