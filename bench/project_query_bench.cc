// Project query benchmark, hdhub side: cohort queries run in-process through
// a researcher's ProjectSession (the sandboxed DuckDB over the project's
// sealed workspace, every query audited), as `hdhub query --project` runs
// them but without the command's start-up, which is timed apart.
//
//   hdhub_project_query_bench --hub DIR --project ID [--reps R] [--out DIR]
//                             NAME=FILE.sql ...
//   environment: HDHUB_PASSPHRASE (the hub's), HDHUB_TOKEN (a researcher member's)
//
// Prints key=value lines for bench/projects_bench.sh:
//   startup hub_open=<s> authenticate=<s> session_open=<s>
//   query name=<NAME> rows=<n> median=<s> min=<s> max=<s> reps=<R>
// Each query runs once untimed (its answer is written to DIR/NAME.tsv, tab
// separated, header first), then R times; the median is the figure.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/hub/hub.h"
#include "hdhub/keys/passphrase.h"
#include "hdhub/projects/session.h"

namespace {

using hdhub::Status;
using hdhub::StatusOr;
using Steady = std::chrono::steady_clock;

struct NamedQuery {
  std::string name;
  std::string sql;
};

struct Options {
  std::string hub;
  std::string project;
  std::string out = ".";
  int reps = 5;
  std::vector<NamedQuery> queries;
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "hdhub_project_query_bench: %s\n", what.c_str());
  std::exit(3);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Fail(what + ": " + s.ToString());
}

template <typename T>
T Must(StatusOr<T> v, const std::string& what) {
  Check(v.status(), what);
  return std::move(v).value();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--hub" && has_value) o.hub = argv[++i];
    else if (a == "--project" && has_value) o.project = argv[++i];
    else if (a == "--reps" && has_value) o.reps = std::atoi(argv[++i]);
    else if (a == "--out" && has_value) o.out = argv[++i];
    else if (size_t eq = a.find('='); eq != std::string::npos && a[0] != '-') {
      o.queries.push_back({a.substr(0, eq), ReadFile(a.substr(eq + 1))});
    } else {
      std::fprintf(stderr,
                   "usage: hdhub_project_query_bench --hub DIR --project ID [--reps R] [--out DIR] "
                   "NAME=FILE.sql ...\n");
      std::exit(2);
    }
  }
  if (o.hub.empty() || o.project.empty() || o.queries.empty() || o.reps < 1) {
    Fail("--hub, --project, at least one NAME=FILE.sql and --reps >= 1 are required");
  }
  return o;
}

double Since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void WriteTsv(const hdhub::sql::QueryResult& r, const std::string& path) {
  std::ofstream out(path);
  for (size_t i = 0; i < r.column_names.size(); ++i) out << (i ? "\t" : "") << r.column_names[i];
  out << "\n";
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < row.size(); ++i) out << (i ? "\t" : "") << row[i].value_or("");
    out << "\n";
  }
  if (!out) Fail("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  const char* token = std::getenv("HDHUB_TOKEN");
  if (token == nullptr || *token == '\0') Fail("HDHUB_TOKEN (a researcher's API token) is not set");
  hdhub::SecretBytes passphrase = Must(hdhub::keys::ReadPassphrase("HDHUB_PASSPHRASE", "hub passphrase: "), "passphrase");
  hdhub::SystemClock clock;

  auto t0 = Steady::now();
  std::unique_ptr<hdhub::hub::Hub> hub =
      Must(hdhub::hub::Hub::Open(hdhub::hub::BuiltinBackends(), o.hub, passphrase, &clock), "open hub");
  double hub_open = Since(t0);
  t0 = Steady::now();
  hdhub::directory::Principal who =
      Must(hub->directory().AuthenticateToken(hdhub::SecretBytes(hdhub::AsBytes(token))), "authenticate token");
  std::unique_ptr<hdhub::keys::KeyStore> keys = hub->KeysFor(who.AsActor(hdhub::directory::Role::kResearcher));
  double authenticate = Since(t0);
  t0 = Steady::now();
  hdhub::projects::SessionDeps deps = Must(hub->SessionDependencies(keys.get()), "session dependencies");
  std::unique_ptr<hdhub::projects::ProjectSession> session =
      Must(hdhub::projects::ProjectSession::Open(deps, who, o.project), "open project session");
  double session_open = Since(t0);
  std::printf("startup hub_open=%.3f authenticate=%.3f session_open=%.3f\n", hub_open, authenticate, session_open);
  std::fflush(stdout);

  for (const NamedQuery& q : o.queries) {
    hdhub::sql::QueryResult answer = Must(session->Query(q.sql), "query " + q.name);
    WriteTsv(answer, o.out + "/" + q.name + ".tsv");
    std::vector<double> times;
    for (int r = 0; r < o.reps; ++r) {
      t0 = Steady::now();
      Check(session->Query(q.sql).status(), "query " + q.name);
      times.push_back(Since(t0));
    }
    std::printf("query name=%s rows=%zu median=%.4f min=%.4f max=%.4f reps=%d\n", q.name.c_str(), answer.rows.size(),
                Median(times), *std::min_element(times.begin(), times.end()),
                *std::max_element(times.begin(), times.end()), o.reps);
    std::fflush(stdout);
  }
  return 0;
}
