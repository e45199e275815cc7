// engine/transpile.js: how the Pulumi engine loads the program (Pulumi.yaml runtime options).
// It must emit exactly what the Node SDK's own ts-node registration emitted (so nothing
// deployed changes, down to the release provider's serialized code), reuse its cache, and
// still stop on a syntax error with the file and line.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "../offline/stack-config";

/** Runs `code` in a fresh node in the project root, after `preload` (a module path or inline setup). */
function node(setup: string, code: string): { status: number | null; out: string; err: string } {
    const r = spawnSync(process.execPath, ["-e", `${setup};\n${code}`], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    return { status: r.status, out: r.stdout, err: r.stderr };
}

const LOADER = `require(${JSON.stringify(path.join(ROOT, "engine", "transpile.js"))})`;
// What @pulumi/pulumi's cmd/run does for `typescript: true` (type-checking ts-node, the SDK's
// defaults under the project's tsconfig compilerOptions).
const SDK_TS_NODE = `const ts = require("typescript");
const co = ts.parseConfigFileTextToJson("tsconfig.json", require("fs").readFileSync("tsconfig.json", "utf8")).config.compilerOptions;
require("ts-node").register({ compiler: "typescript", transpileOnly: false, project: "tsconfig.json", skipProject: false,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...co } })`;
const SERIALIZE = `const pulumi = require("@pulumi/pulumi");
const { engineReleaseProvider } = require("./components/release/provider");
pulumi.runtime.serializeFunction(() => engineReleaseProvider, { allowSecrets: true }).then((r) => process.stdout.write(r.text));`;

describe("engine loader (Pulumi.yaml: nodeargs --require=./engine/transpile.js)", function () {
    this.timeout(180_000);

    it("is what Pulumi.yaml runs: the SDK's TypeScript off, the loader preloaded, index.ts the program", () => {
        const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        assert.deepStrictEqual(project.runtime, { name: "nodejs", options: { typescript: false, nodeargs: "--require=./engine/transpile.js" } });
        assert.strictEqual(project.main, "index.ts");
    });

    it("serializes the release provider byte for byte as the SDK's type-checking ts-node did (nothing deployed changes)", () => {
        const sdk = node(SDK_TS_NODE, SERIALIZE);
        assert.strictEqual(sdk.status, 0, sdk.err);
        const cold = node(LOADER, SERIALIZE);
        assert.strictEqual(cold.status, 0, cold.err);
        const warm = node(LOADER, SERIALIZE);
        assert.strictEqual(warm.status, 0, warm.err);
        assert.ok(sdk.out.includes("exports.handler"), "the SDK run serialized a provider");
        assert.strictEqual(cold.out, sdk.out);
        assert.strictEqual(warm.out, sdk.out);
    });

    it("loads the whole program without transpiling anything once its files are cached", () => {
        // ts-node is loaded on a cache miss only. (@pulumi/pulumi loads the typescript package
        // itself, for closure serialization, so that one is no sign.)
        const load = `require("./components"); require("./components/observability");
process.stdout.write(String(Object.keys(require.cache).filter((f) => /node_modules\\/ts-node\\/.*\\.js$/.test(f)).length));`;
        const first = node(LOADER, load);
        assert.strictEqual(first.status, 0, first.err);
        const second = node(LOADER, load);
        assert.strictEqual(second.status, 0, second.err);
        assert.strictEqual(second.out, "0", "a warm run loaded ts-node: something was transpiled again");
    });

    it("stops on a syntax error with the file and line; a changed file is transpiled again", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goship-loader-"));
        try {
            const file = path.join(dir, "prog.ts");
            fs.writeFileSync(file, "export const a: number = 1;\nexport const b = (;\n");
            const bad = node(LOADER, `require(${JSON.stringify(file)})`);
            assert.notStrictEqual(bad.status, 0);
            assert.match(bad.err, /prog\.ts\(2,\d+\): error TS1109: Expression expected/);
            fs.writeFileSync(file, "export const a: number = 1;\nexport const b = (2);\n");
            const good = node(LOADER, `process.stdout.write(JSON.stringify(require(${JSON.stringify(file)})))`);
            assert.strictEqual(good.status, 0, good.err);
            assert.strictEqual(good.out, `{"a":1,"b":2}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("keeps its cache in $GOSHIP_CACHE_DIR when set (the benchmarks' cold runs), not in the shared node_modules/.cache", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goship-loader-cache-"));
        try {
            const marker = `marker_${process.pid}_${Date.now()}`;
            const file = path.join(dir, "prog.ts");
            fs.writeFileSync(file, `export const ${marker}: number = 1;\n`);
            const cache = path.join(dir, "cache");
            const r = spawnSync(process.execPath, ["-e", `${LOADER}; process.stdout.write(JSON.stringify(require(${JSON.stringify(file)})))`],
                { cwd: ROOT, encoding: "utf8", env: { ...process.env, GOSHIP_CACHE_DIR: cache } });
            assert.strictEqual(r.status, 0, r.stderr);
            assert.strictEqual(r.stdout, `{"${marker}":1}`);
            const written = fs.readdirSync(path.join(cache, "goship-engine"));
            assert.deepStrictEqual(written.map((f) => fs.readFileSync(path.join(cache, "goship-engine", f), "utf8").includes(marker)), [true]);
            const shared = path.join(ROOT, "node_modules", ".cache", "goship-engine");
            const leaked = (fs.existsSync(shared) ? fs.readdirSync(shared) : []).filter((f) => fs.readFileSync(path.join(shared, f), "utf8").includes(marker));
            assert.deepStrictEqual(leaked, []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the offline render's loader (engine/sucrase.js, own cache) renders prod exactly as sucrase/register does, twice (the second from its cache)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goship-render-loader-"));
        const render = (loader: string, out: string) => {
            const r = spawnSync(process.execPath, ["-r", loader, "scripts/render.ts", "--stack", "prod", "--out", path.join(dir, out), "--no-policy"], { cwd: ROOT, encoding: "utf8" });
            assert.strictEqual(r.status, 0, r.stderr);
            const base = path.join(dir, out, "prod");
            return Object.fromEntries(fs.readdirSync(base).sort().map((f) => [f, fs.readFileSync(path.join(base, f), "utf8")]));
        };
        try {
            const reference = render("sucrase/register/ts", "ref");
            assert.ok(Object.keys(reference).length > 10);
            assert.deepStrictEqual(render("./engine/sucrase.js", "first"), reference);
            assert.deepStrictEqual(render("./engine/sucrase.js", "second"), reference);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
