#!/usr/bin/env bash
# Installs the project-local development tools into <project root>/.tools with npm:
# the Anvil binary (local EVM chain) and solc-js (Solidity compiler used by the chain module's build).
# Safe to run again: it does nothing when the pinned versions are already installed,
# and reinstalls a package whose installed version differs from its pin.
set -euo pipefail

ANVIL_PACKAGE="@foundry-rs/anvil-linux-amd64"
ANVIL_VERSION="1.7.1"
SOLC_PACKAGE="solc"
SOLC_VERSION="0.8.30"

project_root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${project_root}/.tools"

if ! command -v npm >/dev/null 2>&1; then
    echo "install-tools: npm not found on PATH; install Node.js 20 or newer with npm, then run $0 again" >&2
    exit 1
fi
if ! command -v node >/dev/null 2>&1; then
    echo "install-tools: node not found on PATH; install Node.js 20 or newer, then run $0 again" >&2
    exit 1
fi

# Prints the version recorded in an installed package's package.json, or nothing when it is absent.
installed_version() {
    local manifest="${tools_dir}/node_modules/$1/package.json"
    if [[ -f "${manifest}" ]]; then
        node -e 'process.stdout.write(String(require(process.argv[1]).version || ""))' "${manifest}"
    fi
}

missing=()
for pin in "${ANVIL_PACKAGE}@${ANVIL_VERSION}" "${SOLC_PACKAGE}@${SOLC_VERSION}"; do
    name="${pin%@*}"
    version="${pin##*@}"
    if [[ "$(installed_version "${name}")" != "${version}" ]]; then
        missing+=("${pin}")
    fi
done

anvil_binary="${tools_dir}/node_modules/${ANVIL_PACKAGE}/bin/anvil"
if [[ ${#missing[@]} -eq 0 && -x "${anvil_binary}" ]]; then
    exit 0
fi
if [[ ${#missing[@]} -eq 0 ]]; then
    # The package manifest is there but the binary is not: reinstall Anvil.
    missing+=("${ANVIL_PACKAGE}@${ANVIL_VERSION}")
fi

echo "install-tools: installing ${missing[*]} into ${tools_dir}"
mkdir -p "${tools_dir}"
npm install --prefix "${tools_dir}" --no-audit --no-fund --save-exact --loglevel=error "${missing[@]}"

if [[ ! -x "${anvil_binary}" ]]; then
    echo "install-tools: ${anvil_binary} is missing or not executable after the install; check the npm output above" >&2
    exit 1
fi
echo "install-tools: installed Anvil $(installed_version "${ANVIL_PACKAGE}") and solc-js $(installed_version "${SOLC_PACKAGE}")"
