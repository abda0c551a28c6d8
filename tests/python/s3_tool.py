#!/usr/bin/env python3
"""A few raw S3 operations on the test radosgw, for tests that act as the
host (or check what it holds) behind the hub's back, signed with AWS SigV4
here (curl's --aws-sigv4 mis-signs a query such as ?uploads&prefix=); the
credentials come from HDHUB_S3_ACCESS_KEY_ID and HDHUB_S3_SECRET_ACCESS_KEY
and never appear on a command line.

Usage (ENDPOINT, REGION from HDHUB_S3_ENDPOINT, HDHUB_S3_REGION):
  s3_tool.py mkbucket BUCKET           create a bucket (exists already: fine)
  s3_tool.py keys BUCKET PREFIX        every object key under PREFIX/, one per line
  s3_tool.py uploads BUCKET PREFIX     the number of multipart uploads in progress under PREFIX/
  s3_tool.py get BUCKET KEY FILE       an object's bytes into FILE
  s3_tool.py put BUCKET KEY FILE       FILE's bytes as the object (replacing it)
  s3_tool.py delete BUCKET KEY
Exit 1 on an HTTP error (naming the operation and status), 2 on a usage error.
"""
import datetime
import hashlib
import hmac
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def quote(s):
    return urllib.parse.quote(s, safe="-_.~")


def request(method, bucket, key="", query=None, body=b""):
    """One SigV4-signed request (payload unsigned); returns (status, body)."""
    endpoint = urllib.parse.urlsplit(os.environ["HDHUB_S3_ENDPOINT"])
    region = os.environ["HDHUB_S3_REGION"]
    path = "/" + bucket + ("/" + "/".join(quote(p) for p in key.split("/")) if key else "")
    query = query or {}
    canonical_query = "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(query.items()))
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    headers = {"host": endpoint.netloc, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, canonical_query] + [f"{h}:{headers[h]}" for h in sorted(headers)] +
                          ["", signed, "UNSIGNED-PAYLOAD"])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4" + os.environ["HDHUB_S3_SECRET_ACCESS_KEY"]).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={os.environ['HDHUB_S3_ACCESS_KEY_ID']}/{scope}, "
                                f"SignedHeaders={signed}, Signature={signature}")
    url = f"{endpoint.scheme}://{endpoint.netloc}{path}" + (f"?{canonical_query}" if canonical_query else "")
    req = urllib.request.Request(url, data=body if method == "PUT" else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main(argv):
    if len(argv) < 3:
        sys.exit(2)
    op, bucket = argv[1], argv[2]

    def ok(status, what, accept=(200, 204)):
        if status not in accept:
            sys.exit(f"s3_tool: {what}: HTTP {status}")

    if op == "mkbucket":
        status, _ = request("PUT", bucket)
        ok(status, "create bucket", (200, 409))
    elif op in ("keys", "uploads"):
        prefix = argv[3] + "/"
        q = {"list-type": "2", "prefix": prefix} if op == "keys" else {"uploads": "", "prefix": prefix}
        found = []
        while True:
            status, body = request("GET", bucket, query=q)
            ok(status, "list " + op)
            root = ET.fromstring(body)
            tag = "Contents" if op == "keys" else "Upload"
            found += [c.find(NS + "Key").text for c in root.findall(NS + tag)]
            if op == "uploads" or root.findtext(NS + "IsTruncated") != "true":
                break
            q["continuation-token"] = root.findtext(NS + "NextContinuationToken")
        print(len(found) if op == "uploads" else "\n".join(found))
    elif op == "get":
        status, body = request("GET", bucket, argv[3])
        ok(status, "get")
        with open(argv[4], "wb") as out:
            out.write(body)
    elif op == "put":
        with open(argv[4], "rb") as f:
            status, _ = request("PUT", bucket, argv[3], body=f.read())
        ok(status, "put")
    elif op == "delete":
        status, _ = request("DELETE", bucket, argv[3])
        ok(status, "delete")
    else:
        sys.exit(2)


main(sys.argv)
