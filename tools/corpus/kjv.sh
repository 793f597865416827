#!/usr/bin/env bash
# Rebuilds data/kjv/kjv.txt.gz from Debian's packages: bible-kjv-text holds the King James Bible in
# the compressed format of the Bible Retrieval System, and bible-kjv's `bible` program prints it.
# The output is one verse per line with its reference ("Ge1:1 ") removed; gzip -n keeps the file
# byte-identical from run to run. Needs apt (no root: apt-get download) and dpkg-deb.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download bible-kjv-text=4.38 bible-kjv=4.38 >/dev/null
dpkg-deb -x bible-kjv-text_4.38_all.deb x
dpkg-deb -x bible-kjv_4.38_*.deb x
x/usr/bin/bible -f -d x/usr/lib/bible.data gen1:1-rev22:21 > raw.txt
test "$(wc -l < raw.txt)" -eq 31102
sed -E 's/^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ //' raw.txt > kjv.txt
gzip -9 -n -c kjv.txt > "$root/data/kjv/kjv.txt.gz"
sha256sum kjv.txt "$root/data/kjv/kjv.txt.gz"
