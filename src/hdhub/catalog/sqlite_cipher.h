// SqliteCipher: an SQLite VFS that keeps the hub's local databases (catalog,
// directory, projects, hosts) encrypted on disk, so that a copy of the hub's
// disk without its key store reads as noise (docs/formats/local-state.md).
//
// It wraps the platform's default VFS. Every file SQLite opens through it
// (the database, its WAL, rollback and temporary journals) is encrypted in
// 16-byte blocks by crypto::BlockTweakCipher, each block's tweak being its
// offset in the file and the kind of file:
//   - database and journals: the whole file, from offset 0;
//   - WAL: each frame's page; the WAL header (32 bytes) and the frame
//     headers (24 bytes: page number, database size, salts, checksums) stay
//     as SQLite wrote them, so that every write of a page covers whole blocks
//     and a reader in another process never sees a block half rewritten.
// A write that covers part of a block reads, decrypts, patches and
// re-encrypts it (the journals' records, under SQLite's exclusive lock).
// The shared-memory WAL index (-shm) holds page numbers and hashes, no
// content, and is left to the default VFS. Memory-mapped I/O is off (the
// I/O methods are version 2, without xFetch), so every byte goes through
// the cipher.
//
// The page size must be 4096 (catalog::Database sets it before a database
// is created and checks it at open); a WAL header naming another page size
// is refused (SQLITE_IOERR), never misread.
//
// Ownership: Create registers the VFS under a name of its own; the
// destructor unregisters it, so every connection opened through it must be
// closed first (catalog::Database keeps a reference for that).
// Thread-safety: the cipher is immutable; SQLite serializes the calls on one
// file; several connections and processes may share a database as usual.
#pragma once

#include <memory>
#include <string>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::catalog {

class SqliteCipher {
 public:
  static constexpr int kPageSize = 4096;
  // sqlite3_file_control(db, "main", kFileControlStartsInClear, int* out):
  // *out = 1 when the database file begins as an SQLite file in clear does
  // (read through SQLite's own file, never by another open of it: closing
  // any other descriptor of the file would drop this process's locks).
  static constexpr int kFileControlStartsInClear = 0x68640001;

  // `key`: 64 bytes (crypto::BlockTweakCipher). InvalidArgument for a bad
  // key; Internal when SQLite refuses the registration.
  static StatusOr<std::shared_ptr<SqliteCipher>> Create(const SecretBytes& key);
  ~SqliteCipher();
  SqliteCipher(const SqliteCipher&) = delete;
  SqliteCipher& operator=(const SqliteCipher&) = delete;

  // The name to pass to sqlite3_open_v2.
  const std::string& vfs_name() const;

  struct Vfs;  // the registered sqlite3_vfs and what its methods need

 private:
  explicit SqliteCipher(std::unique_ptr<Vfs> vfs);
  std::unique_ptr<Vfs> vfs_;
};

}  // namespace hdhub::catalog
