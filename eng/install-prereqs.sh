#!/usr/bin/env bash
# Installs what Hermes.NET needs from the operating system before `dotnet` can run TorchSharp.
#
# TorchSharp 0.107.0 (LibTorch 2.10) ships libLibTorchSharp.so linked against libstdc++ with GLIBCXX_3.4.32
# (GCC 13+). Debian 12 and Ubuntu 22.04 ship GCC 12 (GLIBCXX_3.4.30), so the native library fails to load.
#
#  - A no-op (and fast) when the system libstdc++ already exports GLIBCXX_3.4.32.
#  - On Debian 12 as root: installs libstdc++6 from Debian 13 ("trixie") through an apt source that exists
#    only for this one command; the system's apt configuration is left untouched.
#  - Elsewhere: prints exactly what to install and exits non-zero.
#
# Idempotent: safe to run before every build.
set -euo pipefail

need=GLIBCXX_3.4.32

find_libstdcxx() {
  local p
  p=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF; exit}')
  [ -z "$p" ] && p=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6/ {print $NF; exit}')
  for c in "$p" /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 /usr/lib64/libstdc++.so.6; do
    [ -n "$c" ] && [ -e "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

has_symbol() {
  local lib
  lib=$(find_libstdcxx) || return 1
  # grep -a works without binutils; the version strings are stored verbatim in .gnu.version_d
  grep -aq "$need" "$lib"
}

case "$(uname -s)" in
  Linux) ;;
  *) echo "install-prereqs: $(uname -s): nothing to install (TorchSharp ships its own runtime here)."; exit 0 ;;
esac

# Fonts for the text in pictures (Hermes.Visualization: overlay captions, chart titles and axes). SkiaSharp's
# dependency-free Linux build reads /usr/share/fonts directly. Best effort: without a font the pictures are still
# drawn, without their text, so a failure here only warns.
if [ -z "$(find /usr/share/fonts -name '*.ttf' -print -quit 2>/dev/null)" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "install-prereqs: no TrueType font under /usr/share/fonts; installing fonts-dejavu-core…"
    DEBIAN_FRONTEND=noninteractive apt-get -q install -y fonts-dejavu-core >/dev/null 2>&1 \
      || { apt-get -q update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get -q install -y fonts-dejavu-core >/dev/null 2>&1; } \
      || echo "install-prereqs: fonts-dejavu-core could not be installed; pictures will have no text." >&2
  else
    echo "install-prereqs: no TrueType font under /usr/share/fonts; pictures will have no text (install fonts-dejavu-core)." >&2
  fi
fi

if has_symbol; then
  echo "install-prereqs: libstdc++ exports $need — nothing to do."
  exit 0
fi

. /etc/os-release 2>/dev/null || true
if [ "${ID:-}" = "debian" ] && [ "${VERSION_ID:-}" = "12" ] && [ "$(id -u)" = "0" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  echo "install-prereqs: libstdc++ lacks $need; installing libstdc++6 from Debian 13 (trixie) with a scoped apt source…"
  d=$(mktemp -d)
  trap 'rm -rf "$d"' EXIT
  mkdir -p "$d/lists/partial"
  awk 'BEGIN{RS="";ORS="\n\n"} NR==1' /etc/apt/sources.list.d/debian.sources \
    | sed 's/^Suites:.*/Suites: trixie/' > "$d/trixie.sources"
  o="-oDir::Etc::SourceList=/dev/null -oDir::Etc::SourceParts=$d -oDir::State::Lists=$d/lists"
  # shellcheck disable=SC2086
  apt-get $o -q update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get $o -q install -y -t trixie libstdc++6
  if has_symbol; then
    echo "install-prereqs: done — libstdc++ now exports $need."
    exit 0
  fi
  echo "install-prereqs: libstdc++6 from trixie was installed but $need is still missing." >&2
  exit 1
fi

cat >&2 <<MSG
install-prereqs: the system libstdc++ does not export $need, which TorchSharp's native library
(libLibTorchSharp.so, LibTorch 2.10) requires. Install a libstdc++ from GCC 13 or newer:
  - Debian 12:     run this script as root (it installs libstdc++6 from Debian 13 'trixie', scoped to one command)
  - Ubuntu 22.04:  sudo add-apt-repository ppa:ubuntu-toolchain-r/test && sudo apt-get install libstdc++6
  - RHEL/Rocky 8-9: install gcc-toolset-13-runtime (or newer) and add its lib64 to LD_LIBRARY_PATH
  - any distro:    a conda env with 'libstdcxx-ng>=13', then prepend its lib/ to LD_LIBRARY_PATH
MSG
exit 1
