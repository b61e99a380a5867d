#include "random_registry.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "core/date.h"
#include "core/file_util.h"

namespace vsv::test {

namespace {

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))]; }
  // A date near a teldatum of 2019..2022 (within a few days) or anywhere in 2018..2023.
  Date NearBoundary() {
    if (Chance(0.5)) return Teldatum(Int(2019, 2022)) + Int(-3, 3);
    if (Chance(0.2)) return MakeDate(Int(2020, 2022), 12, 31) + Int(-2, 2);
    return MakeDate(2018, 1, 1) + Int(0, 6 * 365);
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

const std::vector<std::string> kMunicipalities = {"0363", "0599", "0518", "0344", "0014", "0202"};
const std::vector<std::string> kDiplomas = {"VMBO-TL", "HAVO", "VWO", "MBO1", "MBO2", "MBO3",
                                            "MBO4", "HO", "FOREIGN", "MBO_VERKLARING"};
const std::vector<std::string> kRegisters = {"LPW_EXEMPTION", "DJI", "POLICE_DEFENCE",
                                             "SOCIAL_TRAJECTORY", "EMPLOYED", "BENEFIT"};
const std::vector<std::string> kVoPrograms = {"BRUGJAAR", "VMBO-BB", "VMBO-KB", "VMBO-GL",
                                              "VMBO-TL", "HAVO", "VWO"};

std::string EnrolmentRow(Gen& g, const std::string& id) {
  static const std::vector<std::string> kSectors = {"VO", "VO", "MBO", "MBO", "MBO", "VAVO",
                                                    "HO", "PRO", "VSO", "SO"};
  const std::string sector = g.Pick(kSectors);
  std::string inst, program, level, pathway, grade;
  if (sector == "VO") {
    inst = g.Chance(0.5) ? "10VO" : "11VO";
    program = g.Pick(kVoPrograms);
    grade = std::to_string(program == "BRUGJAAR" ? g.Int(1, 2) : g.Int(1, 6));
  } else if (sector == "MBO") {
    inst = g.Chance(0.5) ? "20MB" : "21MB";
    program = fmt::format("{}", g.Int(25000, 25999));
    level = std::to_string(g.Int(1, 4));
    pathway = g.Chance(0.7) ? "BOL" : "BBL";
    grade = g.Chance(0.8) ? std::to_string(g.Int(1, 4)) : "";
  } else if (sector == "VAVO") {
    inst = "30VA";
    program = g.Chance(0.5) ? "VAVO-HAVO" : "VAVO-VWO";
  } else if (sector == "HO") {
    inst = "40HO";
    program = g.Chance(0.5) ? "HBO" : "WO";
  } else {
    inst = "50SP";
  }
  const Date start = g.NearBoundary() - g.Int(0, 700);
  const Date end = g.Chance(0.2) ? kOpenEnd : start + g.Int(0, 900);
  return fmt::format("{},{},{:02d},{},{},{},{},{},{},{},{},{},{},{}\n", id, inst, g.Int(0, 1), sector,
                     g.Chance(0.9) ? 1 : 0, program, level, pathway, grade,
                     sector == "VO" && g.Chance(0.05) ? 1 : 0, sector == "VO" && g.Chance(0.05) ? 1 : 0,
                     sector == "VO" && g.Chance(0.05) ? 1 : 0, FormatDate(start), FormatDate(end));
}

// Shuffles the data lines of a CSV text, keeping the header first.
std::string ShuffleRows(const std::string& text, std::mt19937_64& rng) {
  std::istringstream in(text);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  std::shuffle(rows.begin(), rows.end(), rng);
  std::string out = header + "\n";
  for (const std::string& r : rows) out += r + "\n";
  return out;
}

}  // namespace

