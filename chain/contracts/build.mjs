// Rebuilds TestToken.abi.json and TestToken.bin from TestToken.sol with the
// npm `solc` package (solcjs), so tests never need Node. See build.sh.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.join(process.cwd(), "package.json"));
const solc = require("solc");
const here = path.dirname(new URL(import.meta.url).pathname);
const source = fs.readFileSync(path.join(here, "TestToken.sol"), "utf8");
const input = {
  language: "Solidity",
  sources: { "TestToken.sol": { content: source } },
  settings: {
    evmVersion: "shanghai",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}
const contract = output.contracts["TestToken.sol"].TestToken;
fs.writeFileSync(path.join(here, "TestToken.abi.json"), JSON.stringify(contract.abi, null, 2) + "\n");
fs.writeFileSync(path.join(here, "TestToken.bin"), contract.evm.bytecode.object + "\n");
console.log(`TestToken built with solc ${solc.version()}`);
