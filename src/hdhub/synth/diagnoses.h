// ICD-10 codes (all in the IR_CIM_V nomenclature, as the tests check) for
// hospital stays and causes of death, weighted by age band and restricted
// by sex where medicine is.
//
// Constant tables; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hdhub::synth {

// <1, 1-17, 18-39, 40-59, 60-74, 75+.
inline constexpr int kAgeBands = 6;
int AgeBand(int age);

using BandWeights = std::array<uint8_t, kAgeBands>;

// Why someone is in hospital: the principal diagnosis (DGN_PAL), the root of
// its DRG (GRG_GHM without the severity: CMD, type, number) and its length.
struct StayReason {
  std::string_view diagnosis;
  std::string_view drg_root;
  int sex;  // 0 any, 1 men, 2 women
  BandWeights weight;
  int mean_days;       // mean length of the stays with a night
  int same_day_share;  // percent of stays without a night
  std::string_view main_act;  // CCAM code (IR_CCAM_V63) of the stay's main act, or empty
};

struct WeightedCode {
  std::string_view code;
  int sex;
  BandWeights weight;
};

inline constexpr int kStayReasonCount = 23;
inline constexpr int kAssociatedCount = 10;
inline constexpr int kDeathCauseCount = 28;
extern const std::array<StayReason, kStayReasonCount> kStayReasons;
extern const std::array<WeightedCode, kAssociatedCount> kAssociatedDiagnoses;
extern const std::array<WeightedCode, kDeathCauseCount> kDeathCauses;

// Stays and codes the life model places itself.
inline constexpr StayReason kNewbornStay = {"Z380", "15M05", 0, {}, 3, 0, ""};
inline constexpr StayReason kDeliveryStay = {"O800", "14Z14", 2, {}, 3, 0, "JQGD010"};
inline constexpr StayReason kInfarctionStay = {"I214", "05K06", 0, {}, 6, 0, "DDAF008"};
inline constexpr StayReason kDiabetesStay = {"E116", "10M02", 0, {}, 5, 20, "EQQM006"};

// Everyday acts added to stays (ECG, chest X-ray, abdominal and head CT,
// cardiac ultrasound), all in IR_CCAM_V63.
inline constexpr std::array<std::string_view, 5> kCommonActs = {"DEQP003", "ZBQK002", "ZCQH001", "ACQK001",
                                                                "DZQM006"};
inline constexpr std::string_view kDiabetesAssociated = "E119";
inline constexpr std::string_view kOldInfarctionAssociated = "I252";
inline constexpr std::string_view kDiabetesDeathCause = "E149";
inline constexpr std::string_view kCoronaryDeathCause = "I219";

}  // namespace hdhub::synth
