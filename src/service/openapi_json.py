"""Writes docs/openapi.yaml as a C++ source defining meal::service::OpenApiJson().

Usage: openapi_json.py SPEC.yaml OUT.cc

The YAML is the one maintained copy; the JSON the service serves is derived from it at build
time, so the two cannot drift. Needs PyYAML (Debian: python3-yaml).
"""
import json
import sys

import yaml


def main() -> None:
    spec_path, out_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding="utf-8") as f:
        # safe_load turns unquoted dates and the like into Python objects; json.dumps then fails
        # loudly instead of serving something the author did not write.
        spec = yaml.safe_load(f)
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    delimiter = "openapi"
    if f"){delimiter}\"" in text:
        sys.exit(f"{spec_path}: contains the raw-string delimiter ){delimiter}\"")
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("// Generated from docs/openapi.yaml by src/service/openapi_json.py; do not edit.\n"
                  '#include "service/openapi.h"\n\n'
                  "namespace meal::service {\n\n"
                  "std::string_view OpenApiJson() {\n"
                  f"  static constexpr std::string_view kJson = R\"{delimiter}({text}){delimiter}\";\n"
                  "  return kJson;\n"
                  "}\n\n"
                  "}  // namespace meal::service\n")


if __name__ == "__main__":
    main()
