// A require hook for `.ts` files whose transpiled output is kept on disk in
// node_modules/.cache/<name>, keyed by the file's path and text plus `salt` (the transpiler's
// version and settings), so an unchanged file is never transpiled twice. Used by the engine's
// loader (transpile.js: ts-node, exactly what the Pulumi SDK would emit) and the offline
// render's (sucrase.js); each has its own cache, so neither ever runs the other's output.
// GOSHIP_CACHE_DIR moves the caches elsewhere: the benchmarks' cold runs give each an empty
// directory of its own instead of emptying the one everybody's runs share.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

/** Registers the hook; returns each loaded file's output by path (for source maps). */
module.exports = function cacheTs(name, salt, transpile) {
    const cacheDir = path.join(process.env.GOSHIP_CACHE_DIR || path.join(__dirname, "..", "node_modules", ".cache"), name);
    const outputs = new Map();
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
        outputs.set(filename, js);
        module._compile(js, filename);
    };
    return outputs;
};
