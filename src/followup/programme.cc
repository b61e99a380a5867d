#include "followup/programme.h"

#include <algorithm>

#include <fmt/format.h>

namespace vsv::followup {

namespace {

constexpr std::array<std::string_view, kProgrammeTopicCount> kTopicNames = {
    "mbo-verklaring", "support", "vo-mbo", "up-to-27", "work-without-sk"};
constexpr std::array<std::string_view, kProgrammeTopicCount> kTopicNl = {
    "Inzet van de mbo-verklaring voor iedere jongere die zonder diploma uitvalt",
    "Laagdrempelige ondersteuning (jeugdhulp, Wmo, inkomen, schulden, veiligheid)",
    "Overgang vo-mbo, met aandacht voor het vso",
    "Jongeren tot 27 die niet leren en niet werken",
    "Duurzaam werk voor jongeren zonder startkwalificatie"};
constexpr std::array<std::string_view, kProgrammeTopicCount> kTopicEn = {
    "Use of the mbo-verklaring for every young person leaving without a diploma",
    "Low-threshold support (youth care, WMO, income, debt, safety)",
    "Transition VO to MBO, with attention for VSO",
    "Young people up to 27 who neither learn nor work",
    "Sustainable work for young people without a startkwalificatie"};
constexpr std::array<std::string_view, kSpendingCategoryCount> kSpendNl = {
    "A Coördinatie", "B Administratie, registratie, ICT", "C Trajectbegeleiding", "D Projecten voor voortijdig schoolverlaters",
    "E Preventieprojecten", "F Versterking leerplichthandhaving", "G Reservering", "H Overig"};
constexpr std::array<std::string_view, kSpendingCategoryCount> kSpendEn = {
    "A Coordination", "B Administration, registration, ICT", "C Trajectory guidance", "D Projects for early leavers",
    "E Prevention projects", "F Strengthening compulsory-education enforcement", "G Reservation", "H Other"};
constexpr std::array<std::string_view, kDestinationCount> kDestNames = {
    "full-time-education", "work-learning", "work-without-sk", "care-shelter-justice", "no-daytime-activity",
    "moved-or-untraceable", "other"};
constexpr std::array<std::string_view, kDestinationCount> kDestNl = {
    "Voltijd onderwijs", "Werkend leren (bbl)", "Werk zonder perspectief op startkwalificatie",
    "Zorg, opvang, intensieve begeleiding of justitiële inrichting", "Beëindigd zonder reguliere dagbesteding",
    "Verhuisd of onvindbaar", "Overige bestemming"};
constexpr std::array<std::string_view, kDestinationCount> kDestEn = {
    "Full-time education", "Work-learning (BBL)", "Work without prospect of a startkwalificatie",
    "Care, shelter, intensive support or justice institution", "Ended without regular daytime activity",
    "Moved or untraceable", "Other destination"};
constexpr std::array<std::string_view, kReportTextCount> kTextNames = {"cooperation", "bottlenecks", "success-factors",
                                                                      "looking-back", "good-practices"};
constexpr std::array<std::string_view, kReportTextCount> kTextNl = {"Samenwerking", "Knelpunten", "Succesfactoren",
                                                                   "Terugblik op de resultaten", "Goede praktijken"};
constexpr std::array<std::string_view, kReportTextCount> kTextEn = {"Cooperation", "Bottlenecks", "Success factors",
                                                                   "Looking back on the results", "Good practices"};

template <size_t N>
Result<int> Find(const std::array<std::string_view, N>& names, std::string_view text, std::string_view what) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<int>(i);
  }
  return MakeError(fmt::format("unknown {} '{}'; expected one of {}", what, text, fmt::join(names, ", ")));
}

}  // namespace

std::string_view TopicName(ProgrammeTopic t) { return kTopicNames[static_cast<size_t>(t)]; }
std::string_view TopicLabelNl(ProgrammeTopic t) { return kTopicNl[static_cast<size_t>(t)]; }
std::string_view TopicLabelEn(ProgrammeTopic t) { return kTopicEn[static_cast<size_t>(t)]; }
Result<ProgrammeTopic> ParseTopic(std::string_view text) {
  auto i = Find(kTopicNames, text, "programme topic");
  if (!i) return tl::unexpected(i.error());
  return static_cast<ProgrammeTopic>(*i);
}

std::string_view SpendingLabelNl(int c) { return kSpendNl[static_cast<size_t>(c)]; }
std::string_view SpendingLabelEn(int c) { return kSpendEn[static_cast<size_t>(c)]; }
Result<int> ParseSpendingCategory(std::string_view text) {
  if (text.size() == 1) {
    const char c = static_cast<char>(text[0] >= 'a' ? text[0] - 'a' + 'A' : text[0]);
    if (c >= 'A' && c < 'A' + kSpendingCategoryCount) return c - 'A';
  }
  return MakeError(fmt::format("unknown spending category '{}'; expected one of A, B, C, D, E, F, G, H", text));
}

std::string_view DestinationName(Destination d) { return kDestNames[static_cast<size_t>(d)]; }
std::string_view DestinationLabelNl(Destination d) { return kDestNl[static_cast<size_t>(d)]; }
std::string_view DestinationLabelEn(Destination d) { return kDestEn[static_cast<size_t>(d)]; }
Result<Destination> ParseDestination(std::string_view text) {
  auto i = Find(kDestNames, text, "destination");
  if (!i) return tl::unexpected(i.error());
  return static_cast<Destination>(*i);
}

std::string_view ReportTextName(int s) { return kTextNames[static_cast<size_t>(s)]; }
std::string_view ReportTextLabelNl(int s) { return kTextNl[static_cast<size_t>(s)]; }
std::string_view ReportTextLabelEn(int s) { return kTextEn[static_cast<size_t>(s)]; }
Result<int> ParseReportText(std::string_view text) { return Find(kTextNames, text, "report text"); }

}  // namespace vsv::followup
