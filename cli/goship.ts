#!/usr/bin/env node
// The `goship` command: package.json "bin" points at this file compiled to dist/cli/goship.js
// (`npm run build`); in the repository `npm run goship -- <command>` runs this source directly.
import { cli } from "./main";

cli();
