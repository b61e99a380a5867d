// From the registry to the register: the candidates of a sync are exactly the
// region's work list (ComputeWorklist) and its oud-vsv'ers (ComputeStock) — the same
// figures `vsv worklist` and `vsv stock` print; nothing is recounted here.
#ifndef VSV_FOLLOWUP_SYNC_H_
#define VSV_FOLLOWUP_SYNC_H_

#include <optional>
#include <string>

#include "followup/store.h"
#include "measure/classification_cache.h"
#include "registry/reference.h"
#include "registry/registry.h"

namespace vsv::followup {

struct SyncOptions {
  int region = 0;
  Date date = kNoDate;
  // RMC: younger than 23; Doorstroompunt (the new law): younger than 27.
  bool doorstroompunt = false;
  // First leaving date of the work list; default: one year before `date`.
  std::optional<Date> leavers_from;
};

struct SyncInputCounts {
  int64_t worklist = 0;  // persons on the work list
  int64_t oud_vsv = 0;   // oud-vsv'ers of the region
};

int AgeLimit(const SyncOptions& o);

// The person as the register keeps them: name-free, on `date`; `enrolment` is the
// enrolment that ended (or -1: the last one started on or before `date`). With
// `reference`, the municipality is the one the residence's code stands for in the
// school year of `date` (a code merged away: its successor); without, the code as
// the registry has it.
PersonSnapshot SnapshotOf(const Registry& registry, PersonIndex p, Date date, int64_t enrolment = -1,
                          const Reference* reference = nullptr);

// The flag a sync puts on an open case of `region` (see RegistryFlag): "died",
// "sk-obtained", "re-enrolled", "moved:abroad", "moved:<rr>" or "". The region is that
// of the residence in the division of the school year of `date`, so a case whose
// municipality went to another region (region 14's split into 14 and 40 in 2021) is
// flagged "moved:40" like a move: the case belongs to the other region now.
std::string FlagOf(const Registry& registry, const Reference& reference, PersonIndex p, Date date, int region);

// The request for CaseStore::Sync; `cache` must be over `registry`.
SyncRequest BuildSyncRequest(const Registry& registry, const Reference& reference, ClassificationCache& cache,
                             const SyncOptions& options, SyncInputCounts* counts);

// BuildSyncRequest + CaseStore::Sync.
StoreResult<SyncReport> SyncCases(CaseStore& store, const Context& ctx, const Registry& registry,
                                  const Reference& reference, ClassificationCache& cache, const SyncOptions& options,
                                  SyncInputCounts* counts = nullptr);

}  // namespace vsv::followup

#endif  // VSV_FOLLOWUP_SYNC_H_
