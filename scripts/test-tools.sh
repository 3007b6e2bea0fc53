#!/bin/sh
# The programs the test suite opens the bot's exports with, besides Python: LibreOffice converts
# the XLSX and DOCX to PDF and poppler reads the PDF's text, as a person's office software would.
# Liberation fonts have the widths of Times New Roman and Arial, which the exports are set in.
# Installs them from Debian's packages when missing (as root, or through sudo); does nothing when
# they are there.
set -eu
if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
    && [ -d /usr/share/fonts/truetype/liberation2 ]; then
    exit 0
fi
packages="libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils fonts-dejavu-core fonts-liberation2"
if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
else
    sudo=
fi
echo "installing LibreOffice and poppler for the tests: $packages"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086 # the package list is split on purpose
$sudo apt-get install -y -q --no-install-recommends $packages >/dev/null
