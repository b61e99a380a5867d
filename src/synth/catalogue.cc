#include "synth/catalogue.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace vsv::synth {

const char* SectorCode(Sector sector) {
  switch (sector) {
    case Sector::kVo: return "VO";
    case Sector::kMbo: return "MBO";
    case Sector::kVavo: return "VAVO";
    case Sector::kHo: return "HO";
    case Sector::kPro: return "PRO";
    case Sector::kVso: return "VSO";
    case Sector::kSo: return "SO";
  }
  return "";
}

namespace {

// The i-th synthetic BRIN code: two digits and two letters, all distinct for
// i < 67600, scattered so that neighbouring institutions do not look alike.
std::string BrinCode(int i) {
  const int digits = (i % 100 * 37 + 11) % 100;
  const int letters = (i / 100 * 7 + 3) % 676;
  std::string s(4, ' ');
  s[0] = static_cast<char>('0' + digits / 10);
  s[1] = static_cast<char>('0' + digits % 10);
  s[2] = static_cast<char>('A' + letters / 26);
  s[3] = static_cast<char>('A' + letters % 26);
  return s;
}

// Municipalities of a region ordered by size, largest first (ties by index).
std::vector<int> BySize(const SynthReference& ref, const std::vector<int>& munis) {
  std::vector<int> out = munis;
  std::stable_sort(out.begin(), out.end(), [&](int a, int b) {
    return ref.municipalities[a].weight > ref.municipalities[b].weight;
  });
  return out;
}

int PickByPower(Rng& rng, const SynthReference& ref, const std::vector<int>& munis,
                double power) {
  std::vector<double> cum;
  double total = 0;
  for (int m : munis) {
    total += std::pow(ref.municipalities[m].weight, power);
    cum.push_back(total);
  }
  return munis[rng.PickCumulative(cum)];
}

}  // namespace

int Catalogue::AddInstitution(std::string name, Sector sector, InstitutionKind kind,
                              bool funded) {
  const int index = static_cast<int>(institutions_.size());
  institutions_.push_back(
      Institution{BrinCode(index), std::move(name), sector, kind, funded});
  next_location_number_.push_back(0);
  return index;
}

int Catalogue::AddLocation(int institution, int municipality) {
  const int number = next_location_number_[institution]++;
  locations_.push_back(Location{institution, number, municipality});
  return static_cast<int>(locations_.size()) - 1;
}

