// Every subcommand of `vsv` lives in its own cmd_*.cc file and registers itself on
// the app here. The CLI stays thin: it parses flags and calls the libraries.
#ifndef VSV_CLI_COMMANDS_H_
#define VSV_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace vsv::cli {

void AddImportCommand(CLI::App& app);
void AddCountCommand(CLI::App& app);
void AddClassifyCommand(CLI::App& app);
void AddExplainCommand(CLI::App& app);
void AddStockCommand(CLI::App& app);
void AddWorklistCommand(CLI::App& app);
void AddCasesCommand(CLI::App& app);
void AddUsersCommand(CLI::App& app);
void AddAuditCommand(CLI::App& app);
void AddSynthCommand(CLI::App& app);
void AddServeCommand(CLI::App& app);
// vsv programme …, vsv effect-report (cmd_programme.cc)
void AddProgrammeCommand(CLI::App& app);
void AddEffectReportCommand(CLI::App& app);
void AddRiskCommand(CLI::App& app);

}  // namespace vsv::cli

#endif  // VSV_CLI_COMMANDS_H_
