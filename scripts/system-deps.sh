#!/usr/bin/env bash
# Debian packages dangjian needs beyond Python: gettext (translations), a CJK font (PDFs and
# screenshots render Chinese), chromium (browser tests), poppler-utils (PDF checks render pages to
# PNG). Installs what is missing when it can; otherwise says exactly what is missing and how.
set -u
missing=()
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing Debian packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo -n"
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }; then
  export DEBIAN_FRONTEND=noninteractive
  if $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/dangjian-apt.log 2>&1 \
     || { $sudo_cmd apt-get update -q >>/tmp/dangjian-apt.log 2>&1 \
          && $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/dangjian-apt.log 2>&1; }; then
    echo "system-deps: installed ${missing[*]}"
    exit 0
  fi
  echo "system-deps: apt-get failed (log: /tmp/dangjian-apt.log)."
fi
echo "system-deps: MISSING Debian packages: ${missing[*]}"
echo "  Install them with:  sudo apt-get install ${missing[*]}"
case " ${missing[*]} " in *" gettext "*) echo "  gettext is required (translations)."; exit 1;; esac
echo "  Without chromium the browser tests are skipped; without a CJK font Chinese renders as boxes."
exit 0
