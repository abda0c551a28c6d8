# Builds testdata/audit/rfc6962_vectors.json from the published RFC 6962 test
# tree (transparency-dev/merkle testonly/constants.go and proof/verify_test.go)
# plus tampered variants derived from them.
import json, copy
leaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
leaf_hashes = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
 "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
 "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
 "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
 "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
 "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"]
roots = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
 "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
 "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
 "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
 "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
 "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
 "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
inclusion = [
 {"index": 0, "size": 1, "proof": []},
 {"index": 0, "size": 8, "proof": ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]},
 {"index": 5, "size": 8, "proof": ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]},
 {"index": 2, "size": 3, "proof": ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]},
 {"index": 1, "size": 5, "proof": ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]},
]
consistency = [
 {"size1": 1, "size2": 1, "proof": []},
 {"size1": 1, "size2": 8, "proof": ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]},
 {"size1": 6, "size2": 8, "proof": ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]},
 {"size1": 2, "size2": 5, "proof": ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]},
 {"size1": 6, "size2": 7, "proof": ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
   "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]},
]
some = "abacaba000000000000000000000000000000000000000000060061e00123456"
def flip(h, bit):
    b = bytearray(bytes.fromhex(h)); b[0] ^= bit; return b.hex()
bad_inc = []
for v in inclusion:
    i, n, p = v["index"], v["size"], v["proof"]
    leaf, root = leaf_hashes[i], roots[n]
    def add(desc, **kw):
        d = {"desc": desc, "index": i, "size": n, "leaf_hash": leaf, "root": root, "proof": list(p)}
        d.update(kw); bad_inc.append(d)
    add("wrong leaf", leaf_hash=leaf_hashes[(i + 1) % 8])
    add("index + 1", index=i + 1)
    if i > 0: add("index - 1", index=i - 1)
    add("size * 2", size=n * 2)
    if n > 1: add("size / 2", size=n // 2)
    add("random root", root=some)
    add("empty root", root=roots[0])
    add("extra element", proof=p + [root])
    add("preceding element", proof=[root] + p)
    if p: add("truncated proof", proof=p[:-1])
    for k in range(len(p)):
        q = list(p); q[k] = flip(q[k], 8); add("flipped bit in proof[%d]" % k, proof=q)
bad_cons = []
for v in consistency:
    m, n, p = v["size1"], v["size2"], v["proof"]
    if not p: continue
    r1, r2 = roots[m], roots[n]
    def add(desc, **kw):
        d = {"desc": desc, "size1": m, "size2": n, "root1": r1, "root2": r2, "proof": list(p)}
        d.update(kw); bad_cons.append(d)
    add("swapped roots", root1=r2, root2=r1)
    add("wrong root1", root1=some)
    add("wrong root2", root2=some)
    add("size1 + 1", size1=m + 1)
    if m > 1: add("size1 - 1", size1=m - 1)
    add("size2 * 2", size2=n * 2)
    add("empty proof", proof=[])
    add("truncated proof", proof=p[:-1])
    add("extra element", proof=p + [r2])
    add("preceding element", proof=[r1] + p)
    for k in range(len(p)):
        q = list(p); q[k] = flip(q[k], 16); add("flipped bit in proof[%d]" % k, proof=q)
out = {
 "source": "RFC 6962 test tree as published in transparency-dev/merkle (testonly/constants.go, proof/verify_test.go); tampered variants derived from them",
 "leaves": leaves, "leaf_hashes": leaf_hashes, "roots": roots,
 "inclusion": inclusion, "consistency": consistency,
 "tampered_inclusion": bad_inc, "tampered_consistency": bad_cons}
json.dump(out, open("rfc6962_vectors.json", "w"), indent=1)
print(len(bad_inc), len(bad_cons))
