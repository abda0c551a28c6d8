// SecretBytes: the only type that holds key material in hdhub.
//
// Owns a heap buffer that is wiped (explicit_bzero) when freed or reassigned,
// cannot be copied implicitly (Clone() makes the copy visible in review),
// compares in constant time, and never prints its content: operator<< writes
// "SecretBytes(<n> bytes)". MACs and tokens are compared with ConstantTimeEquals,
// never with ==.
//
// Thread-safety: a const SecretBytes may be read from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <span>

namespace hdhub {

class SecretBytes {
 public:
  SecretBytes() = default;
  // A zero-filled secret of `size` bytes, to be filled by a key generator.
  explicit SecretBytes(size_t size);
  // Copies `data` in; the caller wipes its own copy.
  explicit SecretBytes(std::span<const uint8_t> data);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const { return SecretBytes(span()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint8_t* data() const { return data_.get(); }
  uint8_t* mutable_data() { return data_.get(); }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }
  std::span<uint8_t> mutable_span() { return {data_.get(), size_}; }

  // Constant-time in the length of the inputs (lengths themselves are not secret).
  bool Equals(const SecretBytes& other) const;

 private:
  void Wipe();
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

// Compares two byte strings without an early exit. Different lengths compare
// unequal (the length is not treated as secret).
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Wipes a buffer in a way the compiler cannot elide.
void SecureWipe(void* data, size_t size);

std::ostream& operator<<(std::ostream& os, const SecretBytes& secret);

}  // namespace hdhub
