// CaseStore: cases, contacts, referrals, handover, history, the region overview,
// region rules and retention; the one change path (Mutate).
#include "followup/sql_case_store.h"

namespace vsv::followup {

using namespace store_internal;  // NOLINT: this file implements the internal SqlCaseStore

SqlResultOr<void> SqlCaseStore::History(SqlConnection& c, const Case& cs, int region, std::string_view user,
                                        std::string_view event, std::string_view old_value, std::string_view new_value,
                                        std::string_view detail) {
  auto r = c.ExecLater(
      "INSERT INTO case_history (case_id, region, at, on_date, user_name, event, old_value, new_value, detail) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {cs.id, int64_t{region}, Now(), int64_t{Today()}, std::string(user), std::string(event),
       old_value.empty() ? Null() : SqlValue(std::string(old_value)),
       new_value.empty() ? Null() : SqlValue(std::string(new_value)), std::string(detail)});
  if (!r) return tl::unexpected(r.error());
  return {};
}

StoreResult<std::optional<Case>> SqlCaseStore::LoadCase(SqlConnection& c, int64_t id) {
  VSV_TRY_SQL(r, c.Exec(std::string(kCaseSelect) + "WHERE c.id = $1", {id}));
  if (r->rows.empty()) return std::optional<Case>();
  return std::optional<Case>(CaseFromRow(r->rows[0]));
}

StoreResult<RegionRule> SqlCaseStore::LoadRule(SqlConnection& c, int region) {
  VSV_TRY_SQL(r, c.Exec("SELECT oud_vsv_interval_months, new_leaver_interval_days FROM region_rules "
                        "WHERE region = $1",
                        {int64_t{region}}));
  RegionRule rule;
  rule.region = region;
  if (!r->rows.empty()) {
    rule.oud_vsv_interval_months = static_cast<int>(r->rows[0].Int(0));
    rule.new_leaver_interval_days = static_cast<int>(r->rows[0].Int(1));
  }
  return rule;
}

StoreResult<void> SqlCaseStore::CheckNextContact(SqlConnection& c, const Case& cs, Date next, Date from) {
  if (next == kNoDate) {
    if (cs.kind == CaseKind::kOudVsv) {
      return Fail(Errc::kInvalid, "an oud-vsv case needs a next contact date (the region's contact rule)");
    }
    return {};
  }
  if (next < Today()) return Fail(Errc::kInvalid, fmt::format("next contact {} lies in the past", FormatDate(next)));
  if (cs.kind == CaseKind::kOudVsv) {
    VSV_TRY(rule, LoadRule(c, cs.region));
    const Date limit = AddMonths(std::max(from, Today()), rule->oud_vsv_interval_months);
    if (next > limit) {
      return Fail(Errc::kInvalid,
                  fmt::format("next contact {} is later than region {:02d}'s rule allows for oud-vsv'ers "
                              "(every {} months: at the latest {})",
                              FormatDate(next), cs.region, rule->oud_vsv_interval_months, FormatDate(limit)));
    }
  }
  return {};
}

StoreResult<Case> SqlCaseStore::Mutate(const Context& ctx, int64_t id, int64_t expected_version, Action action,
                                       std::string_view audit_action, const Mutation& mutation) {
  if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY(loaded, LoadCase(c, id));
  if (!*loaded) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", id));
  const Case before = **loaded;
  if (!Authorize(ctx.user, action, ResourceOf(before))) {
    return Deny(ctx, action, before.person.person_id, before.id, before.region, &c);
  }
  if (before.version != expected_version) return Conflict(before, expected_version);
  if (!before.open()) return Fail(Errc::kInvalid, fmt::format("case {} is closed; a closed case is not changed", id));
  Case after = before;
  std::vector<Change> changes;
  if (auto r = mutation(c, before, after, changes); !r) return tl::unexpected(r.error());
  if (changes.empty()) return before;  // nothing changed: no new version
  static const std::string kUpdate =
      "UPDATE cases SET status = $1, closed_reason = $2, closed_on = $3, owner_id = $4, agreements = $5, "
      "next_contact = $6, mbo_verklaring = $7, region = $8, version = version + 1, updated_at = $9 "
      "WHERE id = $10 AND version = $11" +
      std::string(kCaseReturning);
  VSV_TRY_SQL(upd, c.Exec(kUpdate, {std::string(StatusName(after.status)),
                                    after.closed_reason.empty() ? Null() : SqlValue(after.closed_reason),
                                    DateValue(after.closed_on), OptInt(after.owner_id), after.agreements,
                                    DateValue(after.next_contact), int64_t{after.mbo_verklaring}, int64_t{after.region},
                                    Now(), id, expected_version}));
  if (upd->rows.size() != 1) {
    VSV_TRY(now, LoadCase(c, id));
    return Conflict(now->value_or(before), expected_version);
  }
  // History and audit go out with the commit: one round trip on PostgreSQL.
  for (const Change& ch : changes) {
    if (auto r = History(c, before, ch.region.value_or(after.region), ctx.user.name, ch.event, ch.old_value,
                         ch.new_value, ch.detail);
        !r) {
      return FailSql(r.error());
    }
  }
  std::vector<std::string> events;
  for (const Change& ch : changes) events.push_back(ch.event);
  if (auto r = Audit(c, ctx, audit_action, before.person.person_id, id, before.region,
                     fmt::format("{}", fmt::join(events, ",")));
      !r) {
    return FailSql(r.error());
  }
  const Case result = CaseFromRow(upd->rows[0]);
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return result;
}

