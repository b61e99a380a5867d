// The region's work list: new leavers without a startkwalificatie (docs/vsv-definition.md,
// "Figures of the people's lists"). The daily work of the RMC / Doorstroompunt.
#ifndef VSV_MEASURE_WORKLIST_H_
#define VSV_MEASURE_WORKLIST_H_

#include <vector>

#include "registry/reference.h"
#include "registry/registry.h"

namespace vsv {

struct WorklistOptions {
  int region = 0;
  Date from = 0;
  Date to = 0;
  int age_limit = 23;  // 23 for the RMC, 27 for the Doorstroompunt
  // 0: the region and municipality of the school year of the check date; else
  // those of this school year's division.
  int boundaries = 0;
};

struct WorklistEntry {
  PersonIndex person;
  uint32_t enrolment;  // the enrolment that ended (the last one in the window)
  Date left_on;        // its end date
  Municipality municipality;  // on the check date, in the division used (a merged code: its successor)
  int age;
};

// Persons whose enrolment (any sector but HO) ended in [from, to] without a
// startkwalificatie, who are enrolled nowhere from the day after until `to`, and who
// on the check date (the later of `to` and the day after leaving) live in the region,
// are alive and younger than the age limit. One entry per person, in person order.
std::vector<WorklistEntry> ComputeWorklist(const Registry& registry, const Reference& reference,
                                           const WorklistOptions& options);

}  // namespace vsv

#endif  // VSV_MEASURE_WORKLIST_H_
