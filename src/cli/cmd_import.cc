// vsv import: CSV registry -> snapshot.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "registry/snapshot.h"

namespace vsv::cli {

void AddImportCommand(CLI::App& app) {
  auto opts = std::make_shared<InputOptions>();
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("import", "validate a registry folder and write a snapshot (.vsvdb)");
  AddInputOptions(cmd, opts.get());
  cmd->add_option("--out", *out, "snapshot file to write (.vsvdb)")->required();
  cmd->callback([opts, out] {
    Run([&] {
      auto input = LoadInput(*opts);
      if (!input) return Fail(input.error());
      if (auto st = WriteSnapshot((*input)->registry, *out); !st) return Fail(st.error());
      if (!opts->quiet) fmt::print(stderr, "wrote {}\n", *out);
      return 0;
    });
  });
}

}  // namespace vsv::cli
