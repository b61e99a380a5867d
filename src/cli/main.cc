// vsv: the command-line tool. Each subcommand is in its own cmd_*.cc.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"vsv — early school leaving (voortijdig schoolverlaten): the official count and the regional work"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every subcommand");
  vsv::cli::AddImportCommand(app);
  vsv::cli::AddCountCommand(app);
  vsv::cli::AddClassifyCommand(app);
  vsv::cli::AddExplainCommand(app);
  vsv::cli::AddStockCommand(app);
  vsv::cli::AddWorklistCommand(app);
  vsv::cli::AddCasesCommand(app);
  vsv::cli::AddUsersCommand(app);
  vsv::cli::AddAuditCommand(app);
  vsv::cli::AddSynthCommand(app);
  vsv::cli::AddServeCommand(app);
  vsv::cli::AddProgrammeCommand(app);
  vsv::cli::AddEffectReportCommand(app);
  vsv::cli::AddRiskCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {  // a subcommand failed and said why
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {    // usage error or --help
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}
