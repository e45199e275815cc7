// The loader of the offline scripts (`npm run render`, `npm run bench:policy`): sucrase, as
// `-r sucrase/register/ts` runs it (the fastest cold start: it keeps every line where it was, so
// stack traces need no source map), with its output cached per file like the engine's
// (engine/cache.js). Its own cache: the engine never runs sucrase's output.
"use strict";
const fs = require("fs");
const { transform } = require("sucrase");
const cacheTs = require("./cache");

const salt = [require("sucrase/package.json").version, fs.readFileSync(__filename, "utf8"), fs.readFileSync(require.resolve("./cache"), "utf8")].join("\0");
cacheTs("goship-render", salt, (code, filePath) => {
    // disableESTransforms: Node 22 runs `?.`, `??` and class fields natively; sucrase's helper
    // calls for them make hot code (the policy pack's checks) several times slower.
    const { code: js, sourceMap } = transform(code, {
        transforms: ["imports", "typescript"], disableESTransforms: true, sourceMapOptions: { compiledFilename: filePath }, filePath,
    });
    return `${js}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(sourceMap)).toString("base64")}`;
});
