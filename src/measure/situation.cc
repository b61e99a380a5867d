#include "measure/situation.h"

#include <array>

namespace vsv {

namespace {
constexpr std::array<std::string_view, kWorkSituationCount> kNames = {"EMPLOYED", "BENEFIT", "EMPLOYED_AND_BENEFIT",
                                                                  "NEITHER"};
}  // namespace

std::string_view WorkSituationName(WorkSituation s) { return kNames[static_cast<size_t>(s)]; }

std::optional<WorkSituation> ParseWorkSituation(std::string_view s) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == s) return static_cast<WorkSituation>(i);
  }
  return std::nullopt;
}

}  // namespace vsv
