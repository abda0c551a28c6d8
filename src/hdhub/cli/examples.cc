// One example per command, shown at the end of its help (--help, hdhub help
// CMD). Kept in one table so that a new command's missing example is seen
// here, and tested: every command that runs has one.
#include <map>
#include <string>

#include "hdhub/cli/commands.h"

namespace hdhub::cli {
namespace {

// clang-format off
const std::map<std::string, std::string>& Examples() {
  static const std::map<std::string, std::string> examples = {
    {"init", "HDHUB_PASSPHRASE='harbour violet engine 42' HDHUB_PASSWORD='…' hdhub init --operator opal\n"
             "  hdhub init --operator opal --host file:///mnt/provider/hub --host-file provider.json   # docs/hosts.md"},
    {"ingest", "hdhub ingest --dataset ER_PRS_F --schema ../shared/snds/schemas/ER_PRS_F.json ER_PRS_F.p1.csv\n"
               "  hdhub ingest --opt-out OPTOUT.p1.csv\n"
               "  hdhub ingest --reference --delimiter ';' --dataset IR_PHA_R --schema extract/IR_PHA_R.json "
               "extract/IR_PHA_R.csv"},
    {"query", "hdhub query \"SELECT year(EXE_SOI_DTD) AS y, count(*) FROM ER_PRS_F GROUP BY 1\"\n"
              "  HDHUB_TOKEN=$RITA hdhub query --project diab \"SELECT count(*) FROM IR_BEN_R\"\n"
              "  HDHUB_TOKEN=$RITA hdhub query --project diab --file cohort.sql   # each statement's result in turn\n"
              "  echo 'SELECT 1 AS a; SELECT 2 AS b' | hdhub --json query -      # one JSON document per statement"},
    {"catalog list", "hdhub catalog list --all"},
    {"catalog show", "hdhub catalog show ER_PRS_F --version 2"},
    {"catalog withdraw", "hdhub catalog withdraw ER_PRS_F --version 3 --reason 'March extract ingested twice'"},
    {"catalog remove", "hdhub catalog remove ER_PRS_FF --reason 'typo for ER_PRS_F'"},
    {"check", "hdhub check --dry-run   # then: hdhub check"},
    {"host add", "hdhub host add outscale --uri s3://oos.eu-west-2.outscale.com/hub --jurisdiction FR\n"
                 "    --operator '3DS Outscale' --owner-jurisdiction FR\n"
                 "    --qualification SecNumCloud,SNC-2023-01,2023-12-01,2026-11-30,https://cyber.gouv.fr/…\n"
                 "    --qualification HDS,HDS-0042,2024-03-01,2027-02-28,sha256:9f2c…"},
    {"host change", "hdhub host change local --uri file:host --local   # everything given replaces what was declared"},
    {"host list", "hdhub --json host list"},
    {"host show", "hdhub host show outscale   # the evidence: each criterion met or not, and why"},
    {"host check", "hdhub host check outscale   # exit 3 and the failed criteria when the policy refuses it"},
    {"host policy show", "hdhub host policy show"},
    {"host migrate", "hdhub host migrate --to outscale --plan   # then --copy-only while serving, then without it"},
    {"restore", "hdhub --hub /srv/hdhub restore --host s3://hub-bucket/hub?endpoint=https://… --keys keyfile:/escrow/hub.key\n"
                "  hdhub restore --verify-only --host … --keys …   # a recovery drill: nothing written, nothing published"},
    {"host purge", "hdhub host purge   # after a migration: verify the new host, empty the old one, ask for a KEK rotation"},
    {"host policy set", "echo '{\"allow_local\": false}' > strict.json\n"
                        "  hdhub host policy set --file strict.json   # then a second operator runs the same"},
    {"user add", "HDHUB_USER_PASSWORD='…' hdhub user add rita --role researcher"},
    {"user list", "hdhub --json user list"},
    {"user passwd", "HDHUB_USER_PASSWORD='…' hdhub user passwd rita"},
    {"user disable", "hdhub user disable rita"},
    {"user enable", "hdhub user enable rita"},
    {"user grant", "hdhub user grant rita --role checker\n"
                   "  hdhub user grant otto --role operator   # then a second operator runs the same"},
    {"user revoke", "hdhub user revoke rita --role checker"},
    {"user link-oidc", "hdhub user link-oidc rita --issuer https://auth.example.org/ --subject 5f1c2a   # docs/serve.md"},
    {"user unlink-oidc", "hdhub user unlink-oidc rita --issuer https://auth.example.org/"},
    {"user list-oidc", "hdhub --json user list-oidc rita"},
    {"token issue", "RITA=$(hdhub token issue rita --ttl 30d --label laptop)"},
    {"token list", "hdhub token list rita"},
    {"token revoke", "hdhub token revoke 0123456789abcdef"},
    {"whoami", "HDHUB_TOKEN=$RITA hdhub whoami"},
    {"passphrase change", "HDHUB_NEW_PASSPHRASE='lantern quarry velvet 17' hdhub passphrase change"},
    {"nir check", "hdhub nir check 185057800608491   # exit 1 when one is invalid"},
    {"keys contribution", "hdhub keys contribution --out cnam.contribution   # at each custodian; then:\n"
                          "  hdhub init --operator opal --stage2-contribution cnam.contribution "
                          "--stage2-contribution hdh.contribution"},
    {"keys custodians", "hdhub keys custodians --contribution new-a.contribution --contribution new-b.contribution\n"
                        "  HDHUB_USER=olga hdhub keys custodians --contribution new-a.contribution "
                        "--contribution new-b.contribution --escrow-out escrow.record   # a second operator"},
    {"keys rotate", "hdhub keys rotate                          # opal asks; hdhub serve stopped\n"
                    "  HDHUB_USER=olga hdhub keys rotate        # a second operator rotates"},
    {"source-key init", "HDHUB_SOURCE_PASSPHRASE='…' hdhub source-key init --key source.key"},
    {"pseudonymize", "hdhub pseudonymize --key source.key --schema ER_PRS_F.json --out ER_PRS_F.p1.csv ER_PRS_F.csv"},
    {"project create", "hdhub project create --id diab --authorisation CNIL-DR-2026-042 --purpose 'Antidiabetics'\n"
                       "    --scope scope.json --start 2026-01-01 --end 2027-01-01 --member rita"},
    {"project approve", "HDHUB_TOKEN=$OLGA hdhub project approve diab"},
    {"project change", "hdhub project change diab --scope scope-v2.json --member rita --member rob"},
    {"project close", "hdhub project close diab"},
    {"project show", "hdhub project show diab"},
    {"project list", "HDHUB_TOKEN=$RITA hdhub project list"},
    {"project build", "hdhub project build diab"},
    {"project sweep", "hdhub project sweep"},
    {"audit verify", "hdhub audit verify   # the hub's log, as an auditor or operator\n"
                     "  hdhub audit verify --log-dir copy/state/audit --log-key \"$(cat hub.vkey)\"   # a copy, offline"},
    {"audit prove", "hdhub audit prove --index 42"},
    {"audit consistency", "hdhub audit consistency --size1 100 --size2 250 > proof.txt"},
    {"airlock verify", "hdhub airlock verify p-2026-01-e7.hdhub-cert grid.csv readme.txt --log-key \"$(cat hub-log.vkey)\"\n"
                       "  hdhub --json airlock verify p-2026-01-e7.hdhub-cert grid.csv --log-key \"$KEY\" --history earlier/"},
    {"airlock request", "HDHUB_TOKEN=$RITA hdhub airlock request diab --title 'Sex ratio'   # prints diab-e1\n"
                        "  HDHUB_TOKEN=$RITA hdhub airlock request diab-e1 --frame people.json\n"
                        "  HDHUB_TOKEN=$RITA hdhub airlock request diab-e1 --output by-sex.json\n"
                        "  HDHUB_TOKEN=$RITA hdhub airlock request diab-e1 --submit"},
    {"airlock list", "HDHUB_TOKEN=$CARL hdhub airlock list --state submitted"},
    {"airlock show", "HDHUB_TOKEN=$CARL hdhub airlock show diab-e1 --evidence"},
    {"airlock review", "HDHUB_TOKEN=$CARL hdhub airlock review diab-e1 --revision 3 --decide by-sex=approve\n"
                       "  HDHUB_TOKEN=$CARL hdhub airlock review diab-e1 --revision 3 --return 'the age bands overlap'"},
    {"airlock release", "HDHUB_TOKEN=$RITA hdhub airlock release diab-e1 --out released/\n"
                        "  # released/diab-e1.by-sex.csv and released/diab-e1.hdhub-cert"},
    {"airlock download", "HDHUB_TOKEN=$RITA hdhub airlock download diab-e1 --out copy/"},
    {"airlock register", "HDHUB_TOKEN=$ALMA hdhub airlock register --project diab\n"
                         "  hdhub --json airlock register"},
    {"airlock rules", "hdhub airlock rules   # in force, and any proposal\n"
                      "  hdhub airlock rules --propose rules.json; HDHUB_TOKEN=$OLGA hdhub airlock rules --confirm rules.json"},
    {"audit check-inclusion", "hdhub audit check-inclusion --index 42 --size 250 --leaf-hash $LEAF --root $ROOT --proof $PROOF"},
    {"audit check-consistency", "hdhub audit check-consistency --size1 100 --size2 250 --root1 $R1 --root2 $R2 --proof $PROOF"},
    {"audit show", "hdhub audit show --project diab --action query. --since 2026-12-01"},
    {"audit checkpoint", "hdhub audit checkpoint > cp.txt"},
    {"audit log-key", "hdhub audit log-key > hub.vkey"},
    {"audit witness", "hdhub audit witness --state w1 --log-key \"$(cat hub.vkey)\" --checkpoint cp.txt --proof proof.txt"},
    {"audit keygen", "hdhub audit keygen --state w1 --name witness.example/w1"},
    {"audit recover-checkpoint", "HDHUB_USER=opal hdhub audit recover-checkpoint; HDHUB_USER=otto hdhub audit recover-checkpoint"},
    {"synth", "hdhub synth --people 100000 --years 2019-2023 --out extract/"},
    {"serve", "hdhub --config /etc/hdhub/hdhub.toml serve   # psql \"host=hub.example dbname=diab user=rita sslmode=verify-full\""},
    {"help", "hdhub help project create"},
  };
  return examples;
}
// clang-format on

void Attach(CLI::App& app, const std::string& path) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    const std::string name = path.empty() ? sub->get_name() : path + " " + sub->get_name();
    auto it = Examples().find(name);
    if (it != Examples().end()) sub->footer("Example:\n  " + it->second);
    Attach(*sub, name);
  }
}

}  // namespace

void AddExamples(CLI::App& app) { Attach(app, ""); }

}  // namespace hdhub::cli
