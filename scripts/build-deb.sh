#!/usr/bin/env bash
# Builds hotline-appliance_VERSION_amd64.deb and hotline-central_VERSION_amd64.deb with
# dpkg-buildpackage (debian/), into .build/deb: `debug` packages the test build (CI), `release`
# (the default) makes a release build first.
#
#   scripts/build-deb.sh [release|debug]        prints the path of hotline-appliance_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "build-deb: the Swift toolchain is not on PATH" >&2; exit 3; }
command -v dpkg-buildpackage >/dev/null || { echo "build-deb: dpkg-buildpackage missing (apt-get install dpkg-dev debhelper)" >&2; exit 3; }
version="$(sed -n 's/.*static let current = "\(.*\)"/\1/p' Sources/HotlineModel/FirmwareVersion.swift)"
changelog="$(dpkg-parsechangelog -S Version)"
[ "$version" = "$changelog" ] || { echo "build-deb: FirmwareVersion is $version, debian/changelog says $changelog" >&2; exit 1; }
config="${1:-release}"
# The debug build is the tests' (--build-tests: the same flags, so nothing compiles again). In
# this environment as it came: a package manifest that reads the environment (Hummingbird's)
# makes SwiftPM compile again when it changes.
case "$config" in
  debug) swift build --build-tests >&2 ;;
  release) swift build -c release >&2 ;;
  *) echo "build-deb: the build is release or debug, not $config" >&2; exit 2 ;;
esac
export HOTLINE_BUILD="$config"
# -d: the toolchain is not a Debian package, so the build-dependency check would not see it.
dpkg-buildpackage -b -d -us -uc --no-sign >&2
mkdir -p .build/deb
mv ../hotline-appliance_"$version"_amd64.deb ../hotline-central_"$version"_amd64.deb .build/deb/
rm -f ../hotline_"$version"_amd64.buildinfo ../hotline_"$version"_amd64.changes
echo "$PWD/.build/deb/hotline-appliance_${version}_amd64.deb"
