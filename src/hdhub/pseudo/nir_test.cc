#include "hdhub/pseudo/nir.h"

#include <gtest/gtest.h>

namespace hdhub::pseudo {
namespace {

TEST(NirTest, KnownValidNirPasses) { EXPECT_EQ(CheckNir("255081416802538"), NirError::kOk); }

TEST(NirTest, WrongKeyIsRefused) {
  EXPECT_EQ(CheckNir("255081416802539"), NirError::kKey);
  EXPECT_EQ(CheckNir("255081416802500"), NirError::kKey);
}

TEST(NirTest, CorsicanDepartmentsUseNineteenAndEighteen) {
  // Keys computed independently: 97 - (1850719001123 mod 97) = 81, and 18… = 11.
  EXPECT_EQ(NirCheckKey("18507"
                        "2A"
                        "001123"),
            81);
  EXPECT_EQ(NirCheckKey("18507"
                        "2B"
                        "001123"),
            11);
  EXPECT_EQ(CheckNir("185072A00112381"), NirError::kOk);
  EXPECT_EQ(CheckNir("185072B00112311"), NirError::kOk);
  EXPECT_EQ(CheckNir("185072B00112381"), NirError::kKey);
  EXPECT_EQ(CheckNir("185072a00112381"), NirError::kCharacter);
}

TEST(NirTest, CompleteNirAppendsAValidKey) {
  EXPECT_EQ(CompleteNir("2550814168025"), "255081416802538");
  EXPECT_EQ(CheckNir(CompleteNir("1991297105042")), NirError::kOk);  // overseas 971, commune 05
  EXPECT_EQ(CheckNir(CompleteNir("2800199352001")), NirError::kOk);  // born abroad (99), country 352
}

TEST(NirTest, StructuralErrorsNameTheirPart) {
  EXPECT_EQ(CheckNir(""), NirError::kLength);
  EXPECT_EQ(CheckNir("25508141680253"), NirError::kLength);
  EXPECT_EQ(CheckNir("2550814168025380"), NirError::kLength);
  EXPECT_EQ(CheckNir("25508141680X538"), NirError::kCharacter);
  EXPECT_EQ(CheckNir(CompleteNir("3550814168025")), NirError::kSex);
  EXPECT_EQ(CheckNir(CompleteNir("2551314168025")), NirError::kMonth);
  EXPECT_EQ(CheckNir(CompleteNir("2550800168025")), NirError::kDepartment);
  EXPECT_EQ(CheckNir(CompleteNir("2550896168025")), NirError::kDepartment);
  EXPECT_EQ(CheckNir(CompleteNir("2550897905042")), NirError::kDepartment);  // 979 does not exist
  EXPECT_EQ(CheckNir(CompleteNir("2550814000025")), NirError::kCommune);
  EXPECT_EQ(CheckNir(CompleteNir("2550814995025")), NirError::kCommune);
  EXPECT_EQ(CheckNir(CompleteNir("2550814168000")), NirError::kOrder);
}

TEST(NirTest, UnknownMonthsAndProvisionalNumbersAreAccepted) {
  EXPECT_EQ(CheckNir(CompleteNir("1553014168025")), NirError::kOk);
  EXPECT_EQ(CheckNir(CompleteNir("7550814168025")), NirError::kOk);
}

TEST(NirTest, ReasonsNeverRepeatTheNumber) {
  for (NirError e : {NirError::kLength, NirError::kCharacter, NirError::kSex, NirError::kMonth, NirError::kDepartment,
                     NirError::kCommune, NirError::kOrder, NirError::kKey}) {
    EXPECT_EQ(std::string(NirErrorReason(e)).find("2550"), std::string::npos);
    EXPECT_FALSE(NirErrorReason(e).empty());
  }
}

}  // namespace
}  // namespace hdhub::pseudo
