#include "hdhub/catalog/sqlite_cipher.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <utility>
#include <vector>

#include "hdhub/crypto/block_tweak_cipher.h"

namespace hdhub::catalog {

struct SqliteCipher::Vfs {
  sqlite3_vfs vfs;  // first: SQLite hands back this pointer
  sqlite3_vfs* root = nullptr;
  std::string name;
  std::unique_ptr<crypto::BlockTweakCipher> cipher;
};

namespace {

using Vfs = SqliteCipher::Vfs;
constexpr int64_t kBlock = crypto::BlockTweakCipher::kBlockSize;
constexpr int64_t kWalHeader = 32;
constexpr int64_t kWalFrameHeader = 24;
constexpr int64_t kWalFrame = kWalFrameHeader + SqliteCipher::kPageSize;

// The tweak's domain: which kind of file a block belongs to.
enum Domain : uint64_t { kMainDb = 1, kWal = 2, kJournal = 3, kTemp = 4 };

struct CipherFile {
  sqlite3_file base;  // first: SQLite's view of the file
  const Vfs* owner;
  uint64_t domain;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

CipherFile* Of(sqlite3_file* f) { return reinterpret_cast<CipherFile*>(f); }
const Vfs* Owner(sqlite3_vfs* v) { return reinterpret_cast<const Vfs*>(v); }

// A run of bytes [start, end) of one kind: in clear, or encrypted in blocks
// that start at `origin` + 16k.
struct Segment {
  int64_t start, end;
  bool encrypted;
  int64_t origin;
};

// The segment that begins at `pos` and ends at most at `end`.
Segment SegmentAt(uint64_t domain, int64_t pos, int64_t end) {
  if (domain != kWal) return {pos, end, true, 0};
  if (pos < kWalHeader) return {pos, std::min(end, kWalHeader), false, 0};
  const int64_t frame = kWalHeader + (pos - kWalHeader) / kWalFrame * kWalFrame;
  const int64_t page = frame + kWalFrameHeader;
  if (pos < page) return {pos, std::min(end, page), false, 0};
  return {pos, std::min(end, frame + kWalFrame), true, page};
}

int64_t AlignDown(int64_t x, int64_t origin) { return origin + (x - origin) / kBlock * kBlock; }
int64_t AlignUp(int64_t x, int64_t origin) { return origin + (x - origin + kBlock - 1) / kBlock * kBlock; }

// Reads [a, b) (whole blocks) in clear into `out`: bytes past the end of the
// file, and a block only partly in it, read as zeros (SQLite's convention for
// short reads). Sets *short_read when the file ended before b.
int ReadBlocks(CipherFile* f, int64_t a, int64_t b, uint8_t* out, bool* short_read) {
  sqlite3_file* real = f->real();
  int rc = real->pMethods->xRead(real, out, static_cast<int>(b - a), a);
  int64_t valid = b - a;
  if (rc == SQLITE_IOERR_SHORT_READ) {
    *short_read = true;
    sqlite3_int64 size = 0;
    rc = real->pMethods->xFileSize(real, &size);
    if (rc != SQLITE_OK) return rc;
    valid = std::clamp<int64_t>(size - a, 0, b - a) / kBlock * kBlock;
    std::memset(out + valid, 0, static_cast<size_t>(b - a - valid));
  } else if (rc != SQLITE_OK) {
    return rc;
  }
  if (!f->owner->cipher->Decrypt(MutableByteSpan(out, static_cast<size_t>(valid)), uint64_t(a), f->domain).ok()) {
    return SQLITE_IOERR_READ;
  }
  return SQLITE_OK;
}

// A WAL header names the page size at bytes 8..11 (big-endian): only 4096
// lays the frames out as SegmentAt expects.
bool WalHeaderPageSizeOk(const uint8_t* header) {
  const uint32_t page = uint32_t(header[8]) << 24 | uint32_t(header[9]) << 16 | uint32_t(header[10]) << 8 | header[11];
  return page == uint32_t(SqliteCipher::kPageSize);
}

int CipherRead(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
  CipherFile* f = Of(file);
  auto* out = static_cast<uint8_t*>(buffer);
  bool short_read = false;
  std::vector<uint8_t> blocks;
  for (int64_t pos = offset, end = offset + amount; pos < end;) {
    const Segment s = SegmentAt(f->domain, pos, end);
    if (!s.encrypted) {
      sqlite3_file* real = f->real();
      int rc = real->pMethods->xRead(real, out + (s.start - offset), int(s.end - s.start), s.start);
      if (rc == SQLITE_IOERR_SHORT_READ) {
        short_read = true;
      } else if (rc != SQLITE_OK) {
        return rc;
      }
    } else {
      const int64_t a = AlignDown(s.start, s.origin), b = AlignUp(s.end, s.origin);
      blocks.resize(size_t(b - a));
      int rc = ReadBlocks(f, a, b, blocks.data(), &short_read);
      if (rc != SQLITE_OK) return rc;
      std::memcpy(out + (s.start - offset), blocks.data() + (s.start - a), size_t(s.end - s.start));
      std::fill(blocks.begin(), blocks.end(), 0);
    }
    pos = s.end;
  }
  if (f->domain == kWal && offset == 0 && amount >= kWalHeader && !short_read && !WalHeaderPageSizeOk(out)) {
    return SQLITE_IOERR_READ;
  }
  return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

int CipherWrite(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
  CipherFile* f = Of(file);
  const auto* in = static_cast<const uint8_t*>(buffer);
  if (f->domain == kWal && offset == 0 && amount >= kWalHeader && !WalHeaderPageSizeOk(in)) {
    return SQLITE_IOERR_WRITE;
  }
  sqlite3_file* real = f->real();
  std::vector<uint8_t> blocks;
  for (int64_t pos = offset, end = offset + amount; pos < end;) {
    const Segment s = SegmentAt(f->domain, pos, end);
    int rc = SQLITE_OK;
    if (!s.encrypted) {
      rc = real->pMethods->xWrite(real, in + (s.start - offset), int(s.end - s.start), s.start);
    } else {
      const int64_t a = AlignDown(s.start, s.origin), b = AlignUp(s.end, s.origin);
      blocks.resize(size_t(b - a));
      if (a != s.start || b != s.end) {  // part of a block: read, patch, re-encrypt
        bool short_read = false;
        rc = ReadBlocks(f, a, b, blocks.data(), &short_read);
      }
      if (rc == SQLITE_OK) {
        std::memcpy(blocks.data() + (s.start - a), in + (s.start - offset), size_t(s.end - s.start));
        if (!f->owner->cipher->Encrypt(blocks, uint64_t(a), f->domain).ok()) rc = SQLITE_IOERR_WRITE;
      }
      if (rc == SQLITE_OK) rc = real->pMethods->xWrite(real, blocks.data(), int(b - a), a);
    }
    if (rc != SQLITE_OK) return rc;
    pos = s.end;
  }
  return SQLITE_OK;
}

// The rest goes to the real file as it is.
int CipherClose(sqlite3_file* file) {
  sqlite3_file* real = Of(file)->real();
  return real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
}
int CipherTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return Of(f)->real()->pMethods->xTruncate(Of(f)->real(), size);
}
int CipherSync(sqlite3_file* f, int flags) { return Of(f)->real()->pMethods->xSync(Of(f)->real(), flags); }
int CipherFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Of(f)->real()->pMethods->xFileSize(Of(f)->real(), size);
}
int CipherLock(sqlite3_file* f, int lock) { return Of(f)->real()->pMethods->xLock(Of(f)->real(), lock); }
int CipherUnlock(sqlite3_file* f, int lock) { return Of(f)->real()->pMethods->xUnlock(Of(f)->real(), lock); }
int CipherCheckReservedLock(sqlite3_file* f, int* out) {
  return Of(f)->real()->pMethods->xCheckReservedLock(Of(f)->real(), out);
}
int CipherFileControl(sqlite3_file* f, int op, void* arg) {
  if (op == SqliteCipher::kFileControlStartsInClear) {
    static constexpr char kMagic[] = "SQLite format 3";  // and its NUL
    char head[sizeof(kMagic)] = {};
    sqlite3_file* real = Of(f)->real();
    const int rc = real->pMethods->xRead(real, head, int(sizeof(head)), 0);
    *static_cast<int*>(arg) = rc == SQLITE_OK && std::memcmp(head, kMagic, sizeof(head)) == 0 ? 1 : 0;
    return rc == SQLITE_IOERR_SHORT_READ ? SQLITE_OK : rc;
  }
  if (op == SQLITE_FCNTL_MMAP_SIZE) {  // memory-mapped reads would bypass the cipher
    *static_cast<sqlite3_int64*>(arg) = 0;
    return SQLITE_OK;
  }
  return Of(f)->real()->pMethods->xFileControl(Of(f)->real(), op, arg);
}
int CipherSectorSize(sqlite3_file* f) { return Of(f)->real()->pMethods->xSectorSize(Of(f)->real()); }
int CipherDeviceCharacteristics(sqlite3_file* f) {
  return Of(f)->real()->pMethods->xDeviceCharacteristics(Of(f)->real());
}
int CipherShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Of(f)->real()->pMethods->xShmMap(Of(f)->real(), page, size, extend, out);
}
int CipherShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Of(f)->real()->pMethods->xShmLock(Of(f)->real(), offset, n, flags);
}
void CipherShmBarrier(sqlite3_file* f) { Of(f)->real()->pMethods->xShmBarrier(Of(f)->real()); }
int CipherShmUnmap(sqlite3_file* f, int delete_flag) {
  return Of(f)->real()->pMethods->xShmUnmap(Of(f)->real(), delete_flag);
}

