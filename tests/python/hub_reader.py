#!/usr/bin/python3
"""Independent reader of a whole hub directory, written from the format pages
alone (docs/formats/hub-directory.md, key-file.md, local-state.md, catalog.md,
projects.md, sealed-object.md, audit-log.md, directory.md, state-backup.md), not from hdhub's
code: with the hub's passphrase it opens the key file, unwraps every data key,
finds every sealed object on the host by its logical name, decrypts it and
checks it against the catalog, opens the host's audit checkpoint and the
wrapped signing key, reads the hub's state backup (root, manifest, log chunks,
catalog copy) and checks it against the hub's state/, and finds no object on
the host that none of these pages accounts for.
CTest runs it on a hub the hdhub binary made (tests/format_pages_cli_test.sh),
so a page that leaves a byte out fails here. Debian's python3-cryptography
(no Argon2id in its version 38) and libargon2's reference implementation
through ctypes; run with /usr/bin/python3.

  hub_reader.py HUB           passphrase in $HDHUB_PASSPHRASE; API tokens to
                              check against the directory in $HUB_READER_TOKENS
                              (comma-separated), never on the command line
  hub_reader.py --query HUB SQL [PARAM...]
                              the first value SQL gives on the hub's local
                              database, decrypted (for tests)
  hub_reader.py --wait SECONDS PID HUB SQL [PARAM...]
                              polls that value until it is truthy (exit 0),
                              or PID ends or time runs out (exit 1)
Prints one line per object read; exit status 0 when everything was read and
matched, 1 when something did not (the first failure is printed), 2 on a
usage error.
"""
import base64
import ctypes
import ctypes.util
import hashlib
import hmac
import json
import os
import sqlite3
import sys
import tempfile
import time

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit_verify  # noqa: E402  (audit-log.md §2 and §4, written from that page)
import unseal  # noqa: E402  (sealed-object.md, written from that page)


class Mismatch(Exception):
    """The hub does not match what the pages say."""


def hkdf_sha256(ikm, salt, info, length=32):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


# --- hub-directory.md, "hub.json" and "Paths" --------------------------------
def store_path(hub, uri, scheme):
    """A `file:`/`keyfile:` URI: `scheme:///abs`, `scheme:/abs`, or relative to the hub directory."""
    if not uri.startswith(scheme + ":"):
        raise Mismatch("%r is not a %s: URI" % (uri, scheme))
    path = uri[len(scheme) + 1:]
    if path.startswith("//"):
        path = path[2:]
    return path if path.startswith("/") else os.path.join(hub, path)


# --- key-file.md, "Layout" and "Sealing" --------------------------------------
def argon2id(passphrase, salt, t_cost, m_cost_kib, parallelism):
    """Argon2id version 0x13, 32 bytes, no secret and no associated data (libargon2's raw API)."""
    lib = ctypes.CDLL(ctypes.util.find_library("argon2") or "libargon2.so.1")
    out = ctypes.create_string_buffer(32)
    rc = lib.argon2id_hash_raw(ctypes.c_uint32(t_cost), ctypes.c_uint32(m_cost_kib), ctypes.c_uint32(parallelism),
                               passphrase, ctypes.c_size_t(len(passphrase)), salt, ctypes.c_size_t(len(salt)),
                               out, ctypes.c_size_t(32))
    if rc != 0:
        raise Mismatch("argon2id failed (%d)" % rc)
    return out.raw


def open_key_file(path, passphrase):
    """Returns the 32-byte KEK (key-file.md: a 98-byte file, header = bytes 0..37 as the AAD)."""
    data = open(path, "rb").read()
    if len(data) != 98:
        raise Mismatch("key file is %d bytes, not 98" % len(data))
    if data[0:8] != b"HDHUBKEY" or data[8] != 0x01 or data[9] != 0x01:
        raise Mismatch("key file magic, version or kdf")
    t_cost, m_cost_kib, parallelism = (int.from_bytes(data[o:o + 4], "big") for o in (10, 14, 18))
    salt, nonce, sealed_kek = data[22:38], data[38:50], data[50:98]
    file_key = argon2id(passphrase, salt, t_cost, m_cost_kib, parallelism)
    try:
        kek = AESGCM(file_key).decrypt(nonce, sealed_kek, data[0:38])
    except InvalidTag:
        raise Mismatch("key file: wrong passphrase or damaged file") from None
    if len(kek) != 32:
        raise Mismatch("the KEK is not 32 bytes")
    return kek


