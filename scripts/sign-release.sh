#!/bin/sh
# Signs a release's SHA256SUMS with the PEM private key in $KEDGE_SIGNING_KEY (the
# repository secret), the way an operator checks it with openssl alone, offline:
#   ECDSA P-256 (recommended; any openssl):
#     openssl dgst -sha256 -verify kedge-release.pub.pem -signature SHA256SUMS.sig SHA256SUMS
#   Ed25519 (openssl >= 3.0):
#     openssl pkeyutl -verify -pubin -inkey kedge-release.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
# Writes DIR/SHA256SUMS.sig and DIR/kedge-release.pub.pem, and checks its own signature.
# With PUBLISHED (the key the docs publish), the signing key must be its private half.
# usage: sign-release.sh DIR [PUBLISHED]
set -eu
dir=${1:?usage: sign-release.sh DIR [PUBLISHED]}
published=${2:-}
if [ -z "${KEDGE_SIGNING_KEY:-}" ]; then
  echo "sign-release.sh: KEDGE_SIGNING_KEY is empty: set the repository secret KEDGE_SIGNING_KEY to a PEM private key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)" >&2
  exit 1
fi
umask 077
key=$(mktemp)
trap 'rm -f "$key"' EXIT INT TERM
printf '%s\n' "$KEDGE_SIGNING_KEY" >"$key"
if ! text=$(openssl pkey -in "$key" -noout -text 2>/dev/null); then
  echo "sign-release.sh: KEDGE_SIGNING_KEY is not a PEM private key openssl can read" >&2
  exit 1
fi
openssl pkey -in "$key" -pubout -out "$dir/kedge-release.pub.pem"
if [ -n "$published" ] && [ ! -f "$published" ]; then
  echo "::warning::$published does not exist yet: commit this release's kedge-release.pub.pem there, so sites get the key from the repository as well as from the release"
  published=
fi
if [ -n "$published" ] && ! cmp -s "$published" "$dir/kedge-release.pub.pem"; then
  echo "sign-release.sh: KEDGE_SIGNING_KEY is not the private half of $published: publish the new public key there first (sites trust that file)" >&2
  exit 1
fi
case $text in
  ED25519*)
    openssl pkeyutl -sign -rawin -inkey "$key" -in "$dir/SHA256SUMS" -out "$dir/SHA256SUMS.sig"
    openssl pkeyutl -verify -pubin -inkey "$dir/kedge-release.pub.pem" -rawin \
      -in "$dir/SHA256SUMS" -sigfile "$dir/SHA256SUMS.sig"
    ;;
  *prime256v1*)
    openssl dgst -sha256 -sign "$key" -out "$dir/SHA256SUMS.sig" "$dir/SHA256SUMS"
    openssl dgst -sha256 -verify "$dir/kedge-release.pub.pem" \
      -signature "$dir/SHA256SUMS.sig" "$dir/SHA256SUMS"
    ;;
  *)
    echo "sign-release.sh: KEDGE_SIGNING_KEY must be ECDSA P-256 or Ed25519 (install.js --trust-key checks those)" >&2
    exit 1
    ;;
esac