const sqlite3_io_methods kMethods = {
    2,  // no xFetch/xUnfetch: no memory-mapped reads
    CipherClose,
    CipherRead,
    CipherWrite,
    CipherTruncate,
    CipherSync,
    CipherFileSize,
    CipherLock,
    CipherUnlock,
    CipherCheckReservedLock,
    CipherFileControl,
    CipherSectorSize,
    CipherDeviceCharacteristics,
    CipherShmMap,
    CipherShmLock,
    CipherShmBarrier,
    CipherShmUnmap,
    nullptr,
    nullptr,
};

uint64_t DomainOf(int flags) {
  if (flags & SQLITE_OPEN_MAIN_DB) return kMainDb;
  if (flags & SQLITE_OPEN_WAL) return kWal;
  if (flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL)) return kJournal;
  return kTemp;  // temporary databases and journals, statement journals
}

int VfsOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  const Vfs* owner = Owner(vfs);
  CipherFile* f = Of(file);
  f->base.pMethods = nullptr;
  f->owner = owner;
  f->domain = DomainOf(flags);
  sqlite3_file* real = f->real();
  std::memset(real, 0, size_t(owner->root->szOsFile));
  int rc = owner->root->xOpen(owner->root, name, real, flags, out_flags);
  if (rc == SQLITE_OK) f->base.pMethods = &kMethods;
  return rc;
}
int VfsDelete(sqlite3_vfs* v, const char* name, int sync) {
  return Owner(v)->root->xDelete(Owner(v)->root, name, sync);
}
int VfsAccess(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return Owner(v)->root->xAccess(Owner(v)->root, name, flags, out);
}
int VfsFullPathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return Owner(v)->root->xFullPathname(Owner(v)->root, name, n, out);
}
void* VfsDlOpen(sqlite3_vfs* v, const char* name) { return Owner(v)->root->xDlOpen(Owner(v)->root, name); }
void VfsDlError(sqlite3_vfs* v, int n, char* out) { Owner(v)->root->xDlError(Owner(v)->root, n, out); }
void (*VfsDlSym(sqlite3_vfs* v, void* handle, const char* symbol))(void) {
  return Owner(v)->root->xDlSym(Owner(v)->root, handle, symbol);
}
void VfsDlClose(sqlite3_vfs* v, void* handle) { Owner(v)->root->xDlClose(Owner(v)->root, handle); }
int VfsRandomness(sqlite3_vfs* v, int n, char* out) { return Owner(v)->root->xRandomness(Owner(v)->root, n, out); }
int VfsSleep(sqlite3_vfs* v, int micros) { return Owner(v)->root->xSleep(Owner(v)->root, micros); }
int VfsCurrentTime(sqlite3_vfs* v, double* out) { return Owner(v)->root->xCurrentTime(Owner(v)->root, out); }
int VfsGetLastError(sqlite3_vfs* v, int n, char* out) { return Owner(v)->root->xGetLastError(Owner(v)->root, n, out); }
int VfsCurrentTimeInt64(sqlite3_vfs* v, sqlite3_int64* out) {
  return Owner(v)->root->xCurrentTimeInt64(Owner(v)->root, out);
}

