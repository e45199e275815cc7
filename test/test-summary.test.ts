// The summary line counts skips: Go's t.Skip and mocha's pending tests are reported as
// skipped, never folded into the passes, so a skip cannot hide inside a green line.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../offline/stack-config";

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "goship-summary-"));
}

describe("test summary: skips are counted", function () {
    this.timeout(120_000);

    it("go-test-summary.js counts passes, failures and skips from go test -json", () => {
        const dir = tmp();
        try {
            const summary = path.join(dir, "summary");
            const ev = (o: object) => JSON.stringify({ Package: "goship/app", ...o });
            const input = [
                ev({ Action: "run", Test: "TestA" }), ev({ Action: "pass", Test: "TestA", Elapsed: 0.1 }),
                ev({ Action: "run", Test: "TestB" }), ev({ Action: "output", Test: "TestB", Output: "    b_test.go:12: needs docker\n" }),
                ev({ Action: "skip", Test: "TestB", Elapsed: 0 }),
                ev({ Action: "run", Test: "TestC" }), ev({ Action: "fail", Test: "TestC", Elapsed: 0.2 }),
                ev({ Action: "fail", Elapsed: 0.3 }),
            ].join("\n");
            const out = execFileSync(process.execPath, [path.join(ROOT, "scripts/go-test-summary.js")], {
                input, env: { ...process.env, GOSHIP_SUMMARY_FILE: summary }, encoding: "utf8",
            });
            assert.match(out, /go app TestB SKIPPED b_test\.go:12: needs docker/);
            // A failed test fails its package too: counted once. A package that fails to
            // build (no test ran) is one failure.
            assert.strictEqual(fs.readFileSync(summary, "utf8"), "go 1 1 1\n");
            const broken = [JSON.stringify({ Package: "goship/app/x", Action: "output", Output: "FAIL\tgoship/app/x [build failed]\n" }),
                JSON.stringify({ Package: "goship/app/x", Action: "fail", Elapsed: 0 })].join("\n");
            execFileSync(process.execPath, [path.join(ROOT, "scripts/go-test-summary.js")], { input: broken, env: { ...process.env, GOSHIP_SUMMARY_FILE: summary } });
            assert.strictEqual(fs.readFileSync(summary, "utf8"), "go 1 1 1\ngo 0 1 0\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the mocha reporter counts pending tests (it.skip and this.skip()) as skipped", () => {
        const dir = tmp();
        try {
            const summary = path.join(dir, "summary");
            const spec = path.join(dir, "sample.test.js");
            fs.writeFileSync(spec, [
                'it("passes", () => {});',
                'it.skip("is skipped", () => {});',
                'it("skips itself", function () { this.skip(); });',
                'it("fails", () => { throw new Error("no"); });',
            ].join("\n"));
            const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/mocha/bin/mocha.js"), "--no-config",
                "--reporter", path.join(ROOT, "scripts/mocha-summary-reporter.js"), spec], {
                env: { ...process.env, GOSHIP_SUMMARY_FILE: summary }, encoding: "utf8",
            });
            assert.strictEqual(r.status, 1, r.stdout + r.stderr);
            assert.strictEqual(fs.readFileSync(summary, "utf8"), "mocha 1 1 2\n");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
