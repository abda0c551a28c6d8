#include "hdhub/synth/drug_reference.h"

#include <array>
#include <nlohmann/json.hpp>

#include "hdhub/synth/drugs.h"

namespace hdhub::synth {
namespace {

constexpr char kSeparator = ';';
constexpr int kIndent = 2;

// The substances of kDrugs (WHO ATC index; French labels as in IR_PHA_R).
constexpr std::array<AtcClass, 22> kClasses = {{
    {"A02BC01", "OMEPRAZOLE"},
    {"A03AA05", "TRIMEBUTINE"},
    {"A10AE04", "INSULINE GLARGINE"},
    {"A10BA02", "METFORMINE"},
    {"A10BB09", "GLICLAZIDE"},
    {"A10BH01", "SITAGLIPTINE"},
    {"A11CC05", "COLECALCIFEROL"},
    {"B01AC04", "CLOPIDOGREL"},
    {"B01AC06", "ACIDE ACETYLSALICYLIQUE"},
    {"C07AB07", "BISOPROLOL"},
    {"C08CA01", "AMLODIPINE"},
    {"C09AA05", "RAMIPRIL"},
    {"C10AA05", "ATORVASTATINE"},
    {"G03AA07", "LEVONORGESTREL ET ETHINYLESTRADIOL"},
    {"H03AA01", "LEVOTHYROXINE SODIQUE"},
    {"J01CA04", "AMOXICILLINE"},
    {"M01AE01", "IBUPROFENE"},
    {"N02BE01", "PARACETAMOL"},
    {"N05BA12", "ALPRAZOLAM"},
    {"N06AB10", "ESCITALOPRAM"},
    {"R03AC02", "SALBUTAMOL"},
    {"R06AE07", "CETIRIZINE"},
}};

// Their therapeutic subgroups (ATC level 2).
constexpr std::array<AtcGroup, 18> kGroups = {{
    {"A02", "MEDICAMENTS POUR LES TROUBLES DE L'ACIDITE"},
    {"A03", "MEDICAMENTS POUR LES TROUBLES FONCTIONNELS GASTRO-INTESTINAUX"},
    {"A10", "MEDICAMENTS DU DIABETE"},
    {"A11", "VITAMINES"},
    {"B01", "ANTITHROMBOTIQUES"},
    {"C07", "BETABLOQUANTS"},
    {"C08", "INHIBITEURS CALCIQUES"},
    {"C09", "MEDICAMENTS AGISSANT SUR LE SYSTEME RENINE-ANGIOTENSINE"},
    {"C10", "HYPOLIPIDEMIANTS"},
    {"G03", "HORMONES SEXUELLES ET MODULATEURS DE LA FONCTION GENITALE"},
    {"H03", "MEDICAMENTS DE LA THYROIDE"},
    {"J01", "ANTIBACTERIENS A USAGE SYSTEMIQUE"},
    {"M01", "ANTIINFLAMMATOIRES ET ANTIRHUMATISMAUX"},
    {"N02", "ANALGESIQUES"},
    {"N05", "PSYCHOLEPTIQUES"},
    {"N06", "PSYCHOANALEPTIQUES"},
    {"R03", "MEDICAMENTS POUR LES SYNDROMES OBSTRUCTIFS DES VOIES AERIENNES"},
    {"R06", "ANTIHISTAMINIQUES A USAGE SYSTEMIQUE"},
}};

constexpr std::string_view kAtcLevel5Pattern = "[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}";
constexpr std::string_view kAtcLevel2Pattern = "[A-Z][0-9]{2}";

struct Column {
  std::string_view name, type, title, description, pattern;
};

constexpr std::array<Column, 7> kColumns = {{
    {"PHA_CIP_C13", "integer", "CIP13 code", "Code CIP du médicament (13 caractères)", ""},
    {"PHA_PRS_IDE", "integer", "CIP7 code", "Code CIP du médicament (ancien code sur 7 caractères)", ""},
    {"PHA_MED_NOM", "string", "Drug name", "Nom du médicament : spécialité, dosage, forme et conditionnement", ""},
    {"PHA_ATC_C07", "string", "ATC class (level 5)",
     "Code de la classe ATC de niveau 5 (substance chimique, 7 caractères)", kAtcLevel5Pattern},
    {"PHA_ATC_L07", "string", "ATC class label (level 5)", "Libellé de la classe ATC de niveau 5", ""},
    {"PHA_ATC_C03", "string", "ATC subgroup (level 2)",
     "Code de la classe ATC de niveau 2 (sous-groupe thérapeutique, 3 caractères)", kAtcLevel2Pattern},
    {"PHA_ATC_L03", "string", "ATC subgroup label (level 2)", "Libellé de la classe ATC de niveau 2", ""},
}};

// A CSV cell, quoted when it holds the separator or a quote.
std::string Cell(std::string_view value) {
  if (value.find_first_of(";\"\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::optional<AtcClass> FindAtcClass(std::string_view code) {
  for (const AtcClass& c : kClasses) {
    if (c.code == code) return c;
  }
  return std::nullopt;
}

std::optional<AtcGroup> FindAtcGroup(std::string_view code) {
  for (const AtcGroup& g : kGroups) {
    if (g.code == code.substr(0, g.code.size())) return g;
  }
  return std::nullopt;
}

std::string DrugReferenceCsv() {
  std::string out;
  for (const Column& c : kColumns) out += (out.empty() ? "" : std::string(1, kSeparator)) + std::string(c.name);
  out += "\n";
  for (const Drug& d : kDrugs) {
    // kDrugs and the tables above are checked against each other by the tests.
    const AtcClass atc = FindAtcClass(d.atc).value_or(AtcClass{d.atc, ""});
    const AtcGroup group = FindAtcGroup(d.atc).value_or(AtcGroup{d.atc.substr(0, 3), ""});
    for (const std::string& cell : {std::to_string(Cip13(d.cip7)), std::to_string(d.cip7), Cell(d.name), Cell(atc.code),
                                    Cell(atc.label), Cell(group.code), Cell(group.label)}) {
      out += cell + kSeparator;
    }
    out.back() = '\n';
  }
  return out;
}

std::string DrugReferenceSchemaJson() {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const Column& c : kColumns) {
    nlohmann::ordered_json f = {
        {"name", c.name}, {"title", c.title}, {"description", c.description}, {"type", c.type}, {"format", "default"}};
    nlohmann::ordered_json constraints = {{"required", true}};
    if (!c.pattern.empty()) constraints["pattern"] = c.pattern;
    f["constraints"] = constraints;
    fields.push_back(f);
  }
  nlohmann::ordered_json schema = {
      {"name", kDrugReferenceTable},
      {"title", "Référentiel des médicaments (synthétique)"},
      {"description",
       "The drugs a synthetic extract dispenses (hdhub synth): seven columns of the SNDS's IR_PHA_R, one row per CIP13 "
       "code, each with its one ATC class."},
      {"fields", fields},
      {"missingValues", {""}},
      {"primaryKey", {"PHA_CIP_C13"}},
  };
  return schema.dump(kIndent) + "\n";
}

}  // namespace hdhub::synth
