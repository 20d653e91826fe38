#!/usr/bin/env bash
# Make this checkout ready to run: a .venv with khal installed (editable, with its test extra), and,
# where this machine allows it, the Debian packages that give WebGPU a CPU Vulkan driver (lavapipe)
# and SPIR-V tools. Idempotent: a second run only checks. Sourced by demo.sh and test.sh, or run alone.
#
# Environment: PYTHON (default python3) picks the interpreter for a new .venv;
# KHAL_SKIP_APT=1 skips the Debian packages.

set -euo pipefail

KHAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$KHAL_ROOT/.venv"
APT_PACKAGES=(mesa-vulkan-drivers libvulkan1 spirv-tools)

note() { echo "[khal setup] $*" >&2; }

# Runs a command as root: directly when we are root, through passwordless sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 1
  fi
}

can_apt() {
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 || return 1
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }
}

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_debian_packages() {
  if [ "${KHAL_SKIP_APT:-0}" = 1 ]; then
    note "KHAL_SKIP_APT=1: not installing ${APT_PACKAGES[*]}"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    note "not a Debian system: install a Vulkan driver and spirv-tools yourself for the WebGPU backend"
    return 0
  fi
  local missing
  missing="$(missing_debs "${APT_PACKAGES[@]}" | tr '\n' ' ')"
  [ -n "${missing// /}" ] || return 0
  if ! can_apt; then
    note "skipping Debian packages ($missing): needs root or passwordless sudo; the WebGPU backend"
    note "and SPIR-V validation stay unavailable, everything else works"
    return 0
  fi
  note "installing Debian packages: $missing"
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt_install $missing || note "apt-get failed for $missing; continuing without them"
}

make_venv() {
  [ -x "$VENV/bin/python" ] && return 0
  local python="${PYTHON:-python3}"
  command -v "$python" >/dev/null 2>&1 || { note "no $python on PATH: install Python >= 3.11"; exit 1; }
  note "creating $VENV with $("$python" --version 2>&1)"
  if ! "$python" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    # Debian splits venv out of python3; install it when we can.
    local version
    version="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    if can_apt; then
      note "installing python$version-venv (Debian ships venv separately)"
      apt_install "python$version-venv" || apt_install python3-venv
      "$python" -m venv "$VENV"
    else
      note "'$python -m venv' failed: install the python$version-venv package and run again"
      exit 1
    fi
  fi
}

install_khal() {
  # Reinstall only when pyproject.toml changed since the last install (pip is slow even when it has nothing to do).
  local stamp="$VENV/.khal-installed"
  local want
  want="$(sha256sum "$KHAL_ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$VENV/bin/python" -c "import khal" 2>/dev/null; then
    return 0
  fi
  note "installing khal and its test dependencies into $VENV (first time: a few minutes)"
  # -qq: errors only (this machine's pip config may add index locations that pip warns about).
  "$VENV/bin/python" -m pip install -qq --upgrade pip
  "$VENV/bin/python" -m pip install -qq -e "$KHAL_ROOT[test]"
  echo "$want" >"$stamp"
}

install_debian_packages
make_venv
install_khal
