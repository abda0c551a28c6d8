#include "hdhub/synth/manifest.h"

#include <nlohmann/json.hpp>

#include "hdhub/synth/diagnoses.h"
#include "hdhub/synth/drug_reference.h"
#include "hdhub/synth/drugs.h"
#include "hdhub/synth/extract_files.h"

namespace hdhub::synth {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kFormatVersion = 1;
constexpr int kIndent = 2;

std::string_view ConditionId(Condition c) {
  switch (c) {
    case Condition::kDiabetes: return "type2_diabetes";
    case Condition::kCoronary: return "coronary_heart_disease";
    case Condition::kNone: break;
  }
  return "";
}

Json Drugs() {
  Json drugs = Json::array();
  for (const Drug& d : kDrugs) {
    drugs.push_back({{"PHA_PRS_C13", std::to_string(Cip13(d.cip7))},
                     {"PHA_PRS_IDE", std::to_string(d.cip7)},
                     {"name", d.name},
                     {"atc", d.atc},
                     {"class", d.drug_class},
                     {"list_rate", d.rate},
                     {"condition", d.condition == Condition::kNone ? Json(nullptr) : Json(ConditionId(d.condition))}});
  }
  return drugs;
}

Json ConditionJson(Condition c, const ManifestParameters& p, const ExtractStats& stats) {
  bool diabetes = c == Condition::kDiabetes;
  Json codes = Json::array();
  for (const Drug& d : kDrugs) {
    if (d.condition == c) codes.push_back(std::to_string(Cip13(d.cip7)));
  }
  Json per_year = Json::object();
  for (int y = p.years.first; y <= p.years.last; ++y) {
    const YearStats& ys = stats.years[static_cast<size_t>(y - p.years.first)];
    const ConditionYear& cy = ys.conditions[static_cast<size_t>(c)];
    Json year = {{"prevalent", cy.prevalent}, {"treated", cy.treated},
                 {"treated_not_opted_out", cy.treated_not_opted_out}};
    if (!diabetes) year["infarction_stays"] = ys.infarction_stays;
    per_year[std::to_string(y)] = year;
  }
  Json out = {{"id", ConditionId(c)},
              {"label", diabetes ? "type 2 diabetes" : "coronary heart disease after a myocardial infarction"},
              {"drug_codes", codes}};
  if (diabetes) {
    out["icd10"] = {{"stay_principal", kDiabetesStay.diagnosis}, {"stay_associated", kDiabetesAssociated},
                    {"death_cause", kDiabetesDeathCause}};
  } else {
    out["icd10"] = {{"infarction_stay_principal", kInfarctionStay.diagnosis},
                    {"stay_associated", kOldInfarctionAssociated}, {"death_cause", kCoronaryDeathCause}};
  }
  out["per_year"] = per_year;
  return out;
}

Json Population(const ManifestParameters& p, const ExtractStats& stats) {
  Json per_year = Json::object();
  for (int y = p.years.first; y <= p.years.last; ++y) {
    const YearStats& ys = stats.years[static_cast<size_t>(y - p.years.first)];
    per_year[std::to_string(y)] = {{"alive", ys.alive},
                                   {"person_years", static_cast<double>(ys.person_days) / kDaysPerYear},
                                   {"births", ys.births},
                                   {"deaths", ys.deaths}};
  }
  return per_year;
}

}  // namespace

std::string BuildManifest(const ManifestParameters& p, const ExtractStats& stats) {
  Json files = Json::object();
  for (int i = 0; i < kOutputFiles; ++i) {
    auto f = static_cast<OutputFile>(i);
    files[std::string(kTableNames[static_cast<size_t>(i)])] = {{"file", ExtractFiles::FileName(f)},
                                                                {"rows", stats.rows[static_cast<size_t>(i)]}};
  }
  const std::string reference(kDrugReferenceTable);
  files[reference] = {{"file", reference + ".csv"},
                      {"rows", kDrugCount},
                      {"schema", reference + ".json"},
                      {"reference", true},
                      {"delimiter", ";"}};
  Json manifest = {
      {"format", "hdhub source extract"},
      {"format_version", kFormatVersion},
      {"generator", "hdhub synth"},
      {"seed", p.seed},
      {"people", p.people},
      {"years", {{"first", p.years.first}, {"last", p.years.last}}},
      {"opt_out_rate", p.opt_out_rate},
      {"opt_out_people", stats.opted_out},
      {"files", files},
      {"total_rows", stats.TotalRows()},
      {"population", Population(p, stats)},
      {"conditions", Json::array({ConditionJson(Condition::kDiabetes, p, stats), ConditionJson(Condition::kCoronary, p, stats)})},
      {"drugs", Drugs()},
  };
  return manifest.dump(kIndent) + "\n";
}

}  // namespace hdhub::synth
