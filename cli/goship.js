#!/usr/bin/env node
// The `goship` command (package.json "bin"). The CLI is TypeScript, run through sucrase's
// register hook as `npm run render` is: no build step between an edit and its use.
require("sucrase/register/ts");
require("./main").cli();
