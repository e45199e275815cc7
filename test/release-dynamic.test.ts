// components/release/dynamic.ts: the release record registers exactly as pulumi.dynamic.Resource
// would (type token, __provider text), and its on-disk copy of the provider's code is the
// SDK's own serialization, cold and warm, and is not reused once a source file changes.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../offline/stack-config";

/** A fresh node that loads the program's release module and prints what it is asked. */
function node(code: string): string {
    const r = spawnSync(process.execPath, ["-r", path.join(ROOT, "engine", "transpile.js"), "-e", code], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    return r.stdout;
}

const CACHE = path.join(ROOT, "node_modules", ".cache", "goship-engine");
const cachedFiles = () => (fs.existsSync(CACHE) ? fs.readdirSync(CACHE).filter((f) => f.startsWith("provider-")) : []);

describe("release record: the provider's serialized code, cached", function () {
    this.timeout(180_000);

    it("registers the type token and __provider text pulumi.dynamic.Resource registers (under mocks)", () => {
        const out = node(`
const pulumi = require("@pulumi/pulumi");
const seen = [];
pulumi.runtime.setMocks({ newResource: (a) => { seen.push({ type: a.type, provider: a.inputs.__provider }); return { id: a.name, state: a.inputs }; }, call: (a) => a.inputs }, "goship", "dev", false)
.then(() => {
    const { ReleaseRecord } = require("./components/release/record");
    const { engineReleaseProvider } = require("./components/release/provider");
    new ReleaseRecord("ours", { desired: {} });
    new pulumi.dynamic.Resource(engineReleaseProvider, "sdk", { desired: {} }, undefined, "goship", "Release");
    setTimeout(() => process.stdout.write(JSON.stringify(seen)), 3000);
});`);
        const [ours, sdk] = JSON.parse(out);
        assert.strictEqual(ours.type, "pulumi-nodejs:dynamic/goship:Release");
        assert.strictEqual(ours.type, sdk.type);
        assert.ok(ours.provider.includes("exports.handler"));
        assert.strictEqual(ours.provider, sdk.provider);
    });

    it("outside mocks: cold and warm runs give the SDK's text; a changed source file is serialized afresh", () => {
        // The engine path (not under mocks): serialize through the cache, and the SDK directly.
        const code = (extra: string) => `
${extra}
const { serializedProvider } = require("./components/release/dynamic");
const { engineReleaseProvider } = require("./components/release/provider");
const pulumi = require("@pulumi/pulumi");
// Exactly pulumi.dynamic.Resource's call (the closure's variable name is part of the text).
const sdk = (provider) => pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
Promise.all([serializedProvider(engineReleaseProvider), sdk(engineReleaseProvider)])
    .then(([c, s]) => process.stdout.write(JSON.stringify({ same: c.text === s.text && c.containsSecrets === s.containsSecrets, len: c.text.length })));`;
        const before = new Set(cachedFiles());
        const cold = JSON.parse(node(code("")));
        const warm = JSON.parse(node(code("")));
        assert.deepStrictEqual(cold, warm);
        assert.strictEqual(cold.same, true);
        const added = cachedFiles().filter((f) => !before.has(f));
        // One new file for this source tree, unless an earlier run here cached it already.
        assert.ok(added.length <= 1);
        // A loaded source whose text changes is another key (a probe module beside the provider).
        const tmp = path.join(ROOT, "components", "release", `.cache-probe-${process.pid}.ts`);
        try {
            fs.writeFileSync(tmp, "export const probe = 1;\n");
            assert.strictEqual(JSON.parse(node(code(`require(${JSON.stringify(tmp)});`))).same, true);
            const n = cachedFiles().length;
            fs.writeFileSync(tmp, "export const probe = 2;\n");
            assert.strictEqual(JSON.parse(node(code(`require(${JSON.stringify(tmp)});`))).same, true);
            assert.strictEqual(cachedFiles().length, n + 1, "an edited source must not reuse the cached code");
        } finally {
            fs.rmSync(tmp, { force: true });
            for (const f of cachedFiles().filter((x) => !before.has(x) && !added.includes(x))) fs.rmSync(path.join(CACHE, f), { force: true });
        }
    });
});
