#include "report/count_report.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/number_format.h"

namespace vsv {

namespace {

// Contract fields and the parts they sum, in contract order.
struct FieldSpec {
  const char* name;
  Part from;
  Part to;
};
constexpr FieldSpec kFields[] = {
    {"A", Part::kB1, Part::kX},
    {"B1", Part::kB1, Part::kB1}, {"B2", Part::kB2, Part::kB2}, {"B3", Part::kB3, Part::kB3},
    {"B", Part::kB1, Part::kB3},
    {"C_VO", Part::kCVo, Part::kCVo}, {"C_MBO", Part::kCMbo, Part::kCMbo},
    {"C_VAVO", Part::kCVavo, Part::kCVavo}, {"C_HO", Part::kCHo, Part::kCHo},
    {"C_SPECIAL", Part::kCSpecial, Part::kCSpecial},
    {"C_NONFUNDED", Part::kCNonfunded, Part::kCNonfunded}, {"C_DJI", Part::kCDji, Part::kCDji},
    {"C_POLICE_DEFENCE", Part::kCPoliceDefence, Part::kCPoliceDefence},
    {"C_SOCIAL", Part::kCSocial, Part::kCSocial},
    {"C", Part::kCVo, Part::kCSocial},
    {"D_SK", Part::kDSk, Part::kDSk}, {"D_ENTREE_WORK", Part::kDEntreeWork, Part::kDEntreeWork},
    {"D", Part::kDSk, Part::kDEntreeWork},
    {"X", Part::kX, Part::kX},
};

// Two decimals, as published.
std::optional<double> RoundedPercentage(const PartCounts& c) {
  auto hundredths = c.PercentHundredths();
  if (!hundredths) return std::nullopt;
  return static_cast<double>(*hundredths) / 100.0;
}

nlohmann::ordered_json KeyValue(const Registry& r, Dimension d, int32_t v) {
  if (v < 0) return nullptr;
  if (d == Dimension::kAge) return v;
  return *DimensionValueText(r, d, v);
}

}  // namespace

nlohmann::ordered_json PartCountsJson(const PartCounts& counts) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const FieldSpec& f : kFields) j[f.name] = counts.Sum(f.from, f.to);
  auto pct = RoundedPercentage(counts);
  j["pct"] = pct ? nlohmann::ordered_json(*pct) : nlohmann::ordered_json(nullptr);
  return j;
}

std::string AreaChangeNote(const AreaChange& change, int year, bool dutch) {
  auto list = [dutch](const std::vector<AreaMove>& moves, bool gained) {
    // Grouped by the region on the other side, in order of first appearance.
    std::vector<std::pair<int, std::vector<std::string>>> by_region;
    for (const AreaMove& m : moves) {
      auto it = std::find_if(by_region.begin(), by_region.end(), [&](const auto& p) { return p.first == m.other_region; });
      if (it == by_region.end()) it = by_region.insert(by_region.end(), {m.other_region, {}});
      // A split municipality is one entry with every part that crossed: "0788 Haaren
      // (now part of 0855, 0824)".
      const std::string head = fmt::format("{:04d} {}", m.municipality, m.name);
      auto same = std::find_if(it->second.begin(), it->second.end(),
                               [&](const std::string& t) { return t.rfind(head, 0) == 0; });
      if (same != it->second.end() && m.now != m.municipality) {
        same->insert(same->size() - 1, fmt::format(", {:04d}", m.now));
        continue;
      }
      std::string text = head;
      if (m.now != m.municipality) text += fmt::format(" ({} {:04d})", dutch ? "nu deel van" : "now part of", m.now);
      it->second.push_back(std::move(text));
    }
    std::vector<std::string> parts;
    for (const auto& [region, names] : by_region) {
      parts.push_back(fmt::format("{} {} {:02d}", fmt::join(names, ", "),
                                  dutch ? (gained ? "kwam(en) van regio" : "ging(en) naar regio")
                                        : (gained ? "came from region" : "went to region"),
                                  region));
    }
    return parts;
  };
  std::vector<std::string> parts = list(change.gained, true);
  for (std::string& p : list(change.lost, false)) parts.push_back(std::move(p));
  if (dutch) {
    return fmt::format("regio {:02d}: {} in {} (cijfers van eerdere jaren gaan over een ander gebied){}{}",
                       change.region, change.new_region ? "nieuwe regio" : "gebied gewijzigd", SchoolYearName(year),
                       parts.empty() ? "" : ": ", fmt::join(parts, "; "));
  }
  return fmt::format("region {:02d}: {} in {} (figures of earlier years are of another area){}{}", change.region,
                     change.new_region ? "new region" : "area changed", SchoolYearName(year), parts.empty() ? "" : ": ",
                     fmt::join(parts, "; "));
}