# --- key-file.md, "Wrapped data keys" -----------------------------------------
def unwrap(kek, wrapped, context):
    if len(wrapped) != 61 or wrapped[0] != 0x01:
        raise Mismatch("wrapped key for %s: %d bytes, version %r" % (context, len(wrapped), wrapped[:1]))
    wrapping_key = hkdf_sha256(kek, b"", b"hdhub wrap v1")
    try:
        return AESGCM(wrapping_key).decrypt(wrapped[1:13], wrapped[13:], b"\x01" + context.encode())
    except InvalidTag:
        raise Mismatch("wrapped key does not unwrap with context %s" % context) from None


# --- key-file.md, "Keys derived for HMAC purposes" ----------------------------
def hmac_key(kek, purpose):
    return hkdf_sha256(kek, b"", b"hdhub hmac v1 " + purpose.encode())


# --- key-ring.md: state/keyring, each purpose key wrapped with
# context "keyring/<purpose>/<origin>"; an older hub's keys are derived.
def read_key_ring(hub, kek, config):
    path = os.path.join(hub, "state", "keyring")
    if not os.path.exists(path):
        if config.get("purpose_keys") == "key-ring":
            raise Mismatch("hub.json names a key ring and state/keyring is missing")
        return {p: hmac_key(kek, p) for p in ("object-names", "audit-checkpoint", "pseudonym/stage2")}
    lines = open(path, "rb").read().decode("ascii").split("\n")
    if lines[0] != "hdhub-keyring v1" or lines[-1] != "":
        raise Mismatch("state/keyring: not a key ring")
    ring = {}
    for line in lines[1:-1]:
        purpose, origin, wrapped = line.split(" ")
        key = unwrap(kek, bytes.fromhex(wrapped), "keyring/%s/%s" % (purpose, origin))
        if purpose in ring or len(key) != 32:
            raise Mismatch("state/keyring: %s twice or not 32 bytes" % purpose)
        ring[purpose] = key
    return ring


# --- hub-directory.md, "Logical names" -----------------------------------------
def object_name(ring, logical_name):
    h = hmac.new(ring["object-names"], logical_name.encode(), hashlib.sha256).hexdigest()
    return "o/%s/%s" % (h[:2], h)


# --- Apache Parquet: magic, footer, and FileMetaData.num_rows (field 3) in
# Thrift's compact protocol; only to show the plaintext is the data itself.
def _varint(buf, pos):
    shift = value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def _skip(buf, pos, kind):
    if kind in (1, 2):  # bool in a field header: no payload
        return pos
    if kind == 3:
        return pos + 1
    if kind in (4, 5, 6):
        return _varint(buf, pos)[1]
    if kind == 7:
        return pos + 8
    if kind == 8:
        n, pos = _varint(buf, pos)
        return pos + n
    if kind in (9, 10):
        head = buf[pos]
        pos += 1
        n, elem = head >> 4, head & 0x0F
        if n == 15:
            n, pos = _varint(buf, pos)
        for _ in range(n):
            pos = pos + 1 if elem in (1, 2) else _skip(buf, pos, elem)
        return pos
    if kind == 11:
        n, pos = _varint(buf, pos)
        if n:
            types = buf[pos]
            pos += 1
            for _ in range(n):
                pos = _skip(buf, pos, types >> 4)
                pos = _skip(buf, pos, types & 0x0F)
        return pos
    if kind == 12:
        return _struct_fields(buf, pos, None)[1]
    raise Mismatch("parquet footer: unknown thrift type %d" % kind)


def _struct_fields(buf, pos, want):
    """Skips a struct; returns (value of i64 field `want` or None, position after the struct)."""
    field, found = 0, None
    while True:
        head = buf[pos]
        pos += 1
        if head == 0:
            return found, pos
        delta, kind = head >> 4, head & 0x0F
        if delta:
            field += delta
        else:
            raw, pos = _varint(buf, pos)
            field = (raw >> 1) ^ -(raw & 1)
        if field == want and kind == 6:
            raw, pos = _varint(buf, pos)
            found = (raw >> 1) ^ -(raw & 1)
        else:
            pos = _skip(buf, pos, kind)


