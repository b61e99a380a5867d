// vsv synth: generates a synthetic national registry (src/synth), reports it against
// the published national figures, and fits the flow model's year effects.
#include <cstdio>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/file_util.h"
#include "core/parallel.h"
#include "measure/classify.h"
#include "synth/calibration.h"
#include "synth/generator.h"

namespace vsv::cli {

namespace {

struct SynthCliOptions {
  synth::SynthOptions gen;
  std::string reference;
  std::string model_file;
  std::string model_out;
  std::string data;
  bool report = false;
  bool internal = false;
  int calibrate = 0;
  std::vector<uint64_t> fit_seeds;
  bool quiet = false;
};

void PrintStats(const synth::SynthStats& s, const synth::SynthOptions& o) {
  int64_t bytes = 0, rows = 0;
  for (int f = 0; f < synth::kRegistryFiles; ++f) {
    bytes += s.bytes[f];
    rows += s.rows.rows[f];
  }
  fmt::print(stderr, "synth: {} persons, {} rows, {:.1f} MB in {:.1f} s ({} threads){}\n",
             s.persons, rows, bytes / 1e6, s.seconds,
             ThreadCount(o.threads),
             o.write_files ? " -> " + o.out_dir : "");
  if (o.write_files) {
    for (int f = 0; f < synth::kRegistryFiles; ++f) {
      fmt::print(stderr, "  {:<18} {:>11} rows {:>9.1f} MB\n", synth::RegistryFileName(f),
                 s.rows.rows[f], s.bytes[f] / 1e6);
    }
  }
}

int RunSynth(SynthCliOptions& o) {
  o.gen.reference_dir = o.reference.empty() ? DefaultReferenceDir() : o.reference;
  auto reference = LoadReference(o.gen.reference_dir);
  if (!reference) return Fail(reference.error());
  std::unique_ptr<synth::FlowModel> model;
  if (!o.model_file.empty()) {
    auto text = ReadFile(o.model_file);
    if (!text) return Fail(text.error());
    auto params = synth::FlowParamsFromJson(*text);
    if (!params) return Fail(params.error());
    model = std::make_unique<synth::FlowModel>(*params);
  } else {
    model = std::make_unique<synth::FlowModel>(synth::FlowModel::Default());
  }
  o.gen.model = model.get();
  o.gen.progress = !o.quiet;

  // Fitting the year effects: tally-only runs, one per fitting seed per iteration,
  // pooled (the pooled registry of k seeds is one of k times the scale).
  if (o.calibrate > 0) {
    o.gen.write_files = false;
    if (o.fit_seeds.empty()) o.fit_seeds.push_back(o.gen.seed);
    const double pooled_scale = o.gen.scale * static_cast<double>(o.fit_seeds.size());
    for (int it = 1; it <= o.calibrate; ++it) {
      std::vector<std::vector<synth::YearFigures>> runs;
      double seconds = 0;
      for (uint64_t seed : o.fit_seeds) {
        o.gen.seed = seed;
        auto stats = synth::GenerateRegistry(o.gen);
        if (!stats) return Fail(stats.error());
        seconds += stats->seconds;
        runs.push_back(synth::FiguresFromTally(stats->tally));
      }
      const auto figures = synth::PoolFigures(runs);
      bool ok = false;
      const std::string report =
          synth::CalibrationReport(figures, reference->national_figures(), pooled_scale, &ok);
      fmt::print("== iteration {} ({} seed{} pooled, {:.1f} s)\n{}", it, runs.size(),
                 runs.size() == 1 ? "" : "s", seconds, report);
      std::fflush(stdout);
      if (it < o.calibrate || !ok) {
        synth::FlowParams p = model->params();
        synth::AdjustYearEffects(figures, reference->national_figures(), pooled_scale, &p);
        model = std::make_unique<synth::FlowModel>(p);
        o.gen.model = model.get();
      }
    }
    fmt::print("{}", synth::YearEffectsAsCode(model->params()));
    if (!o.model_out.empty()) {
      if (auto st = WriteFileAtomic(o.model_out, synth::FlowParamsToJson(model->params())); !st) {
        return Fail(st.error());
      }
    }
    return 0;
  }

  std::string data = o.data;
  if (data.empty()) {
    if (o.gen.out_dir.empty()) return Fail(Error{"synth: --out DIR is required"});
    auto stats = synth::GenerateRegistry(o.gen);
    if (!stats) return Fail(stats.error());
    if (!o.quiet) PrintStats(*stats, o.gen);
    if (o.report && o.internal) {
      fmt::print("{}", synth::CalibrationReport(synth::FiguresFromTally(stats->tally),
                                                reference->national_figures(), o.gen.scale, nullptr));
      return 0;
    }
    data = o.gen.out_dir;
  }
  if (!o.report) return 0;
  // The official count over the written files.
  InputOptions in;
  in.data = data;
  in.reference = o.gen.reference_dir;
  in.threads = o.gen.threads;
  in.quiet = o.quiet;
  auto input = LoadInput(in);
  if (!input) return Fail(input.error());
  const YearRange range = CountableYears((*input)->registry, (*input)->reference);
  if (range.first > range.last) return Fail(Error{"synth: no countable school year in " + data});
  const auto figures = synth::FiguresFromRegistry((*input)->registry, (*input)->reference,
                                                  range.first, range.last, o.gen.threads);
  bool ok = false;
  fmt::print("{}", synth::CalibrationReport(figures, (*input)->reference.national_figures(), o.gen.scale, &ok));
  return 0;
}

}  // namespace

void AddSynthCommand(CLI::App& app) {
  auto o = std::make_shared<SynthCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "generate a synthetic national registry (format v1), calibrated to the published figures");
  cmd->add_option("--scale", o->gen.scale, "1.0 = the whole country; 0.01 = a quick test set")
      ->check(CLI::Range(0.0001, 10.0));
  cmd->add_option("--from", o->gen.from_year, "first school year counted (data from 1 August)");
  cmd->add_option("--to", o->gen.to_year, "data run to 31 December of this year");
  cmd->add_option("--seed", o->gen.seed, "same seed, same bytes (whatever the thread count)");
  cmd->add_option("--out", o->gen.out_dir, "folder to write the registry to (created)");
  cmd->add_option("--reference", o->reference, "reference folder (default data/reference)");
  cmd->add_option("--threads", o->gen.threads, "worker threads (0 = all cores)");
  cmd->add_option("--model", o->model_file, "flow model parameters (JSON) instead of the built-in model");
  cmd->add_flag("--calibration-report", o->report,
                "print target against generated for every published figure: counts --data DIR with "
                "the official count, or generates --out DIR first and counts that");
  cmd->add_option("--data", o->data, "an existing registry for --calibration-report");
  cmd->add_flag("--internal", o->internal,
                "with --calibration-report: use the generator's own tally instead of loading the files");
  cmd->add_option("--calibrate", o->calibrate,
                  "fit the year effects in N tally-only runs and print them (development)");
  cmd->add_option("--fit-seeds", o->fit_seeds,
                  "with --calibrate: fit against the figures pooled over these seeds (default: --seed)")
      ->delimiter(',');
  cmd->add_option("--model-out", o->model_out, "with --calibrate: write the fitted parameters (JSON)");
  cmd->add_flag("--quiet", o->quiet, "no progress bar or summary on stderr");
  cmd->callback([o] { Run([&] { return RunSynth(*o); }); });
}

}  // namespace vsv::cli
