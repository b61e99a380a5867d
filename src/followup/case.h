// The caseworkers' register: what a case holds (docs/followup.md). A case follows one
// young person from the region's work list until they are settled; its registry
// part (the person, name-free) is copied by `vsv cases sync`, everything else is
// written by caseworkers and is never touched by a sync.
#ifndef VSV_FOLLOWUP_CASE_H_
#define VSV_FOLLOWUP_CASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace vsv::followup {

enum class CaseStatus : uint8_t {
  kNew, kContacted, kInTrajectory, kBackInEducation, kWorking, kWorkingAndLearning, kCare,
  kNotReachable, kMovedOutOfRegion, kClosed,
};
inline constexpr int kCaseStatusCount = 10;
// "new", "contacted", "in-trajectory", "back-in-education", "working",
// "working-and-learning", "care", "not-reachable", "moved-out-of-region", "closed".
std::string_view StatusName(CaseStatus s);
Result<CaseStatus> ParseStatus(std::string_view text);

// Why the case is on the register: a new leaver from the work list, or an oud-vsv'er.
enum class CaseKind : uint8_t { kNewLeaver, kOudVsv };
std::string_view KindName(CaseKind k);  // "new-leaver", "oud-vsv"
Result<CaseKind> ParseKind(std::string_view text);

enum class Partner : uint8_t { kYouthCare, kDebtHelp, kIncomeSupport, kUwv, kSchool };
inline constexpr int kPartnerCount = 5;
std::string_view PartnerName(Partner p);  // "youth-care", "debt-help", "income-support", "uwv", "school"
Result<Partner> ParsePartner(std::string_view text);

// Contact channels: "phone", "email", "letter", "visit", "meeting", "chat", "other".
bool IsChannel(std::string_view text);

// The registry's view of the person, name-free, as copied on the last sync.
struct PersonSnapshot {
  std::string person_id;  // pseudonymous registry id
  Date birth_date = kNoDate;
  int municipality = -1;  // CBS code of the residence on the sync date; -1 none/abroad
  std::string last_school;    // BRIN of the last enrolment
  std::string last_location;  // its location code
  std::string last_sector;    // VO, MBO, ...
  std::string last_program;   // crebo or program name
  int last_level = 0;         // MBO level, 0 none
  Date left_on = kNoDate;     // end date of the last enrolment
  std::string diplomas;       // "MBO1 2023-06-30; VMBO_BB 2021-07-01"
  bool has_mbo_verklaring = false;
};

// Set by a sync when the registry says the case may be closed or moved:
// "re-enrolled", "sk-obtained", "moved:<region>" (or "moved:abroad"), "died",
// "not-in-registry". Empty when nothing to report.
struct RegistryFlag {
  std::string flag;
  Date flagged_on = kNoDate;
};

struct Case {
  int64_t id = 0;
  CaseKind kind = CaseKind::kNewLeaver;
  std::string episode;  // "leaver:2024-06-30" or "oud-vsv:2022": one case per person and episode
  int region = 0;
  CaseStatus status = CaseStatus::kNew;
  std::string closed_reason;
  Date opened_on = kNoDate;
  Date closed_on = kNoDate;  // kNoDate while open
  std::optional<int64_t> owner_id;
  std::string owner_name;
  PersonSnapshot person;
  RegistryFlag registry_flag;
  Date synced_on = kNoDate;
  std::string agreements;
  Date next_contact = kNoDate;  // kNoDate: none planned
  bool mbo_verklaring = false;
  int64_t version = 1;  // +1 on every change by a person; the optimistic lock
  int64_t created_at = 0, updated_at = 0;

  bool open() const { return closed_on == kNoDate; }
};

struct Contact {
  int64_t id = 0;
  int64_t case_id = 0;
  Date date = kNoDate;
  std::string channel;
  std::string with_whom;
  std::string summary;
  std::string outcome;
  std::string author;
  std::string client_key;
  int64_t created_at = 0;
};

struct Referral {
  int64_t id = 0;
  int64_t case_id = 0;
  Partner partner = Partner::kSchool;
  Date referred_on = kNoDate;
  std::string note;
  std::string author;
};

// One change of a case, in the region that held the case at the time. A handover
// writes two entries: "handover-out" in the old region, "handover-in" in the new.
struct HistoryEntry {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string person_id;
  int region = 0;
  int64_t at = 0;  // Unix seconds
  Date on_date = kNoDate;
  std::string user;
  std::string event;  // created, status, owner, contact, referral, agreements, next-contact,
                      // mbo-verklaring, registry-flag, handover-out, handover-in
  std::string old_value, new_value;
  std::string detail;
};

struct CaseDetail {
  Case c;
  std::vector<Contact> contacts;    // newest first
  std::vector<Referral> referrals;  // newest first
  std::vector<HistoryEntry> history;  // oldest first
};

// A change by a caseworker; unset fields stay as they are.
struct CaseUpdate {
  std::optional<CaseStatus> status;
  std::optional<std::string> closed_reason;  // required when status becomes closed
  std::optional<std::optional<int64_t>> owner_id;  // set {nullopt} to unassign
  std::optional<std::string> agreements;
  std::optional<Date> next_contact;  // kNoDate: none planned
  std::optional<bool> mbo_verklaring;
};

struct NewContact {
  Date date = kNoDate;
  std::string channel;
  std::string with_whom;
  std::string summary;
  std::string outcome;
  // The next contact; unset = by the region's rule (RegionRule) from `date`.
  std::optional<Date> next_contact;
  // Optional idempotency key: a retried contact with the same key is stored once.
  std::string client_key;
};

struct NewReferral {
  Partner partner = Partner::kSchool;
  Date referred_on = kNoDate;
  std::string note;
};

// How often cases are contacted in a region. oud-vsv'ers at least every
// `oud_vsv_interval_months` months (default 3): a later next date is refused.
// After a contact without a next date, the next one is set by the rule.
struct RegionRule {
  int region = 0;
  int oud_vsv_interval_months = 3;
  int new_leaver_interval_days = 14;
};

struct CaseFilter {
  std::optional<int> region;  // required for coordinators/caseworkers (their own)
  std::optional<std::string> school;  // mentors: their own school
  std::optional<CaseStatus> status;
  std::optional<int64_t> owner_id;
  bool include_closed = false;
  bool only_due = false;  // next contact on or before today (+ due window)
  int limit = 1000;
};

// The date `months` calendar months after `d` (clamped to the month's last day).
Date AddMonths(Date d, int months);

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_CASE_H_
