#include "hdhub/common/secret_bytes.h"

#include <string.h>

#include <algorithm>

namespace hdhub {

void SecureWipe(void* data, size_t size) {
  if (data != nullptr && size > 0) explicit_bzero(data, size);
}

SecretBytes::SecretBytes(size_t size) : data_(new uint8_t[size]()), size_(size) {}

SecretBytes::SecretBytes(std::span<const uint8_t> data) : SecretBytes(data.size()) {
  std::copy(data.begin(), data.end(), data_.get());
}

SecretBytes::~SecretBytes() { Wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

void SecretBytes::Wipe() {
  SecureWipe(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  return ConstantTimeEquals(span(), other.span());
}

bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | (a[i] ^ b[i]);
  return diff == 0;
}

std::ostream& operator<<(std::ostream& os, const SecretBytes& secret) {
  return os << "SecretBytes(" << secret.size() << " bytes)";
}

}  // namespace hdhub
