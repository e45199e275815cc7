// The `goship` bin as a user runs it, where no engine is needed: the help, bad usage, no
// project, no Pulumi CLI. Each failure is one line on stderr (or one JSON document on stdout
// with --json), exit 2, no stack trace. The engine paths run in test/e2e/scenarios/15-goship-cli.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "cli", "goship.ts");
const SUCRASE = require.resolve("sucrase/register/ts");

/** Runs the bin's source as `npm run goship` does, with only node on PATH unless `envPath` says otherwise. */
function goship(args: string[], opts: { cwd?: string; envPath?: string } = {}) {
    const r = spawnSync(process.execPath, ["-r", SUCRASE, BIN, ...args], {
        cwd: opts.cwd ?? ROOT, encoding: "utf8",
        env: { ...process.env, PATH: opts.envPath ?? path.dirname(process.execPath) },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noTrace = (text: string) => assert.doesNotMatch(text, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");

describe("goship bin: help and bad input without an engine", function () {
    this.timeout(30_000);

    it("package.json's bin is the built command (dist/cli/goship.js, shipped in files); its source starts with a shebang", () => {
        const pkg = require(path.join(ROOT, "package.json"));
        assert.deepStrictEqual(pkg.bin, { goship: "dist/cli/goship.js" });
        assert.ok(pkg.files.includes("dist/cli/"));
        assert.match(pkg.scripts.goship, /cli\/goship\.ts$/);
        assert.match(fs.readFileSync(BIN, "utf8"), /^#!\/usr\/bin\/env node\n/);
        assert.ok(require(path.join(ROOT, "tsconfig.build.json")).include.includes("cli/**/*.ts"));
    });

    it("--help explains the commands, the options and the exit codes on stdout, exit 0", () => {
        const r = goship(["--help"]);
        assert.strictEqual(r.code, 0);
        assert.strictEqual(r.stderr, "");
        for (const s of ["Usage: goship <command> [-s <stack>] [--json] [--up | --save-plan <file>]", "--save-plan <file>", "  status ", "  next ", "  abort ", "  retry ", "  rollback ", "--json", "--up", "Exit codes: 0 done; 2 refused or bad input"]) {
            assert.ok(r.stdout.includes(s), s);
        }
        assert.strictEqual(goship([]).stdout, r.stdout, "no command shows the help");
    });

    it("bad usage: one line on stderr, nothing on stdout, exit 2", () => {
        for (const argv of [["deploy"], ["status", "--nope"], ["next", "prod"], ["status", "--up"]]) {
            const r = goship(argv);
            assert.strictEqual(r.code, 2, argv.join(" "));
            assert.strictEqual(r.stdout, "");
            assert.match(r.stderr, /^goship: [^\n]+\n$/, r.stderr);
            noTrace(r.stderr);
        }
    });

    it("--json: the error as one JSON document on stdout", () => {
        const r = goship(["deploy", "--json"]);
        assert.strictEqual(r.code, 2);
        assert.deepStrictEqual(JSON.parse(r.stdout), { ok: false, exitCode: 2, error: 'unknown command "deploy": one of status, next, abort, retry, rollback (see `goship --help`)' });
    });

    it("outside a Pulumi project: one line, exit 2", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goship-cli-"));
        try {
            const r = goship(["status"], { cwd: dir });
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stderr, `goship: no Pulumi.yaml in ${fs.realpathSync(dir)} or above: run goship inside the goship project\n`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("no Pulumi CLI on PATH: one line, exit 2, no file changed", () => {
        const before = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
        for (const cmd of ["status", "next"]) {
            const r = goship([cmd, "-s", "dev"]);
            assert.strictEqual(r.code, 2);
            assert.strictEqual(r.stderr, "goship: the Pulumi CLI (`pulumi`) is not on PATH: install it (goship drives it through the Automation API), then run goship again\n");
            noTrace(r.stderr);
        }
        assert.strictEqual(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"), before);
    });
});
