#!/usr/bin/env bash
# Installs everything nianbao needs on a fresh Debian machine: the Debian packages of the real
# external tools (LibreOffice, tesseract with chi_sim, poppler, Chromium, a CJK font) and a
# virtual environment in .venv holding the project and its Python dependencies.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv            # the virtual environment on a stock Debian Python
  libreoffice-writer-nogui  # DOC/WPS -> DOCX conversion, and PDF rendering of fixtures
  python3-uno             # LibreOffice's UNO for /usr/bin/python3: the listener each extract worker keeps
  tesseract-ocr tesseract-ocr-chi-sim  # OCR of scanned reports
  poppler-utils           # pdftoppm: rasterising PDFs for OCR and scan fixtures
  chromium                # the browser behind scrapy-playwright and the site's browser tests
  fonts-wqy-microhei      # a CJK font so PDFs, OCR fixtures and screenshots show Chinese
  sqlite3                 # the command-line shell researchers use on snapshots
  openssl                 # the portal farm's self-signed certificate for its https portals
  systemd                 # systemd-analyze checks the generated timer and service units
  redis-server            # the shared frontier, host slots and task queue of crawls and extraction on many workers
  strace                  # the network-namespace test traces every connect() of a crawl (tests/crawler/test_netns.py)
  iproute2                # `ip link set lo up` inside that test's namespace
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "nianbao installed in .venv"