def parquet_rows(plain, what):
    if len(plain) < 12 or plain[:4] != b"PAR1" or plain[-4:] != b"PAR1":
        raise Mismatch("%s: the plaintext is not a Parquet file" % what)
    footer_len = int.from_bytes(plain[-8:-4], "little")
    footer = plain[-8 - footer_len:-8]
    rows, _ = _struct_fields(footer, 0, 3)
    if rows is None:
        raise Mismatch("%s: no num_rows in the Parquet footer" % what)
    return rows, footer


# --- local-state.md ------------------------------------------------------------
def local_state_key(ring):
    """The 64-byte key of state/catalog.db: two HMACs of the ring's audit-checkpoint key."""
    k = ring["audit-checkpoint"]
    return (hmac.new(k, b"local state data key v1", hashlib.sha256).digest() +
            hmac.new(k, b"local state tweak key v1", hashlib.sha256).digest())


def xor(a, b):
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def decrypt_blocks(key, data, position, domain):
    """Whole 16-byte blocks from file offset `position`: each one XTS-AES-256 with a one-block data unit and
    the tweak LE64(offset) || LE64(domain), i.e. T = AES(K2, tweak), P = AES^-1(K1, C xor T) xor T."""
    n = len(data) // 16 * 16
    if n == 0:
        return b""
    tweaks = b"".join((position + i).to_bytes(8, "little") + domain.to_bytes(8, "little") for i in range(0, n, 16))
    enc = Cipher(algorithms.AES(key[32:]), modes.ECB()).encryptor()
    masks = enc.update(tweaks) + enc.finalize()
    dec = Cipher(algorithms.AES(key[:32]), modes.ECB()).decryptor()
    return xor(dec.update(xor(data[:n], masks)) + dec.finalize(), masks)


def check_block_cipher(key):
    """The ECB form above is XTS-AES-256 over one-block units: one block checked against the library's XTS."""
    block, tweak = bytes(range(16)), (4096).to_bytes(8, "little") + (1).to_bytes(8, "little")
    enc = Cipher(algorithms.AES(key), modes.XTS(tweak)).encryptor()
    if decrypt_blocks(key, enc.update(block) + enc.finalize(), 4096, 1) != block:
        raise Mismatch("local-state.md: the block cipher is not XTS-AES-256")


def decrypt_local_database(hub, key, out_dir):
    """state/catalog.db (domain 1) and its WAL (domain 2: header and frame headers in clear, each frame's
    4096-byte page encrypted from its first byte) decrypted into out_dir; returns the database's path."""
    src = os.path.join(hub, "state", "catalog.db")
    data = open(src, "rb").read()
    if data.startswith(b"SQLite format 3\0"):
        raise Mismatch("state/catalog.db is stored in clear")
    out = os.path.join(out_dir, "catalog.db")
    with open(out, "wb") as f:
        f.write(decrypt_blocks(key, data, 0, 1))
    wal = src + "-wal"
    if os.path.exists(wal):
        data = open(wal, "rb").read()
        plain = bytearray(data[:32])
        at = 32
        while at + 24 + 4096 <= len(data):
            plain += data[at:at + 24] + decrypt_blocks(key, data[at + 24:at + 24 + 4096], at + 24, 2)
            at += 24 + 4096
        with open(out + "-wal", "wb") as f:
            f.write(bytes(plain))
    return out


