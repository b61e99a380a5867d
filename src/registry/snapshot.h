// Snapshots: a registry as one binary file that loads in a fraction of the CSV time.
// Layout: magic "VSVSNAP\0", format version (u32), flags (u32), then every column as
// (u64 byte length, zero padding up to a multiple of 64 bytes from the file's start,
// raw bytes) in a fixed order, then a u64 checksum (a hash chain over the columns'
// hashes). Reading maps the file and uses the columns where they lie (no copy); the
// checksum is verified before the registry is handed out. Written atomically (a new
// file renamed over the old one, so a mapped old file stays intact); a truncated,
// corrupted or wrong-version file is refused with a message that says which.
#ifndef VSV_REGISTRY_SNAPSHOT_H_
#define VSV_REGISTRY_SNAPSHOT_H_

#include <cstdint>
#include <string>

#include "core/result.h"
#include "registry/registry.h"

namespace vsv {

// 2: columns aligned to 64 bytes so they can be used in place.
inline constexpr uint32_t kSnapshotVersion = 2;

Status WriteSnapshot(const Registry& registry, const std::string& path);
Result<Registry> ReadSnapshot(const std::string& path);

// The hash of one column (exposed for tests).
uint64_t SnapshotChecksum(const char* data, size_t size);

}  // namespace vsv

#endif  // VSV_REGISTRY_SNAPSHOT_H_
