#include "hdhub/sql/functions.h"

#include "duckdb.hpp"
#include "duckdb/common/types/uuid.hpp"
#include "duckdb/common/vector_operations/binary_executor.hpp"
#include "duckdb/common/vector_operations/ternary_executor.hpp"
#include "duckdb/common/vector_operations/unary_executor.hpp"
#include "duckdb/main/extension/extension_loader.hpp"
#include "hdhub/pseudo/nir.h"
#include "hdhub/sql/hdhub_file_system.h"

namespace hdhub::sql {
namespace {

using duckdb::DataChunk;
using duckdb::ExpressionState;
using duckdb::hugeint_t;
using duckdb::LogicalType;
using duckdb::string_t;
using duckdb::ValidityMask;
using duckdb::Vector;

constexpr char kExtensionName[] = "hdhub";
constexpr size_t kBirthDateSize = 10;  // YYYY-MM-DD

// By reference: a short string_t keeps its bytes inline, in the object itself.
std::string_view View(const string_t& s) { return std::string_view(s.GetData(), s.GetSize()); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "YYYY-MM-DD" -> "YYYYMMDD" (a plausible calendar date), or empty.
std::string CompactBirthDate(std::string_view d) {
  if (d.size() != kBirthDateSize || d[4] != '-' || d[7] != '-') return {};
  std::string out = std::string(d.substr(0, 4)) + std::string(d.substr(5, 2)) + std::string(d.substr(8, 2));
  if (!IsDigits(out)) return {};
  int month = (out[4] - '0') * 10 + (out[5] - '0');
  int day = (out[6] - '0') * 10 + (out[7] - '0');
  if (month < 1 || month > 12 || day < 1 || day > 31) return {};
  return out;
}

hugeint_t ToUuid(const std::array<uint8_t, kPseudonymBytes>& bytes) { return duckdb::BaseUUID::FromBlob(bytes.data()); }

Status Register(Database& db, duckdb::ScalarFunction fn) {
  try {
    duckdb::ExtensionLoader loader(db.instance(), kExtensionName);
    loader.RegisterFunction(std::move(fn));
  } catch (const std::exception& e) {
    return InternalError(std::string("registering a DuckDB function: ") + e.what());
  }
  return OkStatus();
}

duckdb::ScalarFunction Volatile(duckdb::ScalarFunction fn) {
  fn.stability = duckdb::FunctionStability::VOLATILE;
  fn.errors = duckdb::FunctionErrors::CAN_THROW_RUNTIME_ERROR;
  return fn;
}

}  // namespace

bool IsTransferPseudonym(std::string_view v) {
  if (v.size() == kP1HexSize) {
    for (char c : v) {
      if (HexValue(c) < 0) return false;
    }
    return true;
  }
  if (v.size() != kSndsPseudonymSize) return false;
  for (char c : v) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::string StageOneHex(const crypto::HmacSha256& k_source, std::string_view nir, std::string_view yyyymmdd, char sex) {
  std::string message;
  message.reserve(nir.size() + yyyymmdd.size() + 1);
  message.append(nir).append(yyyymmdd).push_back(sex);
  crypto::Digest d = k_source.Compute(AsBytes(message));
  return HexEncode(d);
}

std::array<uint8_t, kPseudonymBytes> StageTwo(const crypto::HmacSha256& k_hub, std::string_view transfer) {
  uint8_t digest[crypto::kSha256Size];
  if (transfer.size() == kP1HexSize) {
    uint8_t p1[kP1HexSize / 2];
    for (size_t i = 0; i < sizeof(p1); ++i) {
      p1[i] = uint8_t(HexValue(transfer[2 * i]) << 4 | HexValue(transfer[2 * i + 1]));
    }
    k_hub.Compute(ByteSpan(p1, sizeof(p1)), digest);
  } else {
    k_hub.Compute(AsBytes(transfer), digest);
  }
  std::array<uint8_t, kPseudonymBytes> out;
  std::copy(digest, digest + kPseudonymBytes, out.begin());
  return out;
}

std::array<uint8_t, kPseudonymBytes> StageThree(const crypto::HmacSha256& k_project,
                                                const std::array<uint8_t, kPseudonymBytes>& p2) {
  uint8_t digest[crypto::kSha256Size];
  k_project.Compute(ByteSpan(p2.data(), p2.size()), digest);
  std::array<uint8_t, kPseudonymBytes> out;
  std::copy(digest, digest + kPseudonymBytes, out.begin());
  return out;
}

int64_t LinkKey(const crypto::HmacSha256& k_project, std::string_view value) {
  std::string message = "link:";
  message.append(value);
  uint8_t digest[crypto::kSha256Size];
  k_project.Compute(AsBytes(message), digest);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | digest[i];
  return int64_t(v & 0x7fffffffffffffffull);
}

ValueTally::ValueTally(std::vector<std::string> field_names, Mode mode)
    : names_(std::move(field_names)), mode_(mode), counts_(new std::atomic<uint64_t>[names_.size()]) {
  for (size_t i = 0; i < names_.size(); ++i) counts_[i] = 0;
}

void ValueTally::CountInvalid(size_t field, uint64_t n) {
  if (field >= names_.size()) return;
  if (mode_ == Mode::kFail) {
    ThrowForStatus(InvalidArgumentError("field " + names_[field] + " holds a value its schema refuses"));
  }
  counts_[field] += n;
}

Status RegisterNirCheck(Database& db) {
  return Register(db, duckdb::ScalarFunction("hdhub_nir_error", {LogicalType::VARCHAR}, LogicalType::VARCHAR,
                                             [](DataChunk& args, ExpressionState&, Vector& result) {
                                               duckdb::UnaryExecutor::ExecuteWithNulls<string_t, string_t>(
                                                   args.data[0], result, args.size(),
                                                   [&](string_t nir, ValidityMask& mask, duckdb::idx_t i) {
                                                     pseudo::NirError e = pseudo::CheckNir(View(nir));
                                                     if (e == pseudo::NirError::kOk) {
                                                       mask.SetInvalid(i);
                                                       return string_t();
                                                     }
                                                     return duckdb::StringVector::AddString(
                                                         result, std::string(pseudo::NirErrorReason(e)));
                                                   });
                                             }));
}

Status RegisterStageOne(Database& db, const crypto::HmacSha256* k_source) {
  auto fn = [k_source](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::TernaryExecutor::ExecuteWithNulls<string_t, string_t, string_t, string_t>(
        args.data[0], args.data[1], args.data[2], result, args.size(),
        [&](string_t nir, string_t birth, string_t sex, ValidityMask& mask, duckdb::idx_t i) {
          std::string date = CompactBirthDate(View(birth));
          std::string_view s = View(sex);
          if (pseudo::CheckNir(View(nir)) != pseudo::NirError::kOk || date.empty() || s.size() != 1 ||
              (s[0] != '1' && s[0] != '2')) {
            mask.SetInvalid(i);
            return string_t();
          }
          return duckdb::StringVector::AddString(result, StageOneHex(*k_source, View(nir), date, s[0]));
        });
  };
  return Register(db,
                  duckdb::ScalarFunction("hdhub_p1", {LogicalType::VARCHAR, LogicalType::VARCHAR, LogicalType::VARCHAR},
                                         LogicalType::VARCHAR, fn));
}

Status RegisterStageTwo(Database& db, const crypto::HmacSha256* k_hub) {
  auto p2 = [k_hub](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::UnaryExecutor::ExecuteWithNulls<string_t, hugeint_t>(args.data[0], result, args.size(),
                                                                 [&](string_t v, ValidityMask& mask, duckdb::idx_t i) {
                                                                   if (!IsTransferPseudonym(View(v))) {
                                                                     mask.SetInvalid(i);
                                                                     return hugeint_t(0);
                                                                   }
                                                                   return ToUuid(StageTwo(*k_hub, View(v)));
                                                                 });
  };
  auto ok = [](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::UnaryExecutor::Execute<string_t, bool>(args.data[0], result, args.size(),
                                                   [](string_t v) { return IsTransferPseudonym(View(v)); });
  };
  RETURN_IF_ERROR(Register(db, duckdb::ScalarFunction("hdhub_p2", {LogicalType::VARCHAR}, LogicalType::UUID, p2)));
  return Register(db, duckdb::ScalarFunction("hdhub_pseudonym_ok", {LogicalType::VARCHAR}, LogicalType::BOOLEAN, ok));
}

Status RegisterStageThree(Database& db, const crypto::HmacSha256* k_project) {
  auto p3 = [k_project](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::UnaryExecutor::Execute<hugeint_t, hugeint_t>(args.data[0], result, args.size(), [&](hugeint_t v) {
      std::array<uint8_t, kPseudonymBytes> p2;
      duckdb::BaseUUID::ToBlob(v, p2.data());
      return ToUuid(StageThree(*k_project, p2));
    });
  };
  auto link = [k_project](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::UnaryExecutor::Execute<string_t, int64_t>(args.data[0], result, args.size(),
                                                      [&](string_t v) { return LinkKey(*k_project, View(v)); });
  };
  RETURN_IF_ERROR(Register(db, duckdb::ScalarFunction("hdhub_p3", {LogicalType::UUID}, LogicalType::UUID, p3)));
  return Register(db, duckdb::ScalarFunction("hdhub_link", {LogicalType::VARCHAR}, LogicalType::BIGINT, link));
}

bool HasShape(TextShape shape, std::string_view t) {
  auto digits = [](std::string_view s) { return !s.empty() && IsDigits(s); };
  auto month = [](std::string_view m) {
    return m.size() == 2 &&
           ((m[0] == '0' && m[1] >= '1' && m[1] <= '9') || (m[0] == '1' && m[1] >= '0' && m[1] <= '2'));
  };
  switch (shape) {
    case TextShape::kInteger:
      return digits(!t.empty() && (t[0] == '+' || t[0] == '-') ? t.substr(1) : t);
    case TextShape::kYear:
      return t.size() == 4 && digits(t);
    case TextShape::kYearMonth:
      return t.size() == 6 && digits(t.substr(0, 4)) && month(t.substr(4));
    case TextShape::kMonth:
      return month(t);
    case TextShape::kIsoDate:
      return t.size() == 10 && t[4] == '-' && t[7] == '-' && digits(t.substr(0, 4)) && digits(t.substr(5, 2)) &&
             digits(t.substr(8, 2));
  }
  return false;
}

Status RegisterShapeCheck(Database& db) {
  auto fn = [](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::BinaryExecutor::Execute<int32_t, string_t, bool>(
        args.data[0], args.data[1], result, args.size(),
        [](int32_t shape, string_t v) { return HasShape(TextShape(shape), View(v)); });
  };
  return Register(db, duckdb::ScalarFunction("hdhub_shape_ok", {LogicalType::INTEGER, LogicalType::VARCHAR},
                                             LogicalType::BOOLEAN, fn));
}

Status RegisterCodeSets(Database& db, const std::vector<CodeSet>* sets) {
  auto fn = [sets](DataChunk& args, ExpressionState&, Vector& result) {
    duckdb::BinaryExecutor::Execute<int32_t, string_t, bool>(
        args.data[0], args.data[1], result, args.size(), [&](int32_t set, string_t v) {
          if (set < 0 || size_t(set) >= sets->size()) return false;
          return (*sets)[size_t(set)].contains(std::string(View(v)));
        });
  };
  return Register(db, duckdb::ScalarFunction("hdhub_code_ok", {LogicalType::INTEGER, LogicalType::VARCHAR},
                                             LogicalType::BOOLEAN, fn));
}

Status RegisterTally(Database& db, ValueTally* tally) {
  auto invalid = [tally](DataChunk& args, ExpressionState&, Vector& result) {
    // DuckDB hands a CASE branch only the rows that took it: every row here
    // is one invalid value of the field given as the (constant) argument.
    if (args.size() > 0) {
      auto field = args.data[0].GetValue(0).GetValue<int32_t>();
      tally->CountInvalid(size_t(field), args.size());
    }
    result.SetVectorType(duckdb::VectorType::CONSTANT_VECTOR);
    duckdb::ConstantVector::GetData<bool>(result)[0] = true;
  };
  auto reject = [tally](DataChunk& args, ExpressionState&, Vector& result) {
    tally->CountRejected(args.size());
    result.SetVectorType(duckdb::VectorType::CONSTANT_VECTOR);
    duckdb::ConstantVector::GetData<bool>(result)[0] = true;
  };
  RETURN_IF_ERROR(Register(
      db, Volatile(duckdb::ScalarFunction("hdhub_invalid", {LogicalType::INTEGER}, LogicalType::BOOLEAN, invalid))));
  return Register(
      db, Volatile(duckdb::ScalarFunction("hdhub_reject", {LogicalType::INTEGER}, LogicalType::BOOLEAN, reject)));
}

}  // namespace hdhub::sql