std::atomic<uint64_t> next_id{0};

}  // namespace

StatusOr<std::shared_ptr<SqliteCipher>> SqliteCipher::Create(const SecretBytes& key) {
  auto vfs = std::make_unique<Vfs>();
  ASSIGN_OR_RETURN(vfs->cipher, crypto::BlockTweakCipher::Create(key));
  vfs->root = sqlite3_vfs_find(nullptr);
  if (vfs->root == nullptr || vfs->root->iVersion < 2) return InternalError("sqlite: no default VFS to wrap");
  vfs->name = "hdhub-cipher-" + std::to_string(next_id++);
  sqlite3_vfs& v = vfs->vfs;
  std::memset(&v, 0, sizeof(v));
  v.iVersion = 2;
  v.szOsFile = int(sizeof(CipherFile)) + vfs->root->szOsFile;
  v.mxPathname = vfs->root->mxPathname;
  v.zName = vfs->name.c_str();
  v.xOpen = VfsOpen;
  v.xDelete = VfsDelete;
  v.xAccess = VfsAccess;
  v.xFullPathname = VfsFullPathname;
  v.xDlOpen = VfsDlOpen;
  v.xDlError = VfsDlError;
  v.xDlSym = VfsDlSym;
  v.xDlClose = VfsDlClose;
  v.xRandomness = VfsRandomness;
  v.xSleep = VfsSleep;
  v.xCurrentTime = VfsCurrentTime;
  v.xGetLastError = VfsGetLastError;
  v.xCurrentTimeInt64 = VfsCurrentTimeInt64;
  if (sqlite3_vfs_register(&v, 0) != SQLITE_OK) return InternalError("sqlite: cannot register the cipher VFS");
  return std::shared_ptr<SqliteCipher>(new SqliteCipher(std::move(vfs)));
}

SqliteCipher::SqliteCipher(std::unique_ptr<Vfs> vfs) : vfs_(std::move(vfs)) {}

SqliteCipher::~SqliteCipher() { sqlite3_vfs_unregister(&vfs_->vfs); }

const std::string& SqliteCipher::vfs_name() const { return vfs_->name; }

}  // namespace hdhub::catalog
