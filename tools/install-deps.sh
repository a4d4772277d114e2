#!/bin/sh
# install-deps.sh — installs the Debian packages falco-lint needs to build
# and test, when they are missing (apt-get; run as root or through sudo).
set -eu
PKGS="gcc make pkg-config libyaml-dev libpcre2-dev libcmocka-dev python3 python3-jsonschema valgrind clang mandoc pre-commit git"
missing=""
for p in $PKGS; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all present"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
