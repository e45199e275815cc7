// Hand-made mutants of the release state machine: each one must make the release tests
// fail. A mutated copy of strategy.ts replaces the real one (test/support/mutant-hook.js)
// in a child mocha running the state machine's tests; the names of the tests that caught
// each mutant are printed. The unmutated copy must pass through the same path, so a
// broken harness cannot pass for a caught mutant.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const SOURCE = fs.readFileSync(path.join(ROOT, "components/release/strategy.ts"), "utf8");
const SPECS = ["test/release-strategy.test.ts", "test/release-strategy.property.test.ts"];

/** [name, text to find (must occur exactly once), replacement]. */
const MUTANTS: Array<[string, string, string]> = [
    ["refuse every move after the first deploy",
        "if (!prev) return firstDeploy(cfg, ctx);",
        "if (!prev) return firstDeploy(cfg, ctx);\n    return refuse(prev, \"mutant\");"],
    ["ignore the analysis verdict",
        "if (!a || a.verdict === \"pass\") return advance(a);",
        "return advance(a);"],
    ["allow a skip of two steps",
        "if (cfg.step > prev.step + 1) return refuseAt(",
        "if (cfg.step > prev.step + 2) return refuseAt("],
    ["drop the scale-down delay",
        "if (now < readyAt) {",
        "if (false) {"],
    ["blue/green switch skips its analysis gate",
        "would skip the switch`, cfg);\n    return gate(prev, cfg, ctx, (analysis) => {",
        "would skip the switch`, cfg);\n    return ((advance: (a?: AnalysisOutcome) => Transition) => advance(undefined))((analysis) => {"],
    ["the automatic-abort wedge (issue 18's bug)",
        "if (prev.autoAbort && cfg.version === prev.candidateVersion && cfg.step === prev.autoAbort.step) return unchanged(prev);",
        ""],
];

interface Outcome { passes: number; failures: number; failed: string[] }

function runAgainst(source: string): Outcome {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goship-mutant-"));
    const file = path.join(dir, "strategy.ts");
    fs.writeFileSync(file, source);
    try {
        const r = spawnSync(process.execPath, [
            path.join(ROOT, "node_modules/mocha/bin/mocha.js"), "--no-config", "-r", "ts-node/register/transpile-only",
            "-r", path.join(ROOT, "test/support/mutant-hook.js"), "--extension", "ts", "--timeout", "120000", "--reporter", "json", ...SPECS,
        ], { cwd: ROOT, env: { ...process.env, GOSHIP_MUTANT: file }, encoding: "utf8", maxBuffer: 64 << 20, timeout: 300_000 });
        const json = r.stdout.slice(r.stdout.indexOf("{"));
        let report: any;
        try {
            report = JSON.parse(json);
        } catch {
            throw new Error(`child mocha printed no report (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
        }
        return { passes: report.stats.passes, failures: report.stats.failures, failed: report.failures.map((f: any) => f.fullTitle) };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("release state machine: mutants are caught", function () {
    this.timeout(600_000);

    it("the unmutated copy passes through the mutant harness", () => {
        const o = runAgainst(SOURCE);
        assert.strictEqual(o.failures, 0, o.failed.join("\n"));
        assert.ok(o.passes >= 40, `only ${o.passes} tests ran`);
    });

    for (const [name, find, replace] of MUTANTS) {
        it(`mutant: ${name}`, () => {
            assert.strictEqual(SOURCE.split(find).length, 2, `the mutated text must occur exactly once in strategy.ts: ${find}`);
            const o = runAgainst(SOURCE.replace(find, replace));
            console.log(`      caught by ${o.failures} test(s):\n${o.failed.map((t) => `        - ${t}`).join("\n")}`);
            assert.ok(o.failures > 0, `mutant "${name}" survived: all ${o.passes} tests passed`);
        });
    }
});
