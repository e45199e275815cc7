// Reads `go test -json` on stdin, prints each test's result (and the output of failed
// ones), and appends `go <passed> <failed> <skipped>` to $GOSHIP_SUMMARY_FILE. A skipped
// test (t.Skip) is counted and printed with its reason, never folded into the passes.
const fs = require("fs");
const readline = require("readline");

const output = new Map();
let passed = 0;
let failed = 0;
let skipped = 0;
const failedPackages = new Set();
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
    let ev;
    try {
        ev = JSON.parse(line);
    } catch {
        console.log(line); // build errors are not JSON
        return;
    }
    const key = `${ev.Package} ${ev.Test ?? ""}`;
    if (ev.Action === "output") {
        output.set(key, (output.get(key) ?? "") + ev.Output);
        if (!ev.Test && /^(FAIL|ok|---|panic)/.test(ev.Output)) process.stdout.write(ev.Output);
        return;
    }
    if (!ev.Test) {
        // A package fails when a test failed (already counted) or when it failed to build
        // or panicked outside a test: only the latter is one more failure.
        if (ev.Action === "fail" && !failedPackages.has(ev.Package)) {
            failed++; // a package that failed to build or panicked outside a test
            process.stdout.write(output.get(key) ?? "");
        }
        return;
    }
    if (ev.Action === "pass") {
        passed++;
        console.log(`  ✔ go ${ev.Package.replace(/^goship\//, "")} ${ev.Test} (${ev.Elapsed}s)`);
        // Keep logged figures (t.Logf) of the measuring tests visible.
        const out = output.get(key) ?? "";
        for (const l of out.split("\n")) if (/^\s+\S+\.go:\d+: /.test(l)) console.log(`      ${l.trim()}`);
    } else if (ev.Action === "skip") {
        skipped++;
        const why = (output.get(key) ?? "").split("\n").find((l) => /^\s+\S+\.go:\d+: /.test(l))?.trim() ?? "";
        console.log(`  - go ${ev.Package.replace(/^goship\//, "")} ${ev.Test} SKIPPED ${why}`);
    } else if (ev.Action === "fail") {
        failed++;
        failedPackages.add(ev.Package);
        console.log(`  ✘ go ${ev.Package} ${ev.Test}\n${output.get(key) ?? ""}`);
    }
});
rl.on("close", () => {
    const file = process.env.GOSHIP_SUMMARY_FILE;
    if (file) fs.appendFileSync(file, `go ${passed} ${failed} ${skipped}\n`);
});
