// How the Pulumi engine loads goship's TypeScript (Pulumi.yaml: `typescript: false`,
// `nodeargs: --require=./engine/transpile.js`). Each `.ts` file is transpiled by ts-node in
// transpile-only mode, exactly what the Node SDK's own ts-node registration would emit, and the
// output is kept in node_modules/.cache/goship-engine keyed by the file's path and text (plus the
// TypeScript and ts-node versions, tsconfig.json and this file), so an unchanged file is never
// transpiled twice: an `up` runs the program twice, and most steps change no source at all.
// Type errors are not looked for here: `npm run typecheck` (npm test, CI, and the preview and
// deploy workflows before any `pulumi` step) stops them before anything deploys. A syntax error
// still stops the engine run with its file and line, as ts-node reports it.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const root = path.resolve(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "goship-engine");
const salt = [
    require("typescript/package.json").version,
    require("ts-node/package.json").version,
    fs.readFileSync(path.join(root, "tsconfig.json"), "utf8"),
    fs.readFileSync(__filename, "utf8"),
].join("\0");

let service; // ts-node (and with it the TypeScript compiler) is loaded on the first miss only
function transpile(code, filename) {
    // The options the Node SDK gives ts-node (cmd/run), in transpile-only mode.
    service ??= require("ts-node").create({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
    return service.compile(code, filename);
}

Module._extensions[".ts"] = function loadTs(module, filename) {
    const code = fs.readFileSync(filename, "utf8");
    const key = crypto.createHash("sha256").update(salt).update("\0").update(filename).update("\0").update(code).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    let js;
    try {
        js = fs.readFileSync(cached, "utf8");
    } catch {
        js = transpile(code, filename);
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            const tmp = `${cached}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, js);
            fs.renameSync(tmp, cached); // atomic: a concurrent run reads a whole file or none
        } catch {
            // A read-only node_modules only costs the cache.
        }
    }
    module._compile(js, filename);
};

// Stack traces point at the .ts lines (ts-node's output carries an inline source map).
process.setSourceMapsEnabled(true);
