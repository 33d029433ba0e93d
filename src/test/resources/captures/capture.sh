#!/bin/sh
# Refreshes the packet fixtures in this directory from real boots.
#
# Runs the end-to-end test (BootEndToEndTest: SeaBIOS + iPXE ROM, OVMF + EDK2 PXE, through bootferry,
# with tcpdump on the lab's bridge) and lets it write the first packet of each kind the clients sent
# here instead of target/e2e/captures/. Needs root (network namespaces) and the packages of
# scripts/test-deps.sh. Review `git diff --stat` afterwards: transaction ids, timestamps and
# EDK2's random ports differ on every run, the options should not.
#
# usage: src/test/resources/captures/capture.sh    (from anywhere)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
cd "$root"
mvn -B -q test -Dtest=BootEndToEndTest -Dbootferry.captures="$here"
ls -l "$here"/dhcp "$here"/tftp
