#!/bin/sh
# Draws the app's PNG icons (static/icons/) from the trophy of static/favicon.svg with headless
# Chromium, so no image library is needed. Run again after the favicon changes, then commit.
set -eu
cd "$(dirname "$0")/.."
out=static/icons
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chromium=${CHROMIUM:-/usr/bin/chromium}
favicon=$(cat static/favicon.svg)
# The trophy alone: every element of the favicon after its background square.
trophy=$(printf '%s' "$favicon" | sed -e 's/^<svg[^>]*><rect[^>]*\/>//' -e 's/<\/svg>$//')

draw() { # name size svg
	printf '<!doctype html><style>html,body{margin:0;overflow:hidden}svg{display:block;width:%spx;height:%spx}</style>%s' \
		"$2" "$2" "$3" >"$work/$1.html"
	"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
		--default-background-color=00000000 --window-size="$2,$2" \
		--screenshot="$out/$1.png" "file://$work/$1.html" 2>/dev/null
}
# A full-bleed square with the trophy scaled into the middle (a maskable icon's safe zone is the
# central 80 % circle; iOS rounds the corners of apple-touch-icon itself).
square() { # scale
	printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#0f172a"/><g transform="translate(32 33) scale(%s) translate(-32 -31.5)">%s</g></svg>' \
		"$1" "$trophy"
}
mkdir -p "$out"
draw icon-192 192 "$favicon"
draw icon-512 512 "$favicon"
draw icon-maskable-512 512 "$(square 0.72)"
draw apple-touch-icon 180 "$(square 0.85)"
