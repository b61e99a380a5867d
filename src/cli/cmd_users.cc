// vsv users: accounts of the register. Passwords are read from stdin (a prompt with
// echo off on a terminal, else the first line), never from the command line where
// `ps` and shell history would show them.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "followup/store.h"

namespace vsv::cli {

namespace {

using followup::CaseStore;

struct UsersOptions {
  std::string db;
  std::string name;
  std::string role;
  int region = 0;
  std::string school;
};

Result<std::string> ReadLine(const char* prompt, bool tty) {
  termios old{};
  if (tty) {
    fmt::print(stderr, "{}", prompt);
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fmt::print(stderr, "\n");
  }
  if (!ok) return MakeError("no password on stdin");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<std::string> ReadPassword() {
  const bool tty = isatty(STDIN_FILENO);
  auto first = ReadLine("password: ", tty);
  if (!first) return first;
  if (tty) {
    auto again = ReadLine("password again: ", tty);
    if (!again) return again;
    if (*again != *first) return MakeError("the passwords differ");
  }
  return first;
}

followup::Context Ctx() { return {followup::CommandLineUser(), "user administration"}; }

int RunAdd(const UsersOptions& o) {
  auto role = followup::ParseRole(o.role);
  if (!role) return Fail(role.error());
  auto store = CaseStore::Open(o.db);
  if (!store) return Fail(followup::ToError(store.error()));
  auto password = ReadPassword();
  if (!password) return Fail(password.error());
  followup::NewUser nu{o.name, *role, std::nullopt, std::nullopt};
  if (o.region) nu.region = o.region;
  if (!o.school.empty()) nu.school = o.school;
  auto user = (*store)->AddUser(Ctx(), nu, *password);
  if (!user) return Fail(followup::ToError(user.error()));
  fmt::print("user {} ({}) created\n", user->name, followup::RoleName(user->role));
  return 0;
}

int RunList(const UsersOptions& o) {
  auto store = CaseStore::Open(o.db);
  if (!store) return Fail(followup::ToError(store.error()));
  auto users = (*store)->ListUsers(Ctx());
  if (!users) return Fail(followup::ToError(users.error()));
  fmt::print("name,role,region,school,active\n");
  for (const auto& u : *users) {
    fmt::print("{},{},{},{},{}\n", u.name, followup::RoleName(u.role), u.region ? fmt::format("{:02d}", *u.region) : "",
               u.school.value_or(""), u.active ? 1 : 0);
  }
  return 0;
}

int RunPassword(const UsersOptions& o) {
  auto store = CaseStore::Open(o.db);
  if (!store) return Fail(followup::ToError(store.error()));
  auto password = ReadPassword();
  if (!password) return Fail(password.error());
  if (auto r = (*store)->ResetPassword(Ctx(), o.name, *password); !r) return Fail(followup::ToError(r.error()));
  fmt::print("password of {} set; the account is unlocked and its sessions ended\n", o.name);
  return 0;
}

int RunActive(const UsersOptions& o, bool active) {
  auto store = CaseStore::Open(o.db);
  if (!store) return Fail(followup::ToError(store.error()));
  if (auto r = (*store)->SetUserActive(Ctx(), o.name, active); !r) return Fail(followup::ToError(r.error()));
  fmt::print("user {} {}\n", o.name, active ? "activated" : "deactivated");
  return 0;
}

}  // namespace

void AddUsersCommand(CLI::App& app) {
  auto o = std::make_shared<UsersOptions>();
  CLI::App* users = app.add_subcommand("users", "accounts of the register (the first one: an administrator)");
  users->require_subcommand(1);
  auto db = [&](CLI::App* c) {
    c->add_option("--db", o->db, "register: SQLite file or postgresql://user@host/db")->required();
  };

  CLI::App* add = users->add_subcommand("add", "add a user; the password is read from stdin");
  db(add);
  add->add_option("--name", o->name, "login name")->required();
  add->add_option("--role", o->role,
                  "administrator, national-analyst, regional-coordinator, caseworker or school-mentor")
      ->required();
  add->add_option("--region", o->region, "region (coordinators and caseworkers)")->check(CLI::Range(1, 99));
  add->add_option("--school", o->school, "school BRIN (school mentors)");
  add->callback([o] { Run([&] { return RunAdd(*o); }); });

  CLI::App* list = users->add_subcommand("list", "list users (CSV)");
  db(list);
  list->callback([o] { Run([&] { return RunList(*o); }); });

  CLI::App* pw = users->add_subcommand("set-password", "set a user's password (read from stdin) and unlock it");
  db(pw);
  pw->add_option("--name", o->name, "login name")->required();
  pw->callback([o] { Run([&] { return RunPassword(*o); }); });

  CLI::App* off = users->add_subcommand("deactivate", "deactivate a user and end their sessions");
  db(off);
  off->add_option("--name", o->name, "login name")->required();
  off->callback([o] { Run([&] { return RunActive(*o, false); }); });

  CLI::App* on = users->add_subcommand("activate", "activate a user again");
  db(on);
  on->add_option("--name", o->name, "login name")->required();
  on->callback([o] { Run([&] { return RunActive(*o, true); }); });
}

}  // namespace vsv::cli
