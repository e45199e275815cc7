// How the Pulumi engine loads goship's TypeScript (Pulumi.yaml: `typescript: false`,
// `nodeargs: --require=./engine/transpile.js`). Each `.ts` file is transpiled by ts-node in
// transpile-only mode, exactly what the Node SDK's own ts-node registration would emit, and the
// output is kept in node_modules/.cache/goship-engine (engine/cache.js), so an unchanged file is
// never transpiled twice: most release steps change no source at all.
// Type errors are not looked for here: `npm run typecheck` (npm test, CI, and the preview and
// deploy workflows before any `pulumi` step) stops them before anything deploys. A syntax error
// still stops the engine run with its file and line, as ts-node reports it.
"use strict";
const fs = require("fs");
const path = require("path");
const cacheTs = require("./cache");

const root = path.resolve(__dirname, "..");
const salt = [
    require("typescript/package.json").version,
    require("ts-node/package.json").version,
    fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"),
    fs.readFileSync(__filename, "utf8"),
    fs.readFileSync(path.join(__dirname, "cache.js"), "utf8"),
].join("\0");

let service; // ts-node (and with it the TypeScript compiler) is loaded on the first miss only
const outputs = cacheTs("goship-engine", salt, (code, filename) => {
    // The options the Node SDK gives ts-node (cmd/run), in transpile-only mode.
    service ??= require("ts-node").create({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    return service.compile(code, filename);
});

// In the engine, stack traces and the source positions Pulumi records for each resource point
// at the .ts lines, as under the SDK's ts-node: the source-map-support that @pulumi/pulumi's
// runner installs anyway is handed each file's output (with its inline map) when a trace needs
// it. Elsewhere nothing is mapped (formatting every resource's stack through source maps costs
// a fifth of a render); NODE_OPTIONS=--enable-source-maps maps them.
if (/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run([\\/]|$)/.test(process.argv[1] ?? "")) {
    const sms = require.resolve("source-map-support", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] });
    require(sms).install({ environment: "node", retrieveFile: (p) => outputs.get(p) ?? null });
}