Catalogue Catalogue::Build(const SynthReference& ref, uint64_t seed) {
  Catalogue cat;
  cat.ref_ = &ref;
  Rng rng(seed, 0xCA7A10'6000ULL);
  const int n_muni = static_cast<int>(ref.municipalities.size());
  const int n_region = ref.max_region + 1;
  cat.vo_by_muni_.assign(n_muni, {});
  cat.roc_by_muni_.assign(n_muni, {});
  cat.vo_by_region_.assign(n_region, {});
  cat.pro_by_region_.assign(n_region, {});
  cat.vso_by_region_.assign(n_region, {});
  cat.roc_by_region_.assign(n_region, {});
  cat.aoc_by_region_.assign(n_region, {});
  cat.hbo_by_region_.assign(n_region, {});
  auto muni_name = [&](int m) { return ref.municipalities[m].name; };

  std::vector<int> all_munis(n_muni);
  for (int i = 0; i < n_muni; ++i) all_munis[i] = i;

  // VO schools, PRO and VSO per region.
  for (int r = 1; r < n_region; ++r) {
    const auto& munis = ref.region_municipalities[r];
    if (munis.empty()) continue;
    double w = 0;
    for (int m : munis) w += ref.municipalities[m].weight;
    const int n_vo = std::max(2, static_cast<int>(std::lround(w / 11.0)));
    for (int k = 0; k < n_vo; ++k) {
      const int main_muni = PickByPower(rng, ref, munis, 1.2);
      const int inst = cat.AddInstitution(
          fmt::format("Scholengemeenschap {} {}", muni_name(main_muni), k + 1),
          Sector::kVo, InstitutionKind::kVoSchool, true);
      const double u = rng.Uniform();
      const int n_loc = u < 0.55 ? 1 : (u < 0.85 ? 2 : 3);
      for (int l = 0; l < n_loc; ++l) {
        const int m = l == 0 ? main_muni : PickByPower(rng, ref, munis, 1.0);
        const int loc = cat.AddLocation(inst, m);
        cat.vo_by_muni_[m].push_back(loc);
        cat.vo_by_region_[r].push_back(loc);
      }
    }
    // Every sizeable municipality has a VO location.
    for (int m : munis) {
      if (ref.municipalities[m].weight >= 9 && cat.vo_by_muni_[m].empty()) {
        const int inst = cat.AddInstitution(
            fmt::format("College {}", muni_name(m)), Sector::kVo,
            InstitutionKind::kVoSchool, true);
        const int loc = cat.AddLocation(inst, m);
        cat.vo_by_muni_[m].push_back(loc);
        cat.vo_by_region_[r].push_back(loc);
      }
    }
    const std::vector<int> big = BySize(ref, munis);
    const int n_pro = std::max(1, static_cast<int>(std::lround(w / 120.0)));
    for (int k = 0; k < n_pro; ++k) {
      const int m = big[k % big.size()];
      const int inst = cat.AddInstitution(
          fmt::format("Praktijkschool {} {}", muni_name(m), k + 1), Sector::kPro,
          InstitutionKind::kPro, true);
      cat.pro_by_region_[r].push_back(cat.AddLocation(inst, m));
    }
    const int n_vso = std::max(1, static_cast<int>(std::lround(w / 80.0)));
    for (int k = 0; k < n_vso; ++k) {
      const int m = big[k % big.size()];
      const int inst = cat.AddInstitution(
          fmt::format("VSO {} {}", muni_name(m), k + 1), Sector::kVso,
          InstitutionKind::kVso, true);
      cat.vso_by_region_[r].push_back(cat.AddLocation(inst, m));
    }
    // ROCs: one per region, two in the largest regions, with locations in the
    // region's larger municipalities.
    const int n_roc = w > 400 ? 2 : 1;
    const int n_loc = std::min<int>(static_cast<int>(big.size()),
                                    3 + static_cast<int>(w / 60.0));
    for (int k = 0; k < n_roc; ++k) {
      const int inst = cat.AddInstitution(
          fmt::format("ROC {}{}", ref.region_names[r].empty() ? muni_name(big[0])
                                                                : ref.region_names[r],
                      k == 0 ? "" : " Zuid"),
          Sector::kMbo, InstitutionKind::kRoc, true);
      for (int l = k; l < n_loc; l += n_roc) {
        const int loc = cat.AddLocation(inst, big[l]);
        cat.roc_by_muni_[big[l]].push_back(loc);
        cat.roc_by_region_[r].push_back(loc);
        if (ref.municipalities[big[l]].weight > 60) {  // a second site in big cities
          const int loc2 = cat.AddLocation(inst, big[l]);
          cat.roc_by_muni_[big[l]].push_back(loc2);
          cat.roc_by_region_[r].push_back(loc2);
        }
      }
    }
  }
  // AOCs (green education): 12, each covering a band of regions.
  {
    const int n_aoc = 12;
    std::vector<int> aoc(n_aoc);
    for (int k = 0; k < n_aoc; ++k) {
      aoc[k] = cat.AddInstitution(fmt::format("AOC Groen {}", k + 1), Sector::kMbo,
                                  InstitutionKind::kAoc, true);
    }
    for (int r = 1; r < n_region; ++r) {
      if (ref.region_municipalities[r].empty()) continue;
      const int k = (r - 1) * n_aoc / (n_region - 1);
      const int m = BySize(ref, ref.region_municipalities[r])[0];
      cat.aoc_by_region_[r].push_back(cat.AddLocation(aoc[k], m));
    }
  }
  // Specialist colleges and private institutions, national.
  for (int k = 0; k < 10; ++k) {
    const int inst = cat.AddInstitution(fmt::format("Vakcollege {}", k + 1), Sector::kMbo,
                                        InstitutionKind::kSpecialistCollege, true);
    const int n_loc = 1 + rng.UniformInt(3);
    for (int l = 0; l < n_loc; ++l) {
      cat.specialist_.push_back(cat.AddLocation(inst, PickByPower(rng, ref, all_munis, 2.0)));
    }
  }
  for (int k = 0; k < 12; ++k) {
    const int m = PickByPower(rng, ref, all_munis, 1.5);
    const int inst = cat.AddInstitution(fmt::format("Particuliere school {}", muni_name(m)),
                                        Sector::kVo, InstitutionKind::kPrivateVo, false);
    cat.private_vo_.push_back(cat.AddLocation(inst, m));
  }
  for (int k = 0; k < 6; ++k) {
    const int m = PickByPower(rng, ref, all_munis, 1.5);
    const int inst = cat.AddInstitution(fmt::format("Particulier opleidingsinstituut {}", k + 1),
                                        Sector::kMbo, InstitutionKind::kPrivateMbo, false);
    cat.private_mbo_.push_back(cat.AddLocation(inst, m));
  }
  // HO: hogescholen and universities in the biggest municipalities.
  {
    const std::vector<int> big = BySize(ref, all_munis);
    for (int k = 0; k < 12; ++k) {
      const int m = big[k % 24];
      const int inst = cat.AddInstitution(fmt::format("Hogeschool {}", muni_name(m)),
                                          Sector::kHo, InstitutionKind::kHbo, true);
      const int loc = cat.AddLocation(inst, m);
      cat.hbo_.push_back(loc);
      cat.hbo_by_region_[ref.municipalities[m].region].push_back(loc);
    }
    for (int k = 0; k < 6; ++k) {
      const int m = big[(k * 3) % 12];
      const int inst = cat.AddInstitution(fmt::format("Universiteit {}", muni_name(m)),
                                          Sector::kHo, InstitutionKind::kWo, true);
      cat.wo_.push_back(cat.AddLocation(inst, m));
    }
  }
  // MBO programs: crebo codes are distinct 5-digit numbers.
  {
    const int per_level[5] = {0, 14, 120, 160, 230};
    int i = 0;
    for (int level = 1; level <= 4; ++level) {
      for (int k = 0; k < per_level[level]; ++k, ++i) {
        MboProgram p;
        p.crebo = 10000 + static_cast<int>((static_cast<int64_t>(i + 1) * 7919) % 90000);
        p.level = level;
        p.domain = k % 14 == 0 ? 0 : 1 + k % 7;
        p.nominal_years = level == 1 ? 1 : level == 2 ? 2 : level == 3 ? 3 : (k % 4 == 0 ? 3 : 4);
        cat.programs_by_level_[level].push_back(static_cast<int>(cat.programs_.size()));
        cat.programs_.push_back(p);
      }
    }
  }
  return cat;
}

int Catalogue::PickFrom(Rng& rng, const std::vector<int>& own,
                        const std::vector<int>& region, double own_share) const {
  if (!own.empty() && (region.empty() || rng.Uniform() < own_share)) {
    return own[rng.UniformInt(static_cast<int>(own.size()))];
  }
  return region[rng.UniformInt(static_cast<int>(region.size()))];
}

int Catalogue::PickVo(Rng& rng, int municipality) const {
  const int r = ref_->municipalities[municipality].region;
  return PickFrom(rng, vo_by_muni_[municipality], vo_by_region_[r], 0.85);
}

int Catalogue::PickPrivateVo(Rng& rng) const {
  return private_vo_[rng.UniformInt(static_cast<int>(private_vo_.size()))];
}

int Catalogue::PickPro(Rng& rng, int municipality) const {
  const auto& v = pro_by_region_[ref_->municipalities[municipality].region];
  return v[rng.UniformInt(static_cast<int>(v.size()))];
}

int Catalogue::PickVso(Rng& rng, int municipality) const {
  const auto& v = vso_by_region_[ref_->municipalities[municipality].region];
  return v[rng.UniformInt(static_cast<int>(v.size()))];
}

int Catalogue::PickMbo(Rng& rng, int municipality, const MboProgram& program,
                       bool funded) const {
  if (!funded) return private_mbo_[rng.UniformInt(static_cast<int>(private_mbo_.size()))];
  const int r = ref_->municipalities[municipality].region;
  if (program.domain == 0 && !aoc_by_region_[r].empty()) {
    return aoc_by_region_[r][rng.UniformInt(static_cast<int>(aoc_by_region_[r].size()))];
  }
  if (rng.Uniform() < 0.06) {
    return specialist_[rng.UniformInt(static_cast<int>(specialist_.size()))];
  }
  return PickFrom(rng, roc_by_muni_[municipality], roc_by_region_[r], 0.7);
}

int Catalogue::PickVavo(Rng& rng, int municipality) const {
  const int r = ref_->municipalities[municipality].region;
  return roc_by_region_[r][rng.UniformInt(static_cast<int>(roc_by_region_[r].size()))];
}

int Catalogue::PickHo(Rng& rng, int municipality, bool university) const {
  if (university) return wo_[rng.UniformInt(static_cast<int>(wo_.size()))];
  const int r = ref_->municipalities[municipality].region;
  if (!hbo_by_region_[r].empty() && rng.Uniform() < 0.6) {
    return hbo_by_region_[r][rng.UniformInt(static_cast<int>(hbo_by_region_[r].size()))];
  }
  return hbo_[rng.UniformInt(static_cast<int>(hbo_.size()))];
}

int Catalogue::PickProgram(Rng& rng, int level) const {
  const auto& v = programs_by_level_[level];
  return v[rng.UniformInt(static_cast<int>(v.size()))];
}

}  // namespace vsv::synth
