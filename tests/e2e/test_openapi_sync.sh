#!/usr/bin/env bash
# test_openapi_sync.sh: api/openapi.yaml and the route table of
# server/http_routes.c describe the same API: every route is documented with
# its method and access level (x-vigie-access), every documented operation
# is a route, public operations and only they carry `security: []`, every
# $ref resolves, and every error code the handlers send is in ErrorCode.
# Prints TAP; exits 0 only when every test passes.
set -u
cd "$(dirname "$0")/../.." || exit 1

if ! command -v python3 >/dev/null 2>&1; then
  echo "1..1"
  echo "not ok 1 - python3 is installed (needed to read api/openapi.yaml)"
  exit 1
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "1..1"
  echo "not ok 1 - python3-yaml is installed (run tools/deps.sh or: apt-get install -y python3-yaml)"
  exit 1
fi

python3 - api/openapi.yaml server/http_routes.c server <<'PYTHON'
import glob
import re
import sys

import yaml

spec_path, routes_path, server_dir = sys.argv[1:4]
results = []  # (passed, name, diagnostics)


def check(passed, name, diagnostics=""):
    results.append((bool(passed), name, diagnostics))


# --- the YAML ---
spec = None
try:
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    check(isinstance(spec, dict), f"{spec_path} parses as a YAML mapping")
except (OSError, yaml.YAMLError) as e:
    check(False, f"{spec_path} parses as a YAML mapping", str(e))
if not isinstance(spec, dict):
    spec = {}
paths = spec.get("paths") if isinstance(spec.get("paths"), dict) else {}
check(str(spec.get("openapi", "")).startswith("3.1") and paths,
      "it is an OpenAPI 3.1 document with paths",
      f"openapi: {spec.get('openapi')!r}, {len(paths)} paths")

# --- the route table ---
ACCESS = {"ACCESS_PUBLIC": "public", "ACCESS_READ": "read",
          "ACCESS_OPERATE": "operate", "ACCESS_ADMIN": "admin",
          "ACCESS_DEVICE": "device"}
try:
    with open(routes_path, encoding="utf-8") as f:
        source = f.read()
except OSError as e:
    source = ""
    check(False, f"{routes_path} is readable", str(e))
source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
source = re.sub(r"//[^\n]*", "", source)
table = re.search(r"\broutes\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\};", source, re.S)
block = table.group(1) if table else ""
row = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(ACCESS_\w+)\s*\}')
routes = [(m.group(1), m.group(2), m.group(4)) for m in row.finditer(block)]
# Every row of the table must have been understood, or a route the regular
# expression missed would pass unchecked.
rows_in_block = block.count("ACCESS_")
check(table and routes and len(routes) == rows_in_block,
      f"the route table of {routes_path} is read ({len(routes)} routes)",
      f"rows mentioning ACCESS_: {rows_in_block}, rows parsed: {len(routes)}")
duplicates = {(m, p) for m, p, _ in routes if sum(1 for r in routes if r[:2] == (m, p)) > 1}
check(not duplicates, "no route appears twice in the route table",
      ", ".join(f"{m} {p}" for m, p in sorted(duplicates)))

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation(method, path):
    item = paths.get(path)
    if not isinstance(item, dict):
        return None
    op = item.get(method.lower())
    return op if isinstance(op, dict) else None


# --- (b) every route is documented, with the same access ---
for method, path, access in routes:
    want = ACCESS.get(access, access)
    op = operation(method, path)
    if op is None:
        check(False, f"route {method} {path} is in openapi.yaml",
              f"no `{method.lower()}` under paths.{path!r}")
        continue
    got = op.get("x-vigie-access")
    check(got == want, f"route {method} {path} is in openapi.yaml with x-vigie-access: {want}",
          f"openapi.yaml says x-vigie-access: {got!r}")

# --- (c) every documented operation is a route ---
route_keys = {(m, p) for m, p, _ in routes}
for path, item in sorted(paths.items()):
    if not isinstance(item, dict):
        check(False, f"openapi.yaml path {path} is a path item")
        continue
    for method in HTTP_METHODS:
        if method in item:
            check((method.upper(), path) in route_keys,
                  f"openapi.yaml {method.upper()} {path} is in the route table",
                  f"no {{\"{method.upper()}\", \"{path}\", ...}} row in {routes_path}")

# --- security follows access ---
wrong_security = []
for path, item in paths.items():
    for method in HTTP_METHODS:
        op = item.get(method) if isinstance(item, dict) else None
        if not isinstance(op, dict):
            continue
        public = op.get("x-vigie-access") == "public"
        open_security = op.get("security") == []
        if public != open_security:
            wrong_security.append(f"{method.upper()} {path}")
check(spec.get("security") and not wrong_security,
      "public operations, and only they, have `security: []`; the default is the bearer token",
      ", ".join(wrong_security))

# --- every $ref resolves ---
broken = []


def walk(node, where):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = spec
            if not ref.startswith("#/"):
                broken.append(f"{where}: {ref} (only local references)")
            else:
                for part in ref[2:].split("/"):
                    part = part.replace("~1", "/").replace("~0", "~")
                    if isinstance(target, dict) and part in target:
                        target = target[part]
                    else:
                        broken.append(f"{where}: {ref}")
                        break
        for key, value in node.items():
            walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk(value, f"{where}/{i}")


walk(spec, "#")
check(not broken, "every $ref in openapi.yaml resolves", "; ".join(broken[:5]))

# --- every error code the handlers send is documented ---
codes = set()
for name in sorted(glob.glob(f"{server_dir}/*.c")):
    with open(name, encoding="utf-8") as f:
        text = f.read()
    for m in re.finditer(r'\bapi_error\s*\(\s*[^,;]+,\s*[^,;]+,\s*"([^"]+)"', text):
        codes.add(m.group(1))
error_codes = (spec.get("components", {}).get("schemas", {}).get("ErrorCode", {}) or {}).get("enum") or []
missing = sorted(codes - set(error_codes))
check(codes and not missing,
      f"every error code of an api_error() call ({len(codes)}) is in the ErrorCode enum",
      "missing: " + ", ".join(missing))

print(f"1..{len(results)}")
for number, (passed, name, diagnostics) in enumerate(results, 1):
    print(f"{'ok' if passed else 'not ok'} {number} - {name}")
    if not passed and diagnostics:
        print(f"#   {diagnostics}")
sys.exit(0 if all(passed for passed, _, _ in results) else 1)
PYTHON
