#!/usr/bin/env node
// Compiles one Solidity contract with the project-local solc-js (standard JSON API) and writes a
// JSON artifact with its ABI and creation bytecode.
//
// Usage: node scripts/compile-contract.mjs <source.sol> <ContractName> <output.json>
// solc-js is loaded from <project root>/.tools, where scripts/install-tools.sh installs it.
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// Fixed so that a build gives the same bytecode on every machine. Cancun is the hardfork the
// upstream SDK's local harness runs Anvil with.
const EVM_VERSION = "cancun";
const OPTIMIZER_RUNS = 200;

function fail(message) {
  console.error(`compile-contract: ${message}`);
  process.exit(1);
}

const [sourceArg, contractName, outputArg] = process.argv.slice(2);
if (!sourceArg || !contractName || !outputArg) {
  fail("usage: node scripts/compile-contract.mjs <source.sol> <ContractName> <output.json>");
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const solcEntry = join(projectRoot, ".tools", "node_modules", "solc", "index.js");
if (!existsSync(solcEntry)) {
  fail(`solc-js is not installed at ${solcEntry}; run ${join(projectRoot, "scripts", "install-tools.sh")} first`);
}
const solc = createRequire(solcEntry)(solcEntry);

const sourcePath = resolve(sourceArg);
if (!existsSync(sourcePath)) {
  fail(`source file not found: ${sourcePath}`);
}
const sourceText = readFileSync(sourcePath, "utf8");
const sourceName = basename(sourcePath);

const input = {
  language: "Solidity",
  sources: { [sourceName]: { content: sourceText } },
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
    outputSelection: { [sourceName]: { [contractName]: ["abi", "evm.bytecode.object"] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));

const diagnostics = output.errors ?? [];
for (const diagnostic of diagnostics) {
  console.error(diagnostic.formattedMessage ?? diagnostic.message);
}
if (diagnostics.some((diagnostic) => diagnostic.severity === "error")) {
  fail(`compiling ${sourcePath} failed (see the errors above)`);
}

const contract = output.contracts?.[sourceName]?.[contractName];
if (!contract) {
  fail(`contract ${contractName} not found in ${sourcePath}`);
}
const bytecode = contract.evm?.bytecode?.object;
if (!bytecode) {
  fail(`contract ${contractName} in ${sourcePath} has no bytecode (is it abstract or an interface?)`);
}

const artifact = {
  contractName,
  sourceName,
  sourceSha256: createHash("sha256").update(sourceText).digest("hex"),
  compiler: { name: "solc-js", version: solc.version(), evmVersion: EVM_VERSION, optimizerRuns: OPTIMIZER_RUNS },
  abi: contract.abi,
  bytecode: `0x${bytecode}`,
};

const outputPath = resolve(outputArg);
mkdirSync(dirname(outputPath), { recursive: true });
writeFileSync(outputPath, `${JSON.stringify(artifact, null, 2)}\n`);
console.log(`compile-contract: ${contractName} (${bytecode.length / 2} bytes) -> ${outputPath}`);
