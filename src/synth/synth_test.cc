// Tests of the synthetic registry: determinism (seed, threads), the loader's full
// validation of the output, agreement of the generator's tally with the official
// count, and calibration at a small scale.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <unistd.h>
#include <string>

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
  std::filesystem::remove_all(dir);
}

// At scale 0.05 the published figures are met within a tolerance that allows for the
// sampling noise of a twentieth of the country (about ±4 standard deviations).
TEST(GeneratorTest, CalibratedAtSmallScale) {
  SynthOptions o = Small("", 42, 2, 0.05);
  o.write_files = false;
  auto stats = GenerateRegistry(o);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  auto ref = Reference::Load(kReference);
  ASSERT_TRUE(ref.has_value());
  const auto figures = FiguresFromTally(stats->tally);
  ASSERT_EQ(figures.size(), 12u);
  for (const YearFigures& f : figures) {
    const NationalFigure* nf = nullptr;
    for (const auto& n : ref->national_figures()) {
      if (n.school_year == f.year) nf = &n;
    }
    ASSERT_NE(nf, nullptr) << f.year;
    const PartCounts total = f.Total();
    const double x = static_cast<double>(total.X());
    const double target = static_cast<double>(*nf->total_new_vsv) * o.scale;
    EXPECT_NEAR(x, target, 4 * std::sqrt(target) + 0.02 * target) << f.year;
    const double den = static_cast<double>(total.A() - total.B());
    if (nf->total_pct) {
      EXPECT_NEAR(100 * x / den, *nf->total_pct, 0.25) << f.year;
    }
    if (nf->mbo_pct) {
      const PartCounts& mbo = f.sector[kTallyMbo];
      EXPECT_NEAR(100.0 * mbo.X() / (mbo.A() - mbo.B()), *nf->mbo_pct, 0.5) << f.year;
    }
    EXPECT_NEAR(static_cast<double>(total.A()), 1.32e6 * o.scale, 0.06 * 1.32e6 * o.scale)
        << f.year;
    // Every part of the definition occurs.
    for (Part p : {Part::kB1, Part::kB2, Part::kB3, Part::kCVo, Part::kCMbo, Part::kCVavo,
                   Part::kCHo, Part::kCSpecial, Part::kCNonfunded, Part::kCDji, Part::kDSk,
                   Part::kDEntreeWork, Part::kX}) {
      EXPECT_GT(total[p], 0) << f.year << " " << PartName(p);
    }
  }
  // Big-city regions clearly higher in the last year.
  const YearFigures& last = figures.back();
  auto pct = [&](std::initializer_list<int> regions) {
    int64_t x = 0, den = 0;
    for (int r : regions) {
      x += last.region[r].X();
      den += last.region[r].A() - last.region[r].B();
    }
    return 100.0 * x / den;
  };
  EXPECT_GT(pct({21, 28, 29}), 1.2 * pct({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16}));
}

}  // namespace
}  // namespace vsv::synth