tl::unexpected<StoreError> SqlCaseStore::Conflict(const Case& current, int64_t expected) {
  StoreError e;
  e.code = Errc::kConflict;
  e.message = fmt::format(
      "case {} was changed by someone else since you opened it (your version {}, now {}); nothing of your "
      "change was saved — reload the case and apply your change again",
      current.id, expected, current.version);
  e.current = std::make_shared<Case>(current);
  return tl::unexpected(std::move(e));
}

StoreResult<SyncReport> SqlCaseStore::Sync(const Context& ctx, const SyncRequest& req) {
  if (!Authorize(ctx.user, Action::kSyncCases, Resource{req.region, std::nullopt})) {
    return Deny(ctx, Action::kSyncCases, "", std::nullopt, req.region);
  }
  if (req.date == kNoDate) return Fail(Errc::kInvalid, "sync needs a date");
  const std::string purpose = ctx.purpose.empty() ? "sync work list" : ctx.purpose;
  const Context sctx{ctx.user, purpose};
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  SyncReport rep;
  const int64_t now = Now();
  std::set<std::string> created;
  for (const SyncCandidate& cand : req.candidates) {
    const PersonSnapshot& p = cand.person;
    VSV_TRY_SQL(open, c.Exec("SELECT id, region FROM cases WHERE person_id = $1 AND closed_on IS NULL", {p.person_id}));
    if (!open->rows.empty()) {
      ++(open->rows[0].Int(1) == req.region ? rep.already_open : rep.open_elsewhere);
      continue;
    }
    VSV_TRY_SQL(ep,
                c.Exec("SELECT id FROM cases WHERE person_id = $1 AND (episode = $2 OR opened_on >= $3)",
                       {p.person_id, cand.episode,
                        int64_t{cand.covered_from == kNoDate ? std::numeric_limits<Date>::max() : cand.covered_from}}));
    if (!ep->rows.empty()) {
      ++rep.closed_episode;
      continue;
    }
    VSV_TRY_SQL(
        ins,
        c.Exec(
            "INSERT INTO cases (person_id, episode, kind, region, status, opened_on, birth_date, municipality, "
            "last_school, last_location, last_sector, last_program, last_level, left_on, diplomas, synced_on, "
            "next_contact, mbo_verklaring, created_at, updated_at) VALUES ($1, $2, $3, $4, 'new', $5, $6, $7, $8, $9, "
            "$10, $11, $12, $13, $14, $5, $5, $15, $16, $16) RETURNING id",
            {p.person_id, cand.episode, std::string(KindName(cand.kind)), int64_t{req.region}, int64_t{req.date},
             DateValue(p.birth_date), p.municipality >= 0 ? SqlValue(int64_t{p.municipality}) : Null(), p.last_school,
             p.last_location, p.last_sector, p.last_program, p.last_level ? SqlValue(int64_t{p.last_level}) : Null(),
             DateValue(p.left_on), p.diplomas, int64_t{p.has_mbo_verklaring}, now}));
    Case cs;
    cs.id = ins->rows.at(0).Int(0);
    if (auto r = History(c, cs, req.region, sctx.user.name, "created", "", "new",
                         fmt::format("{} on the work list of {}", KindName(cand.kind), FormatDate(req.date)));
        !r) {
      return FailSql(r.error());
    }
    if (auto r = Audit(c, sctx, "create-case", p.person_id, cs.id, req.region, std::string(KindName(cand.kind))); !r) {
      return FailSql(r.error());
    }
    ++(cand.kind == CaseKind::kNewLeaver ? rep.created_new_leaver : rep.created_oud_vsv);
    created.insert(p.person_id);
  }
  // Refresh the registry part and the flag of the region's other open cases.
  VSV_TRY_SQL(open, c.Exec(std::string(kCaseSelect) + "WHERE c.region = $1 AND c.closed_on IS NULL ORDER BY c.id",
                           {int64_t{req.region}}));
  rep.open_cases = static_cast<int64_t>(open->rows.size());
  if (req.lookup) {
    for (const SqlRow& row : open->rows) {
      const Case cs = CaseFromRow(row);
      if (created.count(cs.person.person_id)) continue;
      const PersonState st = req.lookup(cs.person.person_id);
      if (st.found) {
        const PersonSnapshot& s = st.snapshot;
        const PersonSnapshot& o = cs.person;
        // The last school and program stay those of the enrolment that put the person on
        // the list; what the registry may correct or add is refreshed.
        if (s.birth_date != o.birth_date || s.municipality != o.municipality || s.diplomas != o.diplomas) {
          VSV_TRY_SQL(u,
                      c.Exec("UPDATE cases SET birth_date = $1, municipality = $2, diplomas = $3, "
                             "synced_on = $4 WHERE id = $5",
                             {DateValue(s.birth_date), s.municipality >= 0 ? SqlValue(int64_t{s.municipality}) : Null(),
                              s.diplomas, int64_t{req.date}, cs.id}));
          if (auto r = Audit(c, sctx, "refresh-case", cs.person.person_id, cs.id, req.region, "registry part"); !r) {
            return FailSql(r.error());
          }
          ++rep.refreshed;
        }
      }
      if (st.flag != cs.registry_flag.flag) {
        VSV_TRY_SQL(u, c.Exec("UPDATE cases SET registry_flag = $1, flagged_on = $2 WHERE id = $3",
                              {st.flag.empty() ? Null() : SqlValue(st.flag),
                               st.flag.empty() ? Null() : SqlValue(int64_t{req.date}), cs.id}));
        if (auto r = History(c, cs, req.region, sctx.user.name, "registry-flag", cs.registry_flag.flag, st.flag,
                             st.flag.empty() ? "registry flag cleared"
                                             : fmt::format("registry on {}: {}", FormatDate(req.date), st.flag));
            !r) {
          return FailSql(r.error());
        }
        if (auto r = Audit(c, sctx, "flag-case", cs.person.person_id, cs.id, req.region, st.flag); !r) {
          return FailSql(r.error());
        }
        ++rep.flagged;
      }
    }
  }
  if (auto r = Audit(c, sctx, "sync", "", std::nullopt, req.region,
                     fmt::format("date {}; created {} new leavers, {} oud-vsv; {} open", FormatDate(req.date),
                                 rep.created_new_leaver, rep.created_oud_vsv, rep.open_cases));
      !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return rep;
}

StoreResult<std::vector<Case>> SqlCaseStore::ListCases(const Context& ctx, const CaseFilter& f) {
  if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
  Resource res;
  if (ctx.user.role == Role::kSchoolMentor)
    res.school = f.school ? f.school : ctx.user.school;
  else
    res.region = f.region ? f.region : ctx.user.region;
  // Without a region (an administrator or analyst has none) Authorize refuses, and
  // that refusal is audited like every other.
  if (!Authorize(ctx.user, Action::kListCases, res)) {
    return Deny(ctx, Action::kListCases, "", std::nullopt, res.region);
  }
  std::string where;
  std::vector<SqlValue> params;
  if (ctx.user.role == Role::kSchoolMentor) {
    params.push_back(res.school.value_or(""));
    where = "WHERE c.last_school = $1";
  } else {
    params.push_back(int64_t{res.region.value()});
    where = "WHERE c.region = $1";
  }
  if (!f.include_closed) where += " AND c.closed_on IS NULL";
  if (f.status) {
    params.push_back(std::string(StatusName(*f.status)));
    where += fmt::format(" AND c.status = ${}", params.size());
  }
  if (f.owner_id) {
    params.push_back(*f.owner_id);
    where += fmt::format(" AND c.owner_id = ${}", params.size());
  }
  if (f.only_due) {
    params.push_back(int64_t{Today() + 7});
    where += fmt::format(" AND c.next_contact <= ${}", params.size());
  }
  params.push_back(int64_t{std::clamp(f.limit, 1, 100000)});
  const std::string sql = std::string(kCaseSelect) + where +
                          fmt::format(
                              " ORDER BY CASE WHEN c.next_contact IS NULL THEN 1 ELSE 0 END, "
                              "c.next_contact, c.id LIMIT ${}",
                              params.size());
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(rows, c.Exec(sql, params));
  std::vector<Case> out;
  out.reserve(rows->rows.size());
  for (const SqlRow& r : rows->rows) {
    out.push_back(CaseFromRow(r));
    if (auto a = Audit(c, ctx, "list-cases", out.back().person.person_id, out.back().id, out.back().region, ""); !a) {
      return FailSql(a.error());
    }
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return out;
}

StoreResult<CaseDetail> SqlCaseStore::GetCase(const Context& ctx, int64_t id) {
  if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  CaseDetail d;
  {
    Transaction tx(c);
    if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
    VSV_TRY(loaded, LoadCase(c, id));
    if (!*loaded) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", id));
    d.c = **loaded;
    if (!Authorize(ctx.user, Action::kReadCase, ResourceOf(d.c))) {
      return Deny(ctx, Action::kReadCase, d.c.person.person_id, id, d.c.region, &c);
    }
    VSV_TRY_SQL(contacts, c.Exec("SELECT id, case_id, contact_date, channel, with_whom, summary, outcome, "
                                 "author_name, client_key, created_at FROM contacts WHERE case_id = $1 "
                                 "ORDER BY contact_date DESC, id DESC",
                                 {id}));
    for (const SqlRow& r : contacts->rows) {
      d.contacts.push_back(Contact{r.Int(0), r.Int(1), DateAt(r, 2), r.Text(3), r.Text(4), r.Text(5), r.Text(6),
                                   r.Text(7), r.Text(8), r.Int(9)});
    }
    VSV_TRY_SQL(refs, c.Exec("SELECT id, case_id, partner, referred_on, note, author_name FROM referrals "
                             "WHERE case_id = $1 ORDER BY referred_on DESC, id DESC",
                             {id}));
    for (const SqlRow& r : refs->rows) {
      d.referrals.push_back(Referral{r.Int(0), r.Int(1), ParsePartner(r.Text(2)).value_or(Partner::kSchool),
                                     DateAt(r, 3), r.Text(4), r.Text(5)});
    }
    VSV_TRY_SQL(hist, c.Exec(std::string(kHistorySelect) + "WHERE h.case_id = $1 ORDER BY h.id", {id}));
    for (const SqlRow& r : hist->rows) d.history.push_back(HistoryFromRow(r));
    if (auto r = Audit(c, ctx, "read-case", d.c.person.person_id, id, d.c.region, ""); !r) return FailSql(r.error());
    if (auto r = tx.Commit(); !r) return FailSql(r.error());
  }
  return d;
}

HistoryEntry SqlCaseStore::HistoryFromRow(const SqlRow& r) {
  HistoryEntry h;
  h.id = r.Int(0);
  h.case_id = r.Int(1);
  h.person_id = r.Text(2);
  h.region = static_cast<int>(r.Int(3));
  h.at = r.Int(4);
  h.on_date = DateAt(r, 5);
  h.user = r.Text(6);
  h.event = r.Text(7);
  h.old_value = r.Text(8);
  h.new_value = r.Text(9);
  h.detail = r.Text(10);
  return h;
}

StoreResult<Case> SqlCaseStore::UpdateCase(const Context& ctx, int64_t id, int64_t expected_version,
                                           const CaseUpdate& u) {
  return Mutate(
      ctx, id, expected_version, Action::kWriteCase, "update-case",
      [&](SqlConnection& c, const Case& before, Case& after, std::vector<Change>& changes) -> StoreResult<void> {
        if (u.closed_reason && u.status != CaseStatus::kClosed) {
          return Fail(Errc::kInvalid, "a closing reason is only given when the status becomes closed");
        }
        if (u.status && *u.status != before.status) {
          if (*u.status == CaseStatus::kClosed) {
            const std::string reason = u.closed_reason.value_or("");
            if (auto s = CheckText("closing reason", reason, 500, true); !s)
              return Fail(Errc::kInvalid, s.error().message);
            after.closed_reason = reason;
            after.closed_on = Today();
          }
          after.status = *u.status;
          changes.push_back({"status", std::string(StatusName(before.status)), std::string(StatusName(after.status)),
                             after.status == CaseStatus::kClosed ? after.closed_reason : ""});
        }
        if (u.owner_id && *u.owner_id != before.owner_id) {
          if (!Authorize(ctx.user, Action::kAssignCase, ResourceOf(before))) {
            return Deny(ctx, Action::kAssignCase, before.person.person_id, before.id, before.region, &c);
          }
          std::string new_name;
          if (*u.owner_id) {
            VSV_TRY_SQL(o, c.Exec(std::string(kUserSelect) + "WHERE id = $1", {**u.owner_id}));
            if (o->rows.empty()) return Fail(Errc::kInvalid, fmt::format("user {} does not exist", **u.owner_id));
            const User owner = UserFromRow(o->rows[0]);
            if (!owner.active || !Authorize(owner, Action::kWriteCase, ResourceOf(before))) {
              return Fail(Errc::kInvalid,
                          fmt::format("{} cannot own a case of region {:02d}", owner.name, before.region));
            }
            new_name = owner.name;
          }
          after.owner_id = *u.owner_id;
          changes.push_back({"owner", before.owner_name, new_name, ""});
        }
        if (u.agreements && *u.agreements != before.agreements) {
          if (auto s = CheckText("agreements", *u.agreements, 4000, false); !s)
            return Fail(Errc::kInvalid, s.error().message);
          after.agreements = *u.agreements;
          changes.push_back({"agreements", before.agreements, after.agreements, ""});
        }
        if (u.next_contact && *u.next_contact != before.next_contact && after.status != CaseStatus::kClosed) {
          if (auto r = CheckNextContact(c, before, *u.next_contact, Today()); !r) return r;
          after.next_contact = *u.next_contact;
          changes.push_back({"next-contact", DateText(before.next_contact), DateText(after.next_contact), ""});
        }
        if (after.status == CaseStatus::kClosed) after.next_contact = kNoDate;
        if (u.mbo_verklaring && *u.mbo_verklaring != before.mbo_verklaring) {
          after.mbo_verklaring = *u.mbo_verklaring;
          changes.push_back({"mbo-verklaring", before.mbo_verklaring ? "issued" : "not issued",
                             after.mbo_verklaring ? "issued" : "not issued", ""});
        }
        return {};
      });
}

StoreResult<ContactResult> SqlCaseStore::RecordContact(const Context& ctx, int64_t id, int64_t expected_version,
                                                       const NewContact& nc) {
  if (!nc.client_key.empty()) {
    // A retry of an acknowledged contact: answer with what was stored.
    VSV_TRY(lease, pool_.Acquire());
    VSV_TRY_SQL(r, (*lease)->Exec("SELECT id, case_id FROM contacts WHERE client_key = $1", {nc.client_key}));
    if (!r->rows.empty()) {
      if (r->rows[0].Int(1) != id) return Fail(Errc::kInvalid, "client_key was used for another case");
      VSV_TRY(c, LoadCase(**lease, id));
      if (!*c) return Fail(Errc::kNotFound, fmt::format("case {} does not exist", id));
      if (!Authorize(ctx.user, Action::kWriteCase, ResourceOf(**c))) {
        // On this lease: with one pooled connection another would wait for itself.
        return Deny(ctx, Action::kWriteCase, (**c).person.person_id, id, (**c).region, &**lease);
      }
      return ContactResult{**c, r->rows[0].Int(0), true};
    }
  }
  int64_t contact_id = 0;
  auto cs = Mutate(
      ctx, id, expected_version, Action::kWriteCase, "record-contact",
      [&](SqlConnection& c, const Case& before, Case& after, std::vector<Change>& changes) -> StoreResult<void> {
        if (nc.date == kNoDate) return Fail(Errc::kInvalid, "the contact needs a date");
        if (nc.date > Today())
          return Fail(Errc::kInvalid, fmt::format("contact date {} lies in the future", FormatDate(nc.date)));
        if (!IsChannel(nc.channel)) {
          return Fail(Errc::kInvalid, fmt::format("unknown channel '{}'; expected phone, email, letter, visit, "
                                                  "meeting, chat or other",
                                                  nc.channel));
        }
        for (auto [field, value, max, required] :
             {std::tuple{"with whom", &nc.with_whom, 200, true}, std::tuple{"summary", &nc.summary, 4000, true},
              std::tuple{"outcome", &nc.outcome, 1000, false}, std::tuple{"client_key", &nc.client_key, 100, false}}) {
          if (auto s = CheckText(field, *value, max, required); !s) return Fail(Errc::kInvalid, s.error().message);
        }
        Date next = kNoDate;
        if (nc.next_contact) {
          if (auto r = CheckNextContact(c, before, *nc.next_contact, nc.date); !r) return r;
          next = *nc.next_contact;
        } else {
          VSV_TRY(rule, LoadRule(c, before.region));
          next = before.kind == CaseKind::kOudVsv ? AddMonths(nc.date, rule->oud_vsv_interval_months)
                                                  : nc.date + rule->new_leaver_interval_days;
          next = std::max(next, Today());
        }
        auto ins = c.Exec(
            "INSERT INTO contacts (case_id, contact_date, channel, with_whom, summary, outcome, "
            "author_id, author_name, client_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
            "$9, $10) RETURNING id",
            {id, int64_t{nc.date}, nc.channel, nc.with_whom, nc.summary, nc.outcome,
             ctx.user.id ? SqlValue(ctx.user.id) : Null(), ctx.user.name,
             nc.client_key.empty() ? Null() : SqlValue(nc.client_key), Now()});
        if (!ins) {
          if (ins.error().code == SqlErrc::kUnique)
            return Fail(Errc::kConflict, "this contact was just stored (same client_key)");
          return FailSql(ins.error());
        }
        contact_id = ins->rows.at(0).Int(0);
        changes.push_back({"contact", "", std::to_string(contact_id),
                           fmt::format("{} {} with {}", FormatDate(nc.date), nc.channel, nc.with_whom)});
        if (before.status == CaseStatus::kNew) {
          after.status = CaseStatus::kContacted;
          changes.push_back({"status", "new", "contacted", "first contact"});
        }
        if (next != before.next_contact) {
          after.next_contact = next;
          changes.push_back({"next-contact", DateText(before.next_contact), DateText(next), ""});
        }
        return {};
      });
  if (!cs) return tl::unexpected(cs.error());
  return ContactResult{*cs, contact_id, false};
}

StoreResult<Case> SqlCaseStore::AddReferral(const Context& ctx, int64_t id, int64_t expected_version,
                                            const NewReferral& nr) {
  return Mutate(
      ctx, id, expected_version, Action::kWriteCase, "add-referral",
      [&](SqlConnection& c, const Case&, Case&, std::vector<Change>& changes) -> StoreResult<void> {
        if (nr.referred_on == kNoDate || nr.referred_on > Today()) {
          return Fail(Errc::kInvalid, "the referral needs a date, not in the future");
        }
        if (auto s = CheckText("note", nr.note, 2000, false); !s) return Fail(Errc::kInvalid, s.error().message);
        VSV_TRY_SQL(ins, c.Exec("INSERT INTO referrals (case_id, partner, referred_on, note, author_name, created_at) "
                                "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                                {id, std::string(PartnerName(nr.partner)), int64_t{nr.referred_on}, nr.note,
                                 ctx.user.name, Now()}));
        changes.push_back({"referral", "", std::string(PartnerName(nr.partner)),
                           fmt::format("{} to {}", FormatDate(nr.referred_on), PartnerName(nr.partner))});
        return {};
      });
}

StoreResult<Case> SqlCaseStore::HandOver(const Context& ctx, int64_t id, int64_t expected_version, int to_region,
                                         const std::string& note) {
  return Mutate(
      ctx, id, expected_version, Action::kHandOverCase, "hand-over",
      [&](SqlConnection&, const Case& before, Case& after, std::vector<Change>& changes) -> StoreResult<void> {
        if (to_region < 1 || to_region > 99)
          return Fail(Errc::kInvalid, fmt::format("region {} does not exist", to_region));
        if (to_region == before.region) return Fail(Errc::kInvalid, "the case is already in that region");
        if (auto s = CheckText("handover note", note, 2000, false); !s) return Fail(Errc::kInvalid, s.error().message);
        after.region = to_region;
        after.owner_id.reset();
        const std::string from = fmt::format("{:02d}", before.region), to = fmt::format("{:02d}", to_region);
        changes.push_back({"handover-out", from, to, note, before.region});
        changes.push_back({"handover-in", from, to, note, to_region});
        return {};
      });
}

StoreResult<std::vector<HistoryEntry>> SqlCaseStore::RegionHistory(const Context& ctx,
                                                                   std::optional<int> region_or_none, int limit) {
  if (ctx.purpose.empty()) return Fail(Errc::kInvalid, "a purpose is required for access to personal data");
  if (!Authorize(ctx.user, Action::kListCases, Resource{region_or_none, std::nullopt})) {
    return Deny(ctx, Action::kListCases, "", std::nullopt, region_or_none);
  }
  const int region = region_or_none.value();
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(rows, c.Exec(std::string(kHistorySelect) + "WHERE h.region = $1 ORDER BY h.id DESC LIMIT $2",
                           {int64_t{region}, int64_t{std::clamp(limit, 1, 100000)}}));
  std::vector<HistoryEntry> out;
  std::set<int64_t> cases;
  for (const SqlRow& r : rows->rows) {
    out.push_back(HistoryFromRow(r));
    if (cases.insert(out.back().case_id).second) {
      if (auto a = Audit(c, ctx, "region-history", out.back().person_id, out.back().case_id, region, ""); !a) {
        return FailSql(a.error());
      }
    }
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return out;
}

StoreResult<RegionOverview> SqlCaseStore::Overview(const Context& ctx, int region, Date today) {
  if (!Authorize(ctx.user, Action::kViewAggregates, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kViewAggregates, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginRead(); !r) return FailSql(r.error());
  RegionOverview ov;
  ov.region = region;
  ov.today = today;
  VSV_TRY_SQL(cases, c.Exec("SELECT id, status, opened_on, closed_on, next_contact, registry_flag FROM cases "
                            "WHERE region = $1",
                            {int64_t{region}}));
  struct Row {
    CaseStatus status;
    Date opened;
  };
  std::map<int64_t, Row> by_id;
  for (const SqlRow& r : cases->rows) {
    const CaseStatus s = ParseStatus(r.Text(1)).value_or(CaseStatus::kNew);
    ++ov.by_status[static_cast<size_t>(s)];
    by_id[r.Int(0)] = Row{s, DateAt(r, 2)};
    if (!r.IsNull(3)) continue;
    ++ov.open;
    const Date next = DateAt(r, 4);
    if (next == kNoDate)
      ++ov.no_next_contact;
    else if (next < today)
      ++ov.overdue;
    else if (next <= today + 7)
      ++ov.due;
    if (!r.IsNull(5)) ++ov.flagged;
  }
  // Status changes, to know each case's status N months after it was opened.
  VSV_TRY_SQL(hist, c.Exec("SELECT h.case_id, h.on_date, h.new_value FROM case_history h JOIN cases c "
                           "ON c.id = h.case_id WHERE c.region = $1 AND h.event = 'status' ORDER BY h.case_id, h.id",
                           {int64_t{region}}));
  std::map<int64_t, std::vector<std::pair<Date, CaseStatus>>> changes;
  for (const SqlRow& r : hist->rows) {
    changes[r.Int(0)].push_back({DateAt(r, 1), ParseStatus(r.Text(2)).value_or(CaseStatus::kNew)});
  }
  for (Outcome* o : {&ov.after_3, &ov.after_12}) {
    o->months = o == &ov.after_3 ? 3 : 12;
    for (const auto& [id, row] : by_id) {
      const Date at = AddMonths(row.opened, o->months);
      if (at > today) continue;
      ++o->cohort;
      CaseStatus s = CaseStatus::kNew;
      for (const auto& [d, st] : changes[id]) {
        if (d <= at) s = st;
      }
      ++o->by_status[static_cast<size_t>(s)];
    }
  }
  const Date first_month = AddMonths(today, -11);
  const YearMonthDay fm = ToYearMonthDay(first_month);
  const Date from = MakeDate(fm.year, fm.month, 1);
  for (int i = 0; i < 12; ++i) {
    const YearMonthDay m = ToYearMonthDay(AddMonths(from, i));
    ov.contacts_per_month.push_back({fmt::format("{:04d}-{:02d}", m.year, m.month), 0});
  }
  VSV_TRY_SQL(contacts, c.Exec("SELECT k.contact_date FROM contacts k JOIN cases c ON c.id = k.case_id "
                               "WHERE c.region = $1 AND k.contact_date >= $2 AND k.contact_date <= $3",
                               {int64_t{region}, int64_t{from}, int64_t{today}}));
  for (const SqlRow& r : contacts->rows) {
    const YearMonthDay d = ToYearMonthDay(DateAt(r, 0));
    const int idx = (d.year - fm.year) * 12 + (d.month - fm.month);
    if (idx >= 0 && idx < 12) ++ov.contacts_per_month[idx].contacts;
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return ov;
}

StoreResult<RegionRule> SqlCaseStore::GetRegionRule(const Context& ctx, int region) {
  if (!Authorize(ctx.user, Action::kViewAggregates, Resource{region, std::nullopt})) {
    return Deny(ctx, Action::kViewAggregates, "", std::nullopt, region);
  }
  VSV_TRY(lease, pool_.Acquire());
  return LoadRule(**lease, region);
}

StoreResult<RegionRule> SqlCaseStore::SetRegionRule(const Context& ctx, const RegionRule& rule) {
  if (!Authorize(ctx.user, Action::kSetRegionRule, Resource{rule.region, std::nullopt})) {
    return Deny(ctx, Action::kSetRegionRule, "", std::nullopt, rule.region);
  }
  if (rule.oud_vsv_interval_months < 1 || rule.oud_vsv_interval_months > 12 || rule.new_leaver_interval_days < 1 ||
      rule.new_leaver_interval_days > 365) {
    return Fail(Errc::kInvalid, "the oud-vsv interval is 1-12 months, the new-leaver interval 1-365 days");
  }
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(
      u, c.Exec("INSERT INTO region_rules (region, oud_vsv_interval_months, new_leaver_interval_days, "
                "updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (region) DO UPDATE SET "
                "oud_vsv_interval_months = excluded.oud_vsv_interval_months, "
                "new_leaver_interval_days = excluded.new_leaver_interval_days, updated_at = excluded.updated_at",
                {int64_t{rule.region}, int64_t{rule.oud_vsv_interval_months}, int64_t{rule.new_leaver_interval_days},
                 Now()}));
  if (auto r = Audit(c, ctx, "set-region-rule", "", std::nullopt, rule.region,
                     fmt::format("oud-vsv every {} months, new leavers every {} days", rule.oud_vsv_interval_months,
                                 rule.new_leaver_interval_days));
      !r) {
    return FailSql(r.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return rule;
}

StoreResult<PurgeReport> SqlCaseStore::PurgeClosedCases(const Context& ctx, Date today, int years) {
  if (!Authorize(ctx.user, Action::kPurge, Resource{}))
    return Deny(ctx, Action::kPurge, "", std::nullopt, std::nullopt);
  if (years < 1 || years > 100) return Fail(Errc::kInvalid, "the retention period is 1-100 years");
  const Context pctx{ctx.user, ctx.purpose.empty() ? "retention" : ctx.purpose};
  PurgeReport rep;
  rep.cutoff = AddMonths(today, -12 * years);
  VSV_TRY(lease, pool_.Acquire());
  SqlConnection& c = **lease;
  Transaction tx(c);
  if (auto r = tx.BeginWrite(); !r) return FailSql(r.error());
  VSV_TRY_SQL(old, c.Exec("SELECT c.id, c.person_id, c.region, c.closed_on, "
                          "(SELECT COUNT(*) FROM contacts k WHERE k.case_id = c.id) FROM cases c "
                          "WHERE c.closed_on IS NOT NULL AND c.closed_on < $1 ORDER BY c.id",
                          {int64_t{rep.cutoff}}));
  for (const SqlRow& r : old->rows) {
    rep.contacts += r.Int(4);
    if (auto a = Audit(c, pctx, "purge-case", r.Text(1), r.Int(0), static_cast<int>(r.Int(2)),
                       fmt::format("closed {}; {} contacts", FormatDate(DateAt(r, 3)), r.Int(4)));
        !a) {
      return FailSql(a.error());
    }
  }
  VSV_TRY_SQL(del, c.Exec("DELETE FROM cases WHERE closed_on IS NOT NULL AND closed_on < $1", {int64_t{rep.cutoff}}));
  rep.cases = del->affected;
  if (rep.cases != static_cast<int64_t>(old->rows.size())) {
    return Fail(Errc::kStorage, "the set of cases to purge changed during the purge; nothing was deleted");
  }
  if (auto a = Audit(c, pctx, "purge", "", std::nullopt, std::nullopt,
                     fmt::format("closed before {} ({} years): {} cases, {} contacts deleted", FormatDate(rep.cutoff),
                                 years, rep.cases, rep.contacts));
      !a) {
    return FailSql(a.error());
  }
  if (auto r = tx.Commit(); !r) return FailSql(r.error());
  return rep;
}

}  // namespace vsv::followup
