#include "synth/generator.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/parallel.h"
#include "synth/catalogue.h"
#include "synth/reference.h"
#include "synth/simulator.h"

namespace vsv::synth {
namespace {

// Live births in the Netherlands (CBS StatLine), by year.
double Births(int year) {
  static constexpr int kFirst = 1985;
  static constexpr double kBirths[] = {
      178136, 184513, 186667, 186647, 188979, 197965, 198665, 196734, 195748, 195611,
      190513, 189521, 192443, 199408, 200445, 206619, 202603, 202083, 200297, 194007,
      187910, 185057, 181336, 184634, 184915, 184397, 180060, 175959, 171341, 175181,
      170510, 172520, 169836, 168525, 169680, 168678, 179117, 167504, 163000, 164000};
  const int n = static_cast<int>(sizeof(kBirths) / sizeof(kBirths[0]));
  return kBirths[std::clamp(year - kFirst, 0, n - 1)];
}

// Immigrants aged 4..21 arriving in a year: a base flow plus the refugee years and
// the arrivals from Ukraine.
double Immigrants(int year) {
  double n = 14000;
  switch (year) {
    case 2014: n += 3000; break;
    case 2015: n += 9000; break;
    case 2016: n += 8000; break;
    case 2017: n += 3000; break;
    case 2022: n += 14000; break;
    case 2023: n += 8000; break;
    case 2024: n += 6000; break;
    default: break;
  }
  return n;
}

struct Segment {
  int64_t first;
  int64_t count;
  bool immigrant;
  int year;
};

std::vector<Segment> Population(const SynthOptions& o, int64_t* total) {
  std::vector<Segment> segs;
  int64_t next = 0;
  for (int y = o.from_year - 22; y <= o.to_year - 11; ++y) {
    const int64_t n = std::llround(Births(y) * o.scale);
    segs.push_back({next, n, false, y});
    next += n;
  }
  for (int y = o.from_year - 10; y <= o.to_year; ++y) {
    const int64_t n = std::llround(Immigrants(y) * o.scale);
    segs.push_back({next, n, true, y});
    next += n;
  }
  *total = next;
  return segs;
}

struct ChunkOut {
  std::array<OutBuffer, kRegistryFiles> buffers;
  RowCounts counts;
  Tally tally;
};

}  // namespace

Result<SynthStats> GenerateRegistry(const SynthOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!(o.scale > 0) || o.scale > 10) return MakeError("synth: --scale must be in (0, 10]");
  if (o.from_year < 2000 || o.to_year > 2040 || o.to_year <= o.from_year) {
    return MakeError("synth: need 2000 <= --from < --to <= 2040");
  }
  auto ref = LoadSynthReference(o.reference_dir, o.from_year);
  if (!ref) return tl::unexpected(ref.error());
  const Catalogue catalogue = Catalogue::Build(*ref, o.seed);
  const FlowModel default_model = FlowModel::Default();
  const FlowModel& model = o.model ? *o.model : default_model;
  const SimWindow window{o.from_year, o.to_year};
  const RowWriter writer(*ref, catalogue, window);

  int64_t total = 0;
  const std::vector<Segment> segments = Population(o, &total);
  constexpr int64_t kChunk = 2048;
  const int64_t n_chunks = (total + kChunk - 1) / kChunk;
  const int threads = static_cast<int>(std::min<size_t>(ThreadCount(o.threads), 64));

  SynthStats stats;
  stats.persons = total;
  stats.tally = Tally(o.from_year, o.to_year - 1);

