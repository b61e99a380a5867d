// libFuzzer target: the CSV reader and the whole loader on hostile input. The first
// byte picks which registry file the rest of the input replaces; the other files are
// a small valid registry. The load must return a value or an error, never crash,
// hang or read out of bounds (built with AddressSanitizer).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/csv_reader.h"
#include "core/file_util.h"
#include "registry/loader.h"

namespace {

const char* const kFiles[] = {"persons.csv", "residences.csv", "enrolments.csv", "diplomas.csv",
                              "registrations.csv", "life_events.csv", "institutions.csv", "absences.csv"};

const char* const kValid[] = {
    "person_id,birth_date,sex\np1,2006-05-01,M\np2,2005-01-31,V\n",
    "person_id,valid_from,valid_to,municipality,postcode4\np1,2006-05-01,,0363,1011\np2,2005-01-31,2023-01-01,0599,\n",
    "person_id,institution,location,sector,funded,program,level,pathway,grade,newcomer,international,"
    "outsourced_to_vavo,start_date,end_date\np1,00AA,00,VO,1,HAVO,,,4,0,0,0,2022-08-01,2024-07-31\n"
    "p2,01BB,00,MBO,1,25180,2,BOL,1,0,0,0,2022-08-01,\n",
    "person_id,date,type,institution\np1,2024-07-01,HAVO,00AA\n",
    "person_id,register,valid_from,valid_to\np2,EMPLOYED,2023-01-01,\n",
    "person_id,date,event\np2,2023-01-02,EMIGRATION\n",
    "institution,location,name,sector,municipality\n00AA,00,\"College, de\",VO,0363\n01BB,00,ROC,MBO,0599\n",
    "person_id,date,institution,kind,hours\np1,2023-02-01,00AA,LONG,40\n",
};

struct Fixture {
  std::string dir;
  vsv::Reference reference;
  Fixture() {
    // Memory-backed when possible: the target rewrites its files on every run.
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    dir = (base / ("vsv-fuzz-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(dir);
    auto ref = vsv::Reference::Load(std::string(VSV_SOURCE_DIR) + "/data/reference");
    if (!ref) std::abort();
    reference = std::move(*ref);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  if (size == 0) return 0;
  const size_t which = data[0] % 8;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  // The reader alone, in one and in several chunks.
  if (auto file = vsv::CsvFile::FromBuffer("fuzz.csv", input)) {
    for (int chunks : {1, 3}) {
      for (vsv::CsvCursor& cursor : file->Chunks(chunks)) {
        vsv::CsvRecord record;
        for (;;) {
          auto more = cursor.Next(&record);
          if (!more || !*more) break;
        }
      }
    }
  }
  // The loader with this file replaced.
  for (size_t i = 0; i < 8; ++i) {
    const std::string path = fixture.dir + "/" + kFiles[i];
    if (!vsv::WriteFileAtomic(path, i == which ? input : std::string(kValid[i]))) std::abort();
  }
  vsv::LoadOptions options;
  options.threads = 2;
  auto registry = vsv::LoadRegistryCsv(fixture.dir, fixture.reference, options, nullptr);
  if (!registry && registry.error().message.empty()) std::abort();  // every error says why
  return 0;
}