std::map<std::string, std::string> RandomRegistry(uint64_t seed, int persons, uint64_t shuffle_seed) {
  Gen g(seed);
  std::map<std::string, std::string> f;
  f["institutions.csv"] =
      "institution,location,name,sector,municipality\n"
      "10VO,00,VO een,VO,0363\n10VO,01,VO een b,VO,0363\n11VO,00,VO twee,VO,0599\n11VO,01,VO twee b,VO,0599\n"
      "20MB,00,ROC een,MBO,0363\n20MB,01,ROC een b,MBO,0518\n21MB,00,ROC twee,MBO,0599\n21MB,01,ROC twee b,MBO,0014\n"
      "30VA,00,VAVO,VAVO,0344\n30VA,01,VAVO b,VAVO,0344\n40HO,00,Hogeschool,HO,0363\n40HO,01,Hogeschool b,HO,0363\n"
      "50SP,00,Speciaal,VSO,0202\n50SP,01,Speciaal b,VSO,0202\n";
  std::string persons_csv = "person_id,birth_date,sex\n";
  std::string res = "person_id,valid_from,valid_to,municipality,postcode4\n";
  std::string enr = "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,"
                    "international,outsourced_to_vavo,start_date,end_date\n";
  std::string dip = "person_id,date,type,institution\n";
  std::string reg = "person_id,register,valid_from,valid_to\n";
  std::string ev = "person_id,date,event\n";
  for (int i = 0; i < persons; ++i) {
    const std::string id = fmt::format("P{:06d}", i);
    const Date birth = Teldatum(g.Int(1996, 2008)) + g.Int(-5, 5);
    persons_csv += fmt::format("{},{},{}\n", id, FormatDate(birth), g.Pick(std::vector<std::string>{"M", "V", "X"}));
    // Consecutive, non-overlapping residence periods, sometimes with gaps.
    Date from = MakeDate(2017, 1, 1) + g.Int(0, 400);
    const int periods = g.Int(0, 3);
    for (int k = 0; k < periods; ++k) {
      const bool last = k + 1 == periods;
      const Date to = last && g.Chance(0.7) ? kOpenEnd : from + g.Int(100, 1200);
      const std::string m = g.Chance(0.08) ? "ABROAD" : g.Chance(0.03) ? "NO_FIXED_ADDRESS" : g.Pick(kMunicipalities);
      res += fmt::format("{},{},{},{},\n", id, FormatDate(from), FormatDate(to), m);
      if (to == kOpenEnd) break;
      from = to + 1 + (g.Chance(0.2) ? g.Int(1, 60) : 0);
    }
    for (int k = g.Int(0, 3); k > 0; --k) enr += EnrolmentRow(g, id);
    for (int k = g.Int(0, 2); k > 0; --k) {
      dip += fmt::format("{},{},{},\n", id, FormatDate(g.NearBoundary()), g.Pick(kDiplomas));
    }
    for (int k = g.Int(0, 2); k > 0; --k) {
      const Date a = g.NearBoundary() - g.Int(0, 400);
      reg += fmt::format("{},{},{},{}\n", id, g.Pick(kRegisters), FormatDate(a),
                         g.Chance(0.3) ? "" : FormatDate(a + g.Int(0, 500)));
    }
    if (g.Chance(0.15)) {  // an entree leaver with a job: the D_ENTREE_WORK path
      const Date d = g.NearBoundary();
      dip += fmt::format("{},{},MBO1,\n", id, FormatDate(d));
      reg += fmt::format("{},EMPLOYED,{},\n", id, FormatDate(d - g.Int(0, 200)));
    }
    if (g.Chance(0.05)) {
      ev += fmt::format("{},{},{}\n", id, FormatDate(g.NearBoundary()),
                        g.Pick(std::vector<std::string>{"DEATH", "EMIGRATION", "IMMIGRATION"}));
    }
  }
  f["persons.csv"] = persons_csv;
  f["residences.csv"] = res;
  f["enrolments.csv"] = enr;
  f["diplomas.csv"] = dip;
  f["registrations.csv"] = reg;
  f["life_events.csv"] = ev;
  if (shuffle_seed != 0) {
    std::mt19937_64 rng(shuffle_seed);
    for (auto& [name, text] : f) text = ShuffleRows(text, rng);
  }
  return f;
}

void WriteFiles(const std::map<std::string, std::string>& files, const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, text] : files) {
    if (!WriteFileAtomic(dir + "/" + name, text)) std::abort();
  }
}

}  // namespace vsv::test