class Reader:
    def __init__(self, hub, passphrase):
        self.hub = hub
        config = json.load(open(os.path.join(hub, "hub.json")))
        if config.get("format") not in (1, 2):
            raise Mismatch("hub.json format %r" % config.get("format"))
        self.host = store_path(hub, config["host"], "file")
        self.kek = open_key_file(store_path(hub, config["keys"], "keyfile"), passphrase)
        self.ring = read_key_ring(hub, self.kek, config)
        # hub-directory.md: state/catalog.db holds catalog, directory and projects,
        # encrypted as local-state.md says: read from a decrypted copy.
        key = local_state_key(self.ring)
        check_block_cipher(key)
        self.scratch = tempfile.TemporaryDirectory()
        self.db = sqlite3.connect(decrypt_local_database(hub, key, self.scratch.name))
        self.read = 0
        self.opened = set()  # host paths read

    def open_object(self, logical_name, data_key, recorded_name=None, size=None, sha256=None):
        """sealed-object.md §6 on the host object named as hub-directory.md says, AAD = the logical name."""
        name = object_name(self.ring, logical_name)
        if recorded_name is not None and name != recorded_name:
            raise Mismatch("%s: HMAC object name %s, the database records %s" % (logical_name, name, recorded_name))
        path = os.path.join(self.host, name)
        if not os.path.exists(path):
            raise Mismatch("%s: no object %s on the host" % (logical_name, name))
        sealed = open(path, "rb").read()
        self.opened.add(name)
        if size is not None and len(sealed) != size:
            raise Mismatch("%s: %d bytes on the host, %d recorded" % (logical_name, len(sealed), size))
        if sha256 is not None and hashlib.sha256(sealed).hexdigest() != sha256:
            raise Mismatch("%s: ciphertext_sha256 differs" % logical_name)
        try:
            plain = unseal.unseal(data_key, logical_name.encode(), sealed)
        except unseal.Rejected as e:
            raise Mismatch("%s: rejected: %s" % (logical_name, e)) from None
        self.read += 1
        return plain

    def datasets(self):
        """catalog.md: dataset_version and version_object; context dataset/<dataset>/v<version>."""
        versions = self.db.execute("SELECT dataset, version, wrapped_dek, row_count, schema_json FROM dataset_version "
                                   "WHERE state = 'committed' ORDER BY dataset, version").fetchall()
        for dataset, version, wrapped, row_count, schema_json in versions:
            dek = unwrap(self.kek, wrapped, "dataset/%s/v%d" % (dataset, version))
            objects = self.db.execute(
                "SELECT logical_name, object_name, plaintext_size, ciphertext_size, ciphertext_sha256 "
                "FROM version_object WHERE dataset = ? AND version = ? ORDER BY logical_name",
                (dataset, version)).fetchall()
            if not objects:
                raise Mismatch("%s v%d: no objects" % (dataset, version))
            rows = 0
            fields = [f["name"] for f in json.loads(schema_json)["fields"]]
            for logical, recorded, plain_size, size, digest in objects:
                if not logical.startswith("datasets/%s/v%d/" % (dataset, version)):
                    raise Mismatch("%s: not under datasets/%s/v%d/" % (logical, dataset, version))
                plain = self.open_object(logical, dek, recorded, size, digest)
                if len(plain) != plain_size:
                    raise Mismatch("%s: %d plaintext bytes, %d recorded" % (logical, len(plain), plain_size))
                n, footer = parquet_rows(plain, logical)
                rows += n
                if not any(f.encode() in footer for f in fields):
                    raise Mismatch("%s: no column of its Table Schema in the Parquet footer" % logical)
            if rows != row_count:
                raise Mismatch("%s v%d: %d rows in its objects, row_count %d" % (dataset, version, rows, row_count))
            print("dataset %s v%d: %d object(s), %d rows" % (dataset, version, len(objects), rows))

    def workspaces(self):
        """projects.md: workspace and workspace_object; context project/<id>/workspace/<build>."""
        built = self.db.execute("SELECT project, build, wrapped_dek FROM workspace WHERE state = 'ready' "
                                "ORDER BY project, build").fetchall()
        for project, build, wrapped in built:
            dek = unwrap(self.kek, wrapped, "project/%s/workspace/%d" % (project, build))
            objects = self.db.execute(
                "SELECT table_name, logical_name, object_name, rows, ciphertext_size, ciphertext_sha256 "
                "FROM workspace_object WHERE project = ? AND build = ? ORDER BY logical_name",
                (project, build)).fetchall()
            for table, logical, recorded, rows, size, digest in objects:
                if not logical.startswith("projects/%s/ws%d/" % (project, build)):
                    raise Mismatch("%s: not under projects/%s/ws%d/" % (logical, project, build))
                n, _ = parquet_rows(self.open_object(logical, dek, recorded, size, digest), logical)
                if rows is not None and n != rows:
                    raise Mismatch("%s: %d rows in the object, %d recorded" % (logical, n, rows))
            print("project %s workspace %d: %d object(s)" % (project, build, len(objects)))
        # The project key: context project/<id>/pseudonyms (projects.md, `project`).
        for project, wrapped in self.db.execute("SELECT id, wrapped_pseudonym_key FROM project "
                                                "WHERE length(wrapped_pseudonym_key) > 0"):
            unwrap(self.kek, wrapped, "project/%s/pseudonyms" % project)
        return len(built)

    def tokens(self, tokens):
        """directory.md, "API tokens": hdh_<id>_<secret>, api_token.secret_sha256 = SHA-256 of the 32 secret bytes."""
        for token in tokens:
            # The secret's alphabet has '_' too: cut by position, not by '_'.
            if len(token) != 64 or token[:4] != "hdh_" or token[20] != "_":
                raise Mismatch("a token is not hdh_<16 hex>_<43 base64url>")
            token_id, secret = token[4:20], base64.urlsafe_b64decode(token[21:] + "=")
            row = self.db.execute("SELECT user_name, secret_sha256 FROM api_token WHERE id = ?", (token_id,)).fetchone()
            if row is None or len(secret) != 32 or hashlib.sha256(secret).digest() != row[1]:
                raise Mismatch("token %s does not match its api_token row" % token_id)
            print("token %s of %s" % (token_id, row[0]))

    def audit(self):
        """audit-log.md §4 (signing key file, checkpoint) and §7 (published), hub-directory.md (audit/checkpoint)."""
        audit_dir = os.path.join(self.hub, "state", "audit")
        lines = open(os.path.join(self.hub, "state", "audit_signing.key"), "rb").read().split(b"\n")
        if len(lines) != 4 or lines[0] != b"hdhub-audit-key v1" or lines[3] != b"":
            raise Mismatch("audit_signing.key is not three lines headed 'hdhub-audit-key v1'")
        vkey = lines[1].decode()
        name = vkey.split("+", 1)[0]  # the key's base64 may hold "+" too
        seed = unwrap(self.kek, base64.b64decode(lines[2], validate=True), "audit/signing-key/" + name)
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if base64.b64decode(vkey.split("+", 2)[2])[1:] != public:
            raise Mismatch("the unwrapped signing seed does not give the verifier key of line 2")
        # The host's checkpoint: key = HMAC-SHA256(ring's "audit-checkpoint", "sealing key v1").
        key = hmac.new(self.ring["audit-checkpoint"], b"sealing key v1", hashlib.sha256).digest()
        note = self.open_object("audit/checkpoint", key).decode("utf-8")
        try:
            origin, size, root = audit_verify.verify_checkpoint(note, vkey)
        except (audit_verify.VerifyError, InvalidSignature, ValueError) as e:
            raise Mismatch("host checkpoint: %s" % e) from None
        if origin != name:
            raise Mismatch("host checkpoint origin %s is not the log key's name" % origin)
        published = os.path.join(audit_dir, "published")
        if os.path.exists(published) and open(published, encoding="utf-8").read() != note:
            raise Mismatch("state/audit/published differs from the host's checkpoint")
        leaves = audit_verify.read_segments(audit_dir)
        if len(leaves) < size or audit_verify.merkle_root(leaves[:size]) != root:
            raise Mismatch("the segments do not give the host checkpoint's root")
        print("audit: host checkpoint of %d entries signed by %s; log of %d entries" % (size, name, len(leaves)))


    def state_backup(self):
        """state-backup.md: the root (fixed name, root key wrapped with context state/root), then the
        manifest, the log's chunks and the catalog copy, sealed with the backup key."""
        r = hashlib.sha256(b"hdhub-state-root v1").hexdigest()
        root_name = "o/%s/%s" % (r[:2], r)
        data = open(os.path.join(self.host, root_name), "rb").read()
        if data[:8] != b"HDHROOT1" or len(data) < 12:
            raise Mismatch("state root: no HDHROOT1 header")
        n = int.from_bytes(data[8:12], "big")
        root_key = unwrap(self.kek, data[12:12 + n], "state/root")
        try:
            plain = AESGCM(root_key).decrypt(data[12 + n:24 + n], data[24 + n:], b"hdhub-state-root v1")
        except InvalidTag:
            raise Mismatch("state root: does not decrypt under its root key") from None
        self.opened.add(root_name)
        self.read += 1
        payload = json.loads(plain)
        for field, local in (("keyring", "keyring"), ("audit_signing_key", "audit_signing.key")):
            if base64.b64decode(payload[field], validate=True) != open(os.path.join(self.hub, "state", local),
                                                                       "rb").read():
                raise Mismatch("state root: %s differs from state/%s" % (field, local))
        key = hmac.new(self.ring["audit-checkpoint"], b"state backup key v1", hashlib.sha256).digest()
        manifest = json.loads(self.open_object("state/manifest", key))
        if manifest.get("format") != 1 or manifest["root_sha256"] != hashlib.sha256(plain).hexdigest():
            raise Mismatch("state manifest: format %r, or root_sha256 not the root's payload" % manifest.get("format"))

        def part(logical, described):
            body = self.open_object(logical, key, None, described["bytes"], described["sha256"])
            if len(body) != described["plain_bytes"] or hashlib.sha256(body).hexdigest() != described["plain_sha256"]:
                raise Mismatch("%s: plaintext differs from the manifest" % logical)
            return body

        leaves = []
        for chunk in manifest["chunks"]:
            if chunk["first"] != len(leaves) or chunk["count"] < 1:
                raise Mismatch("state manifest: chunk at %d after %d entries" % (chunk["first"], len(leaves)))
            logical = "state/audit/%020d-%d" % (chunk["first"], chunk["count"])
            got = audit_verify.read_records(part(logical, chunk), 0, len(leaves), logical)
            if len(got) != chunk["count"]:
                raise Mismatch("%s: %d records" % (logical, len(got)))
            leaves += got
        local = audit_verify.read_segments(os.path.join(self.hub, "state", "audit"))
        if len(leaves) != manifest["log_size"] or local[:len(leaves)] != leaves:
            raise Mismatch("the backed-up log is not the first %d entries of state/audit" % manifest["log_size"])
        catalog = manifest["catalog"]
        image = bytearray(part("state/catalog/%d" % catalog["version"], catalog))
        # The catalog runs in WAL mode (header bytes 18-19 = 2), which a database in memory cannot
        # open: read the copy as a rollback-journal database (1, 1), as the SQLite file format allows.
        image[18:20] = b"\x01\x01"
        copy = sqlite3.connect(":memory:")
        copy.deserialize(bytes(image))
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok" or not copy.execute(
                "SELECT count(*) FROM dataset_version").fetchone()[0]:
            raise Mismatch("the catalog copy is not a catalog database with its dataset versions")
        print("state backup: %d log entries in %d chunk(s), catalog version %d" %
              (len(leaves), len(manifest["chunks"]), catalog["version"]))

    def unaccounted(self):
        """Host objects no page explains (hub-directory.md: every object is o/<2 hex>/<64 hex>)."""
        on_host = {os.path.relpath(os.path.join(d, f), self.host)
                   for d, _, files in os.walk(self.host) for f in files}
        return sorted(on_host - self.opened)


