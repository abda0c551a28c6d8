#include "hdhub/audit/segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace hdhub::audit {

namespace {
constexpr std::string_view kSegmentPrefix = "seg-";
constexpr std::string_view kSegmentSuffix = ".log";

// A read-only mapping of a whole file, unmapped on destruction.
class MappedFile {
 public:
  static StatusOr<MappedFile> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, "open " + path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoToStatus(err, "stat " + path);
    }
    MappedFile m;
    m.size_ = static_cast<size_t>(st.st_size);
    if (m.size_ > 0) {
      void* p = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return ErrnoToStatus(err, "mmap " + path);
      }
      m.data_ = static_cast<const uint8_t*>(p);
      ::madvise(p, m.size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return m;
  }
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(o.size_) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

Status Damaged(const std::string& path, uint64_t offset, std::string_view what) {
  return DataLossError("audit segment " + path + " is damaged at byte " + std::to_string(offset) +
                       ": " + std::string(what));
}
}  // namespace

std::string SegmentFileName(uint64_t first_index) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "seg-%020llu.log", static_cast<unsigned long long>(first_index));
  return buf;
}

StatusOr<std::vector<SegmentInfo>> ListSegments(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return ErrnoToStatus(ec.value(), "list " + dir);
  std::vector<SegmentInfo> out;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix)) continue;
    std::string_view digits(name);
    digits = digits.substr(kSegmentPrefix.size(), digits.size() - kSegmentPrefix.size() - kSegmentSuffix.size());
    uint64_t first = 0;
    auto [ptr, err] = std::from_chars(digits.data(), digits.data() + digits.size(), first);
    if (err != std::errc() || ptr != digits.data() + digits.size()) {
      return DataLossError("unexpected file name in the audit directory: " + name);
    }
    out.push_back(SegmentInfo{first, entry.path().string()});
  }
  std::sort(out.begin(), out.end(),
            [](const SegmentInfo& a, const SegmentInfo& b) { return a.first_index < b.first_index; });
  return out;
}

void AppendSegmentHeader(uint64_t first_index, std::string& out) {
  out.append(kSegmentMagic);
  uint8_t b[8];
  PutBigEndian64(first_index, b);
  out.append(reinterpret_cast<const char*>(b), sizeof(b));
}

void AppendRecord(std::string_view entry, const Hash& leaf_hash, std::string& out) {
  uint8_t len[4];
  PutBigEndian32(static_cast<uint32_t>(entry.size()), len);
  out.append(reinterpret_cast<const char*>(len), sizeof(len));
  out.append(reinterpret_cast<const char*>(leaf_hash.data()), leaf_hash.size());
  out.append(entry);
}

StatusOr<ScanResult> ScanSegment(const std::string& path, uint64_t expected_first,
                                 bool allow_torn_tail, const RecordVisitor& visit) {
  return ScanSegmentFrom(path, expected_first, ScanResume{0, expected_first}, allow_torn_tail, visit);
}

StatusOr<ScanResult> ScanSegmentFrom(const std::string& path, uint64_t expected_first, ScanResume from,
                                     bool allow_torn_tail, const RecordVisitor& visit) {
  ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  const uint8_t* p = file.data();
  ScanResult result;
  result.file_bytes = file.size();
  if (file.size() < from.offset) {
    return Damaged(
        path, file.size(),
        "the file ends before byte " + std::to_string(from.offset) + ", which was read before (the log was cut)");
  }
  if (file.size() < kSegmentHeaderSize) {
    if (allow_torn_tail) return result;  // crashed while creating it
    return Damaged(path, 0, "truncated header");
  }
  if (std::memcmp(p, kSegmentMagic.data(), kSegmentMagic.size()) != 0) return Damaged(path, 0, "bad magic");
  if (GetBigEndian64(p + 8) != expected_first) {
    return Damaged(path, 8, "first index " + std::to_string(GetBigEndian64(p + 8)) + ", expected " +
                                std::to_string(expected_first) + " (a segment is missing or misplaced)");
  }
  uint64_t off = std::max<uint64_t>(from.offset, kSegmentHeaderSize);
  result.valid_bytes = off;
  while (off < file.size()) {
    const uint64_t left = file.size() - off;
    const uint32_t len = left >= 4 ? GetBigEndian32(p + off) : 0;
    // A record cut off by the end of the file, or followed only by zeros (what
    // some file systems expose after a crash), is a torn write.
    const bool cut = left < kRecordHeaderSize || len > left - kRecordHeaderSize;
    bool intact = false;
    std::string_view entry;
    Hash stored{};
    if (!cut && len <= kMaxEntrySize) {
      entry = std::string_view(reinterpret_cast<const char*>(p + off + kRecordHeaderSize), len);
      std::memcpy(stored.data(), p + off + 4, stored.size());
      intact = HashLeaf(AsBytes(entry)) == stored;
    }
    if (!intact) {
      const bool at_end = cut || off + kRecordHeaderSize + len == file.size() ||
                          std::all_of(p + off, p + file.size(), [](uint8_t b) { return b == 0; });
      if (allow_torn_tail && at_end) return result;
      return Damaged(path, off, cut ? "record length beyond the end of the file" : "record checksum mismatch");
    }
    RETURN_IF_ERROR(visit(from.index + result.records, entry, stored, off));
    ++result.records;
    off += kRecordHeaderSize + len;
    result.valid_bytes = off;
  }
  return result;
}

}  // namespace hdhub::audit
