// The effect report (effectrapportage) of one region and year, generated from the
// count (measure) and the register (followup), never typed (issue 16; reports.md,
// "The effect report"). The report is one model: a list of figures, each with a
// stable key, its template section and Dutch/English labels, every value taken from
// measure's CountBy or from a register query (CaseStore::EffectFigures,
// GetProgramme); the writers (JSON, XLSX, PDF) only lay the same list out, so a test
// can read each figure back from every format.
#ifndef VSV_EFFECT_EFFECT_REPORT_H_
#define VSV_EFFECT_EFFECT_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "followup/store.h"
#include "measure/classification_cache.h"
#include "registry/reference.h"
#include "registry/registry.h"

namespace vsv {

enum class FigureKind : uint8_t { kCount, kEuros, kPercentHundredths };

struct EffectFigure {
  std::string key;      // "count.new_vsv", "3a.first_approached", "measure.3.spent.C", ...
  std::string section;  // template section: "0", "3A", "3B", "3D", "4", "5", "mbo-verklaring"
  std::string label_nl, label_en;
  FigureKind kind = FigureKind::kCount;
  std::optional<int64_t> value;  // nullopt: not available (no target set, A - B is 0)
};

struct EffectReport {
  int region = 0;
  std::string region_name;
  int year = 0;         // calendar year of the register's figures
  int school_year = 0;  // the count's school year (year - 1 = school year year-1/year)
  std::vector<EffectFigure> figures;
  std::vector<std::string> missing_topics;  // programme topics without an agreement
  std::vector<followup::ReportText> texts;  // every section, "" when still empty
  std::vector<std::string> empty_texts;
};

struct EffectOptions {
  int region = 0;
  int year = 0;
};

// Builds the report: the count of school year year-1 (region and national, the
// previous year, the national target of `year` from the reference, the region's own
// target from the register) and the register's figures for calendar year `year`.
// Fails when the store refuses (role, region) or fails, or the region is unknown.
Result<EffectReport> BuildEffectReport(const Registry& registry, const Reference& reference,
                                       ClassificationCache& cache, followup::CaseStore& store,
                                       const followup::Context& ctx, const EffectOptions& options);

// The figure as the PDF and the table show it ("1.234", "€ 12.000", "2,29%", "–").
std::string FigureText(const EffectFigure& f);

nlohmann::ordered_json EffectReportJson(const EffectReport& report);
// The programme as the CLI (--format json) and GET /api/v1/programme give it.
nlohmann::ordered_json ProgrammeJson(const followup::Programme& programme);
// One sheet "effectrapportage" (section, key, label, value) and the texts.
Result<std::string> EffectReportXlsx(const EffectReport& report, bool english);
// A4 PDF (cairo + pango), text selectable (effect_pdf.cc).
Result<std::string> EffectReportPdf(const EffectReport& report, bool english);

}  // namespace vsv

#endif  // VSV_EFFECT_EFFECT_REPORT_H_