nlohmann::ordered_json AreaChangeJson(const AreaChange& change, int year) {
  using oj = nlohmann::ordered_json;
  auto moves = [](const std::vector<AreaMove>& list) {
    oj a = oj::array();
    for (const AreaMove& m : list) {
      a.push_back({{"municipality", fmt::format("{:04d}", m.municipality)}, {"name", m.name},
                   {"now", fmt::format("{:04d}", m.now)}, {"region", fmt::format("{:02d}", m.other_region)}});
    }
    return a;
  };
  oj j;
  j["region"] = fmt::format("{:02d}", change.region);
  j["note"] = AreaChangeNote(change, year);
  j["new_region"] = change.new_region;
  j["gained"] = moves(change.gained);
  j["lost"] = moves(change.lost);
  return j;
}

nlohmann::ordered_json CountTableJson(const Registry& r, const CountTable& t) {
  nlohmann::ordered_json j;
  j["school_year"] = SchoolYearName(t.year);
  j["age_limit"] = t.age_limit;
  if (t.boundaries) j["boundaries"] = SchoolYearName(t.boundaries);
  j["total"] = PartCountsJson(t.total);
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const CountGroup& g : t.groups) {
    nlohmann::ordered_json group;
    nlohmann::ordered_json key = nlohmann::ordered_json::object();
    for (size_t d = 0; d < t.dimensions.size(); ++d) {
      key[std::string(DimensionName(t.dimensions[d]))] = KeyValue(r, t.dimensions[d], g.key[d]);
    }
    group["key"] = std::move(key);
    group.update(PartCountsJson(g.counts));
    groups.push_back(std::move(group));
  }
  j["groups"] = std::move(groups);
  if (!t.area_changes.empty()) {
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const AreaChange& c : t.area_changes) notes.push_back(AreaChangeJson(c, t.year));
    j["area_changes"] = std::move(notes);
  }
  return j;
}

