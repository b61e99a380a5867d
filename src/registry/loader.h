// Loading a registry: a folder of CSV files in format v1 (docs/registry-format.md)
// or a snapshot written by `vsv import`. A load either fully succeeds or returns the
// first error (lowest line of the first file in load order) and produces nothing.
#ifndef VSV_REGISTRY_LOADER_H_
#define VSV_REGISTRY_LOADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "registry/reference.h"
#include "registry/registry.h"

namespace vsv {

// Something worth knowing that does not stop the load: how often, and the first few
// places it happened.
struct LoadNotice {
  std::string what;
  int64_t count = 0;
  std::vector<std::string> examples;
};

struct LoadReport {
  std::vector<LoadNotice> notices;
  int64_t rows = 0;          // data rows read, all files
  double seconds = 0;
  bool from_snapshot = false;
};

struct LoadOptions {
  int threads = 0;  // 0 = as many as the machine has
};

// Reads and validates every file of format v1 in `dir` against `reference`.
// `report` may be null.
Result<Registry> LoadRegistryCsv(const std::string& dir, const Reference& reference,
                                 const LoadOptions& options, LoadReport* report);

// `path` is a registry folder or a `.vsvdb` snapshot (a snapshot is checked for
// version and checksum, not re-validated against `reference`).
Result<Registry> LoadRegistry(const std::string& path, const Reference& reference,
                              const LoadOptions& options, LoadReport* report);

}  // namespace vsv

#endif  // VSV_REGISTRY_LOADER_H_
