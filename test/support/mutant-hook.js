// Loaded with `mocha -r` by test/release-mutants.test.ts: every require of the release
// state machine resolves to the mutated copy named by $GOSHIP_MUTANT instead.
const Module = require("module");
const path = require("path");

const target = path.resolve(__dirname, "../../components/release/strategy.ts");
const mutant = process.env.GOSHIP_MUTANT;
if (!mutant) throw new Error("GOSHIP_MUTANT is not set");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
    const file = resolve.call(this, request, parent, ...rest);
    return file === target ? mutant : file;
};
