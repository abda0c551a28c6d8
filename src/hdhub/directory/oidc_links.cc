// Directory: OpenID Connect identities linked to accounts (single sign-on).
// An identity (issuer, subject) links to exactly one account; an account has
// at most one identity per issuer (table oidc_identity,
// docs/formats/directory.md). Events name the account and the issuer, never
// the subject, which identifies a person at the provider.
#include <algorithm>

#include "hdhub/directory/directory.h"
#include "hdhub/directory/sql_util.h"
#include "hdhub/directory/user_name.h"
#include "hdhub/directory/user_table.h"

namespace hdhub::directory {

using catalog::Transaction;
using internal::CheckUserName;
using internal::Execute;
using internal::Prepare;
using internal::UserEvent;

namespace {

constexpr size_t kMaxLoggedIssuer = 128;  // audit identifiers' length

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Status CheckIssuer(std::string_view issuer) {
  const bool scheme = issuer.starts_with("https://") || issuer.starts_with("http://");
  if (!scheme || issuer.size() > kMaxOidcIssuerSize || !IsPrintableAscii(issuer)) {
    return InvalidArgumentError("directory: an OIDC issuer is an https:// URL of at most " +
                                std::to_string(kMaxOidcIssuerSize) + " printable characters");
  }
  return OkStatus();
}

Status CheckSubject(std::string_view subject) {
  if (subject.empty() || subject.size() > kMaxOidcSubjectSize || !IsPrintableAscii(subject)) {
    return InvalidArgumentError("directory: an OIDC subject is 1 to 255 printable ASCII characters without spaces");
  }
  return OkStatus();
}

// The event of a link change: the account, and the issuer when the log can carry it.
audit::Event LinkEvent(std::string_view action, std::string_view user, std::string_view issuer) {
  audit::Event event = UserEvent(action, user);
  const bool loggable =
      issuer.size() <= kMaxLoggedIssuer && CheckIssuer(issuer).ok() &&
      issuer.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@/-") ==
          std::string_view::npos;
  if (loggable) event.details["issuer"] = std::string(issuer);
  return event;
}

StatusOr<std::optional<std::string>> LinkedUser(catalog::Database& db, std::string_view issuer,
                                                std::string_view subject) {
  ASSIGN_OR_RETURN(
      catalog::Statement s,
      Prepare(db, "SELECT user_name FROM oidc_identity WHERE issuer = ?1 AND subject = ?2", issuer, subject));
  ASSIGN_OR_RETURN(bool found, s.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(s.ColumnText(0));
}

StatusOr<bool> HasLinkTo(catalog::Database& db, std::string_view user, std::string_view issuer) {
  ASSIGN_OR_RETURN(catalog::Statement s,
                   Prepare(db, "SELECT 1 FROM oidc_identity WHERE user_name = ?1 AND issuer = ?2", user, issuer));
  return s.Step();
}

}  // namespace

Status Directory::LinkOidc(const audit::Actor& actor, std::string_view user, std::string_view issuer,
                           std::string_view subject) {
  audit::Event event = LinkEvent("user.oidc_link", user, issuer);
  return Audited(actor, Operation::kOidcLink, std::move(event), [&](audit::Event&) -> Status {
    RETURN_IF_ERROR(CheckUserName(user));
    RETURN_IF_ERROR(CheckIssuer(issuer));
    RETURN_IF_ERROR(CheckSubject(subject));
    ASSIGN_OR_RETURN(internal::UserRow row, internal::RequireUser(*db_, user));
    if (row.record.state != UserState::kActive) {
      return FailedPreconditionError("directory: user " + std::string(user) + " is disabled; enable it first");
    }
    ASSIGN_OR_RETURN(std::optional<std::string> linked, LinkedUser(*db_, issuer, subject));
    if (linked) return AlreadyExistsError("directory: this identity is already linked to an account");
    ASSIGN_OR_RETURN(bool has_link, HasLinkTo(*db_, user, issuer));
    if (has_link) {
      return AlreadyExistsError("directory: user " + std::string(user) +
                                " already has an identity of this issuer; unlink it first");
    }
    return Execute(*db_,
                   "INSERT INTO oidc_identity (issuer, subject, user_name, linked_at_us, linked_by) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
                   issuer, subject, user, ToMicros(clock_->Now()), std::string_view(actor.id));
  });
}

Status Directory::UnlinkOidc(const audit::Actor& actor, std::string_view user, std::string_view issuer) {
  audit::Event event = LinkEvent("user.oidc_unlink", user, issuer);
  return Audited(actor, Operation::kOidcUnlink, std::move(event), [&](audit::Event&) -> Status {
    RETURN_IF_ERROR(CheckUserName(user));
    RETURN_IF_ERROR(CheckIssuer(issuer));
    RETURN_IF_ERROR(internal::RequireUser(*db_, user).status());
    ASSIGN_OR_RETURN(bool has_link, HasLinkTo(*db_, user, issuer));
    if (!has_link) return NotFoundError("directory: user " + std::string(user) + " has no identity of this issuer");
    return Execute(*db_, "DELETE FROM oidc_identity WHERE user_name = ?1 AND issuer = ?2", user, issuer);
  });
}

StatusOr<std::vector<OidcLink>> Directory::ListOidcLinks(const audit::Actor& actor,
                                                         const std::optional<std::string>& user) {
  std::vector<OidcLink> links;
  audit::Event event = UserEvent("user.list", user.value_or(""));
  event.details["oidc"] = true;
  const std::string only = user.value_or("");
  RETURN_IF_ERROR(Audited(actor, Operation::kUserList, std::move(event), [&](audit::Event& e) -> Status {
    if (user) {
      RETURN_IF_ERROR(CheckUserName(*user));
      RETURN_IF_ERROR(internal::RequireUser(*db_, *user).status());
    }
    ASSIGN_OR_RETURN(catalog::Statement s,
                     Prepare(*db_,
                             "SELECT issuer, subject, user_name, linked_at_us, linked_by FROM oidc_identity "
                             "WHERE ?1 = '' OR user_name = ?1 ORDER BY user_name, issuer",
                             std::string_view(only)));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      links.push_back(
          {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), FromMicros(s.ColumnInt64(3)), s.ColumnText(4)});
    }
    e.details["count"] = links.size();
    return OkStatus();
  }));
  return links;
}

StatusOr<std::optional<Directory::OidcAccountMatch>> Directory::OidcAccount(std::string_view issuer,
                                                                            std::string_view subject) {
  if (!CheckIssuer(issuer).ok() || !CheckSubject(subject).ok()) return std::optional<OidcAccountMatch>();
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  ASSIGN_OR_RETURN(std::optional<std::string> user, LinkedUser(*db_, issuer, subject));
  if (!user) return std::optional<OidcAccountMatch>();
  ASSIGN_OR_RETURN(internal::UserRow row, internal::RequireUser(*db_, *user));
  OidcAccountMatch match{.active = row.record.state == UserState::kActive};
  ASSIGN_OR_RETURN(match.principal, LoadPrincipal(*user));
  return std::optional<OidcAccountMatch>(std::move(match));
}

}  // namespace hdhub::directory
