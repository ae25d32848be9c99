#!/usr/bin/env python3
"""Links a product again with the Swift runtime linked in (static stdlib), from the objects of
the build SwiftPM already made: the link command is SwiftPM's own (from its build manifest,
.build/CONFIG.yaml), with -static-stdlib, the static Foundation's C parts and another output.
Building with `--static-swift-stdlib` instead would compile modules against the static runtime
in the same build directory, where SwiftPM cannot tell them apart, and spoil the next ordinary
build.

  scripts/static-link.py PRODUCT CONFIG OUT
"""
import subprocess
import sys

import yaml

product, config, out = sys.argv[1:4]
with open(f".build/{config}.yaml") as f:
    manifest = yaml.safe_load(f)
key = next((k for k in manifest["commands"] if k.startswith(f"C.{product}-") and k.endswith(f"-{config}.exe")), None)
if key is None:
    sys.exit(f"static-link: no link command for {product} in .build/{config}.yaml (build it first)")
args = list(manifest["commands"][key]["args"])
args[args.index("-o") + 1] = out
# The shared Foundation pulls these in itself; linked statically they are named.
args += ["-static-stdlib"] + [a for lib in ("CoreFoundation", "_FoundationICU", "_FoundationCShims", "_FoundationCollections")
                              for a in ("-Xlinker", "-l" + lib)]
subprocess.run(args, check=True)