  // Output files.
  std::array<std::FILE*, kRegistryFiles> files{};
  std::vector<char> file_buffers;
  auto close_all = [&]() {
    for (auto& f : files) {
      if (f) std::fclose(f);
      f = nullptr;
    }
  };
  if (o.write_files) {
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) return MakeError(fmt::format("synth: cannot create {}: {}", o.out_dir, ec.message()));
    for (int f = 0; f < kRegistryFiles; ++f) {
      const std::string path = fmt::format("{}/{}.part", o.out_dir, RegistryFileName(f));
      files[f] = std::fopen(path.c_str(), "wb");
      if (!files[f]) {
        close_all();
        return MakeError(fmt::format("synth: cannot write {}", path));
      }
      std::setvbuf(files[f], nullptr, _IOFBF, 1 << 20);
      std::fputs(RegistryFileHeader(f), files[f]);
      stats.bytes[f] += static_cast<int64_t>(std::strlen(RegistryFileHeader(f)));
    }
    const std::string inst = writer.InstitutionsBody();
    std::fwrite(inst.data(), 1, inst.size(), files[kInstitutionsFile]);
    stats.bytes[kInstitutionsFile] += static_cast<int64_t>(inst.size());
  }
  stats.institutions = static_cast<int64_t>(catalogue.locations().size());
  stats.rows.rows[kInstitutionsFile] = stats.institutions;

  // Workers simulate chunks; this thread writes them in order.
  std::mutex mu;
  std::condition_variable cv;
  int64_t next_claim = 0, next_write = 0;
  const int64_t max_in_flight = threads * 3L;
  std::vector<std::unique_ptr<ChunkOut>> ready(static_cast<size_t>(n_chunks));
  std::vector<std::jthread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&]() {
      PersonSimulator sim(*ref, catalogue, model, window, o.seed);
      PersonRecord rec;
      for (;;) {
        int64_t c;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] {
            return next_claim >= n_chunks || next_claim - next_write < max_in_flight;
          });
          if (next_claim >= n_chunks) return;
          c = next_claim++;
        }
        auto out = std::make_unique<ChunkOut>();
        out->tally = Tally(o.from_year, o.to_year - 1);
        const int64_t first = c * kChunk;
        const int64_t last = std::min(total, first + kChunk);
        size_t seg = 0;
        for (int64_t i = first; i < last; ++i) {
          while (i >= segments[seg].first + segments[seg].count) ++seg;
          PersonSpec spec{i, segments[seg].immigrant, segments[seg].year};
          sim.Simulate(spec, &rec);
          CountPerson(rec, *ref, o.age_limit, &out->tally);
          if (o.write_files) writer.Write(rec, &out->buffers, &out->counts);
        }
        {
          std::lock_guard lock(mu);
          ready[c] = std::move(out);
        }
        cv.notify_all();
      }
    });
  }

  const bool show = o.progress && isatty(STDERR_FILENO);
  auto last_shown = std::chrono::steady_clock::now();
  bool write_failed = false;
  for (int64_t c = 0; c < n_chunks; ++c) {
    std::unique_ptr<ChunkOut> out;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return ready[c] != nullptr; });
      out = std::move(ready[c]);
      next_write = c + 1;
    }
    cv.notify_all();
    for (int f = 0; f < kRegistryFiles; ++f) {
      const std::string_view v = out->buffers[f].view();
      if (o.write_files && !v.empty() &&
          std::fwrite(v.data(), 1, v.size(), files[f]) != v.size()) {
        write_failed = true;
      }
      stats.bytes[f] += static_cast<int64_t>(v.size());
      stats.rows.rows[f] += out->counts.rows[f];
    }
    stats.tally.Add(out->tally);
    if (show) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_shown > std::chrono::milliseconds(200) || c + 1 == n_chunks) {
        last_shown = now;
        const double frac = static_cast<double>(c + 1) / static_cast<double>(n_chunks);
        const int bar = static_cast<int>(frac * 30);
        const double secs = std::chrono::duration<double>(now - t0).count();
        std::fprintf(stderr, "\rvsv synth [%s%s] %3d%%  %lld persons  %.1f s",
                     std::string(bar, '#').c_str(), std::string(30 - bar, '.').c_str(),
                     static_cast<int>(frac * 100),
                     static_cast<long long>(std::min(total, (c + 1) * kChunk)), secs);
        std::fflush(stderr);
      }
    }
  }
  workers.clear();  // joins
  if (show) std::fputc('\n', stderr);

  if (o.write_files) {
    for (auto& f : files) {
      if (std::fflush(f) != 0) write_failed = true;
    }
    close_all();
    if (write_failed) return MakeError(fmt::format("synth: writing to {} failed", o.out_dir));
    for (int f = 0; f < kRegistryFiles; ++f) {
      const std::string final_path = fmt::format("{}/{}", o.out_dir, RegistryFileName(f));
      std::error_code ec;
      std::filesystem::rename(final_path + ".part", final_path, ec);
      if (ec) return MakeError(fmt::format("synth: cannot rename to {}: {}", final_path, ec.message()));
    }
  }
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return stats;
}

}  // namespace vsv::synth