std::string CsvCell(std::string_view value) {
  std::string v(value);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                     v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string quoted = "\"";
  for (char c : v) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string CountTableCsv(const Registry& r, const CountTable& t, bool with_header) {
  std::string out;
  auto row = [&](std::string_view year, const std::vector<std::string>& key, const PartCounts& c) {
    out += year;
    for (const std::string& k : key) { out += ','; out += CsvCell(k); }
    for (const FieldSpec& f : kFields) out += fmt::format(",{}", c.Sum(f.from, f.to));
    auto pct = RoundedPercentage(c);
    out += pct ? fmt::format(",{:.2f}\n", *pct) : ",\n";
  };
  if (with_header) {
    out += "school_year";
    for (Dimension d : t.dimensions) { out += ','; out += DimensionName(d); }
    for (const FieldSpec& f : kFields) { out += ','; out += f.name; }
    out += ",pct\n";
  }
  const std::string year = SchoolYearName(t.year);
  if (t.dimensions.empty()) {
    row(year, {}, t.total);
    return out;
  }
  for (const CountGroup& g : t.groups) {
    std::vector<std::string> key;
    for (size_t d = 0; d < t.dimensions.size(); ++d) {
      key.push_back(DimensionValueText(r, t.dimensions[d], g.key[d]).value_or(""));
    }
    row(year, key, g.counts);
  }
  return out;
}

namespace {

// Dutch column headings of the text table.
constexpr std::pair<const char*, const char*> kDimensionLabels[] = {
    {"school", "instelling"}, {"location", "vestiging"}, {"municipality", "gemeente"},
    {"region", "regio"}, {"sector", "sector"}, {"category", "categorie"}, {"level", "niveau"},
    {"pathway", "leerweg"}, {"sex", "geslacht"}, {"age", "leeftijd"},
    {"situation", "situatie T+1"}};
static_assert(std::size(kDimensionLabels) == kDimensionCount);

std::string Label(Dimension d) { return kDimensionLabels[static_cast<size_t>(d)].second; }

std::string PercentNl(const PartCounts& c) {
  auto pct = RoundedPercentage(c);
  return pct ? FormatDecimalNl(*pct, 2) + "%" : "-";
}

}  // namespace

std::string CountTableText(const Registry& r, const Reference& ref, const CountTable& t) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (Dimension d : t.dimensions) header.push_back(Label(d));
  for (const char* h : {"startpop. (A)", "B", "C", "D", "nieuwe vsv'ers (X)", "vsv-%"}) header.push_back(h);
  rows.push_back(header);
  auto add = [&](std::vector<std::string> key, const PartCounts& c) {
    for (auto v : {c.A(), c.B(), c.C(), c.D(), c.X()}) key.push_back(FormatIntegerNl(v));
    key.push_back(PercentNl(c));
    rows.push_back(std::move(key));
  };
  for (const CountGroup& g : t.groups) {
    std::vector<std::string> key;
    for (size_t d = 0; d < t.dimensions.size(); ++d) {
      key.push_back(DimensionValueText(r, t.dimensions[d], g.key[d]).value_or("onbekend"));
    }
    add(std::move(key), g.counts);
  }
  std::vector<std::string> total_key(t.dimensions.size(), "");
  if (!total_key.empty()) total_key[0] = "totaal";
  add(std::move(total_key), t.total);
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out = fmt::format("Nieuwe vsv'ers, schooljaar {} (deelnemers jonger dan {} jaar op 1 oktober {}){}\n",
                                SchoolYearName(t.year), t.age_limit, t.year,
                                t.boundaries ? fmt::format(", gemeenten en regio's ingedeeld als in {}",
                                                           SchoolYearName(t.boundaries))
                                             : "");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + 1 == rows.size() && !t.dimensions.empty()) {
      out += std::string(std::accumulate(width.begin(), width.end(), size_t{0}) + 2 * width.size(), '-') + "\n";
    }
    for (size_t c = 0; c < rows[i].size(); ++c) {
      const bool numeric = c >= t.dimensions.size();
      out += numeric ? fmt::format("{:>{}}  ", rows[i][c], width[c]) : fmt::format("{:<{}}  ", rows[i][c], width[c]);
    }
    out += "\n";
  }
  // The targets are set for the national definition: the whole country, limit 22.
  if (t.national && t.age_limit == kNationalAgeLimit) {
    if (auto target = ref.TargetFor(t.year + 1)) {
      out += fmt::format("Doelstelling {}: maximaal {} nieuwe vsv'ers (nu {}).\n", t.year + 1,
                         FormatIntegerNl(*target), FormatIntegerNl(t.total.X()));
    }
  }
  for (const AreaChange& c : t.area_changes) out += "Let op: " + AreaChangeNote(c, t.year, true) + ".\n";
  if (t.residence_unknown > 0) {
    out += fmt::format("Datakwaliteit: {} personen in A zonder woonadres op een teldatum (geteld in B2).\n",
                       FormatIntegerNl(t.residence_unknown));
  }
  return out;
}

}  // namespace vsv
