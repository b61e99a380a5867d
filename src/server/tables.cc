#include "server/tables.h"

#include <algorithm>

#include <fmt/format.h>

#include "report/suppression.h"

namespace vsv::server {

namespace {

using oj = nlohmann::ordered_json;

TableCell ToCell(const oj& v) {
  if (v.is_null()) return std::monostate{};
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "ja" : "nee");
  return v.dump();
}

std::vector<std::string> Notes(const ServerContext& ctx, const Principal& principal) {
  std::vector<std::string> notes = {
      "Bron: vsv, telling van nieuwe voortijdig schoolverlaters volgens de landelijke definitie"
      + (ctx.data_name.empty() ? std::string() : " (registratie: " + ctx.data_name + ")") + ".",
      "A = startpopulatie (ingeschreven op teldatum 1 oktober T, bekostigd vo/mbo/vavo, jonger dan de leeftijdsgrens); "
      "B = uit de populatie; C = een jaar later nog in onderwijs of gelijkwaardig; D = startkwalificatie behaald; "
      "X = A - B - C - D = nieuwe vsv'ers.",
      "vsv-percentage = X / (A - B) x 100, in twee decimalen.",
  };
  if (SuppressesSmallCells(principal)) {
    notes.push_back(fmt::format("{} = minder dan {} personen; x = afgeschermd zodat een cel met minder dan {} personen "
                                "niet uit de tabel kan worden afgeleid.",
                                SmallCellText(ctx.suppression), ctx.suppression.threshold, ctx.suppression.threshold));
  }
  return notes;
}

struct DimensionColumns {
  const char* code_heading;
  const char* name_heading;  // nullptr: no name column
};
DimensionColumns ColumnsOf(Dimension d) {
  switch (d) {
    case Dimension::kSchool: return {"instelling (BRIN)", "naam instelling"};
    case Dimension::kLocation: return {"vestiging", "naam vestiging"};
    case Dimension::kMunicipality: return {"gemeente (CBS-code)", "gemeentenaam"};
    case Dimension::kRegion: return {"RMC-regio", "regionaam"};
    case Dimension::kSector: return {"sector", nullptr};
    case Dimension::kCategory: return {"categorie", nullptr};
    case Dimension::kLevel: return {"niveau", nullptr};
    case Dimension::kPathway: return {"leerweg", nullptr};
    case Dimension::kSex: return {"geslacht", nullptr};
    case Dimension::kAge: return {"leeftijd", nullptr};
    case Dimension::kSituation: return {"situatie op teldatum T+1", nullptr};
  }
  return {"", nullptr};
}

// Name of a key value as the JSON has it ("21", "0363", "00AA", "00AA01").
std::string KeyName(const ServerContext& ctx, Dimension d, const std::string& code, int year) {
  const auto& inst = ctx.registry.institutions;
  switch (d) {
    case Dimension::kRegion: return ctx.RegionName(std::stoi(code), year);
    case Dimension::kMunicipality: return ctx.MunicipalityName(std::stoi(code));
    case Dimension::kSchool: {
      auto it = std::lower_bound(inst.brin.begin(), inst.brin.end(), code);
      if (it == inst.brin.end() || *it != code) return "";
      const uint32_t b = static_cast<uint32_t>(it - inst.brin.begin());
      auto row = std::lower_bound(inst.institution.begin(), inst.institution.end(), b);
      return row == inst.institution.end() ? "" : inst.name[static_cast<size_t>(row - inst.institution.begin())];
    }
    case Dimension::kLocation: {
      if (code.size() < 3) return "";
      const int64_t row = inst.Find(code.substr(0, code.size() - 2), std::stoi(code.substr(code.size() - 2)));
      return row < 0 ? "" : inst.name[static_cast<size_t>(row)];
    }
    default: return "";
  }
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& DecompositionHeadings() {
  static const std::vector<std::pair<std::string, std::string>> kHeadings = {
      {"A", "startpopulatie (A)"},
      {"B1", "overleden of geëmigreerd (B1)"},
      {"B2", "woont in het buitenland of zonder vaste woonplaats (B2)"},
      {"B3", "vrijstelling Leerplichtwet (B3)"},
      {"B", "uit de populatie (B)"},
      {"C_VO", "nog in onderwijs: vo (C_VO)"},
      {"C_MBO", "nog in onderwijs: mbo (C_MBO)"},
      {"C_VAVO", "nog in onderwijs: vavo (C_VAVO)"},
      {"C_HO", "nog in onderwijs: ho (C_HO)"},
      {"C_SPECIAL", "nog in onderwijs: pro, vso of so (C_SPECIAL)"},
      {"C_NONFUNDED", "niet-bekostigd onderwijs (C_NONFUNDED)"},
      {"C_DJI", "justitiële jeugdinrichting (C_DJI)"},
      {"C_POLICE_DEFENCE", "opleiding politie of defensie (C_POLICE_DEFENCE)"},
      {"C_SOCIAL", "traject met de Inspectie (C_SOCIAL)"},
      {"C", "nog in onderwijs of gelijkwaardig (C)"},
      {"D_SK", "startkwalificatie behaald (D_SK)"},
      {"D_ENTREE_WORK", "entreediploma en werk (D_ENTREE_WORK)"},
      {"D", "startkwalificatie of gelijkwaardig (D)"},
      {"X", "nieuwe vsv'ers (X)"},
      {"pct", "vsv-percentage"},
  };
  return kHeadings;
}

DataTable RowsTable(const ServerContext& ctx, const Principal& principal, std::string title,
                    const std::vector<KeyColumn>& keys, const std::vector<oj>& rows, bool with_decomposition) {
  DataTable t;
  t.title = std::move(title);
  t.notes = Notes(ctx, principal);
  std::vector<std::string> fields;
  for (const KeyColumn& k : keys) {
    t.columns.push_back({k.heading, k.kind});
    fields.push_back(k.key);
  }
  if (with_decomposition) {
    for (const auto& [field, heading] : DecompositionHeadings()) {
      t.columns.push_back({heading, field == "pct" ? ColumnKind::kPercent : ColumnKind::kInteger});
      fields.push_back(field);
    }
  }
  for (const oj& row : rows) {
    std::vector<TableCell> cells;
    cells.reserve(fields.size());
    for (const std::string& f : fields) cells.push_back(row.contains(f) ? ToCell(row[f]) : TableCell{});
    t.rows.push_back(std::move(cells));
  }
  return t;
}

DataTable CountTablesTable(const ServerContext& ctx, const Principal& principal, std::string title,
                           const std::vector<oj>& tables, bool targets) {
  std::vector<KeyColumn> keys = {{"school_year", "schooljaar"}};
  std::vector<Dimension> dims;
  if (!tables.empty() && !tables[0]["groups"].empty()) {
    for (auto it = tables[0]["groups"][0]["key"].begin(); it != tables[0]["groups"][0]["key"].end(); ++it) {
      auto parsed = ParseDimensions(it.key());
      if (parsed && parsed->size() == 1) dims.push_back((*parsed)[0]);
    }
  }
  for (Dimension d : dims) {
    const DimensionColumns c = ColumnsOf(d);
    const std::string name(DimensionName(d));
    keys.push_back({name, c.code_heading, d == Dimension::kAge ? ColumnKind::kInteger : ColumnKind::kText});
    if (c.name_heading) keys.push_back({name + "_name", c.name_heading});
  }
  if (targets) keys.push_back({"target", "doelstelling (maximaal aantal nieuwe vsv'ers)", ColumnKind::kInteger});
  std::vector<oj> rows;
  for (const oj& table : tables) {
    const std::string school_year = table["school_year"];
    const int year = std::stoi(school_year.substr(0, 4));
    for (const oj& g : table["groups"]) {
      oj row = {{"school_year", school_year}};
      for (Dimension d : dims) {
        const std::string name(DimensionName(d));
        const oj& v = g["key"][name];
        row[name] = v.is_null() ? oj("onbekend") : v;
        if (ColumnsOf(d).name_heading && v.is_string()) row[name + "_name"] = KeyName(ctx, d, v.get<std::string>(), year);
      }
      row.update(g);
      rows.push_back(std::move(row));
    }
    oj total = {{"school_year", school_year}};
    if (!dims.empty()) total[std::string(DimensionName(dims[0]))] = "totaal";
    if (targets && table.contains("target")) total["target"] = table["target"];
    total.update(table["total"]);
    rows.push_back(std::move(total));
  }
  return RowsTable(ctx, principal, std::move(title), keys, rows, true);
}

}  // namespace vsv::server
