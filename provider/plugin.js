// What the Node.js language host loads (package.json "main"). Its plugin runner registers
// ts-node with type checking, which costs ~18 s at every start of the plugin on a CI runner
// (it type-checks the Kubernetes SDK's declarations); the sources are type-checked by
// `tsc --noEmit` in CI instead, so here each .ts file is only transpiled.
"use strict";
const fs = require("fs");
const ts = require("typescript");

require.extensions[".ts"] = function loadTypeScript(module, filename) {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
        fileName: filename,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, sourceMap: false, inlineSourceMap: true },
    });
    module._compile(outputText, filename);
};

require("./index.ts");