def query(argv):
    """--query HUB SQL [PARAM...]: prints the first column of the first row of SQL on the decrypted local
    database. --wait SECONDS PID HUB SQL [PARAM...]: polls until that value is truthy (exit 0), or PID ends or
    the time is out (exit 1)."""
    wait = argv[0] == "--wait"
    seconds, pid = (float(argv[1]), int(argv[2])) if wait else (0, 0)
    hub, sql, params = (argv[3], argv[4], argv[5:]) if wait else (argv[1], argv[2], argv[3:])
    config = json.load(open(os.path.join(hub, "hub.json")))
    kek = open_key_file(store_path(hub, config["keys"], "keyfile"), os.environb[b"HDHUB_PASSPHRASE"])
    key = local_state_key(read_key_ring(hub, kek, config))
    deadline = time.monotonic() + seconds
    while True:
        with tempfile.TemporaryDirectory() as scratch:
            try:
                db = sqlite3.connect(decrypt_local_database(hub, key, scratch))
                row = db.execute(sql, params).fetchone()
                db.close()
            except sqlite3.Error:
                row = None
        if not wait:
            print(row[0] if row else "")
            return 0
        if row and row[0]:
            return 0
        try:
            os.kill(pid, 0)
        except OSError:
            return 1
        if time.monotonic() > deadline:
            return 1
        time.sleep(0.01)


def main(argv):
    if argv and argv[0] in ("--query", "--wait") and "HDHUB_PASSPHRASE" in os.environ:
        return query(argv)
    if len(argv) != 1 or "HDHUB_PASSPHRASE" not in os.environ:
        print(__doc__, file=sys.stderr)
        return 2
    tokens = [t for t in os.environ.get("HUB_READER_TOKENS", "").split(",") if t]
    try:
        reader = Reader(argv[0], os.environb[b"HDHUB_PASSPHRASE"])
        reader.datasets()
        reader.workspaces()
        reader.audit()
        reader.state_backup()
        reader.tokens(tokens)
        left = reader.unaccounted()
        if left:
            raise Mismatch("%d object(s) on the host read by none of the pages, first %s" % (len(left), left[0]))
    except (Mismatch, audit_verify.VerifyError) as e:
        print("hub_reader.py: %s" % e, file=sys.stderr)
        return 1
    print("%d sealed objects read" % reader.read)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
