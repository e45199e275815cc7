// The README tells the truth: its quick start, its scripts, its config commands and its
// offline release rehearsal (run line by line, exactly as written).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig } from "../components/config/schema";
import { loadStackConfig, ROOT, setPath } from "../offline/stack-config";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
const commands = (block: string) => block.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l && !l.startsWith("#"));

describe("README", function () {
    this.timeout(180_000);

    it("starts with a two-command quick start: the main job and the tests", () => {
        assert.deepStrictEqual(commands(blocks[0]), ["npm ci && npm run render -- --stack dev", "npm test"]);
    });

    it("names only npm scripts that exist", () => {
        const scripts = Object.keys(require(path.join(ROOT, "package.json")).scripts);
        const docs = readme + fs.readFileSync(path.join(ROOT, "policy/README.md"), "utf8");
        for (const m of docs.matchAll(/npm run ([\w:-]+)/g)) assert.ok(scripts.includes(m[1]), `npm run ${m[1]} is not a script`);
    });

    it("documents `pulumi config set` commands whose keys and values the config accepts", () => {
        const sets = readme.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("pulumi config set"));
        assert.ok(sets.length >= 20, `found ${sets.length}`);
        // Applied in order, like a user running them one after another on the dev stack.
        const { config } = loadStackConfig("dev");
        const raw: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(config)) raw[k] = /^[{[]/.test(v) ? JSON.parse(v) : v;
        for (const line of sets) {
            const words = line.split(/\s+/).slice(3).filter((w, i, all) => !w.startsWith("-") && all[i - 1] !== "-s");
            const [key, value] = words;
            setPath(raw, `goship:${key}`, value.replace(/^'|'$/g, ""));
            const parsed: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(raw)) parsed[k.replace(/^goship:/, "")] = v;
            assert.doesNotThrow(() => parseConfig(parsed, "dev"), line);
        }
    });

    it("runs the offline release rehearsal exactly as written", () => {
        const rehearsal = blocks.find((b) => b.includes("--state out/dev/state.json"));
        assert.ok(rehearsal, "the rehearsal block");
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "goship-readme-"));
        // Relative paths (out/…) land in a scratch directory; the project is the npm prefix.
        const transcript: string[] = [];
        try {
            for (const line of commands(rehearsal!)) {
                const args = line.replace(/^npm run render -- /, "").split(/\s+/);
                const r = spawnSync("npm", ["run", "--silent", "--prefix", ROOT, "render", "--", ...args.map((a) => (a.startsWith("out") ? path.join(cwd, a) : a))],
                    { cwd, encoding: "utf8" });
                assert.strictEqual(r.status, 0, `${line}\n${r.stdout}\n${r.stderr}`);
                transcript.push(r.stdout);
            }
        } finally {
            fs.rmSync(cwd, { recursive: true, force: true });
        }
        assert.match(transcript[1], /weight 0% → 5%/);
        assert.match(transcript[3], /abort 1\.1\.0: weight 20% → 0%/);
        assert.match(transcript[4], /retry canary 1\.1\.0/);
        assert.match(transcript[7], /promote 1\.1\.0/);
        assert.match(transcript[8], /roll back 1\.1\.0 → 1\.0\.0/);
    });
});

describe("README goship commands", function () {
    this.timeout(60_000);
    const RUN = "npm run goship --silent -- ";
    const block = blocks.find((b) => b.includes(`${RUN}status`))!;

    it("every goship line is a command the bin accepts, and the first (--help) runs as written", () => {
        const { parse } = require("../cli/args");
        const lines = commands(block);
        assert.ok(lines.length >= 8 && lines.every((l) => l.startsWith(RUN)), lines.join("\n"));
        const argv = (l: string) => l.slice(RUN.length).split(/\s+/);
        for (const line of lines) assert.doesNotThrow(() => parse(argv(line)), line);
        const kinds = lines.map((l) => argv(l)[0]);
        for (const c of ["status", "next", "abort", "retry", "rollback"]) assert.ok(kinds.includes(c), `the README shows goship ${c}`);
        const help = spawnSync("npm", lines[0].split(/\s+/).slice(1), { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(help.status, 0, help.stderr);
        assert.match(help.stdout, /^Usage: goship <command>/m);
    });

    it("the runbook names the goship move next to each raw edit it stands for", () => {
        for (const [edit, move] of [["release.step 1", "next"], ["release.abort true", "abort"], ["release.abort false", "retry"], ["version 1.3.2", "rollback"]]) {
            assert.ok(readme.split("\n").some((l) => l.startsWith("pulumi config set") && l.includes(edit) && l.includes(`${RUN}${move} -s dev`)), `${edit} / goship ${move}`);
        }
    });
});

describe("README component example", () => {
    // test/package.test.ts installs the packed tarball into a project of its own and runs this
    // program there (mock runtime); test/e2e/scenarios/17-consumer-package.e2e.ts deploys it.
    it("is the package example those tests run, using the four components from goship/components", () => {
        const { readmeConsumer } = require("./support/consumer");
        const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
        assert.deepStrictEqual(blocks, [readmeConsumer(readme).ts], "the README's one TypeScript example is the package example");
        assert.match(blocks[0], /import \{ AppNamespace, Autoscaler, GoWorkload, Release \} from "goship\/components";/);
        for (const c of ["AppNamespace", "Release", "GoWorkload", "Autoscaler"]) assert.match(blocks[0], new RegExp(`new ${c}\\(`));
    });
});

describe("README policy table", () => {
    it("lists every policy with the same levels as policy/README.md", () => {
        const { policies } = require("../policy/policies");
        const { levelOf } = require("../offline/policy-runner");
        const dev = require("../policy/config/dev.json");
        const prod = require("../policy/config/prod.json");
        for (const p of policies) {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${p.name}\` |`));
            assert.ok(row, `README lacks ${p.name}`);
            assert.strictEqual(row, `| \`${p.name}\` | ${levelOf(dev, p.name, p.enforcementLevel).level} | ${levelOf(prod, p.name, p.enforcementLevel).level} |`);
        }
        assert.match(readme, new RegExp(`${policies.length} policies`));
    });
});
