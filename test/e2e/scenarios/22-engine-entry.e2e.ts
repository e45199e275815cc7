// Scenario 22: how the engine loads the program (Pulumi.yaml: typescript off, nodeargs
// --require=./engine/transpile.js). The state records each resource's source position at the
// .ts line that created it, as under the SDK's ts-node; a warm second run transpiles nothing
// and previews no change.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../toolchain";
import { deployedDev } from "../story";

/** 1-based line and column of `needle` in a project file. */
function positionOf(file: string, needle: string): string {
    const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
    const line = lines.findIndex((l) => l.includes(needle));
    assert.ok(line >= 0, `${needle} not found in ${file}`);
    return `${line + 1},${lines[line].indexOf(needle) + 1}`;
}

describe("e2e 22: the engine's entry (transpile-only, cached)", () => {
    it("records each resource's source position at its .ts line; a no-change preview stays unchanged", async () => {
        const { stack } = await deployedDev();
        const state = JSON.parse(await stack.exportText());
        const release = state.deployment.resources.find((r: any) => r.urn.endsWith("pulumi-nodejs:dynamic/goship:Release::goship-release"));
        // The first frame outside the SDK: ReleaseRecord's constructor calling its base class.
        assert.strictEqual(release.sourcePosition, `project:///components/release/record.ts#${positionOf("components/release/record.ts", "super(engineReleaseProvider")}`);
        const ns = state.deployment.resources.find((r: any) => r.urn.endsWith("goship:index:AppNamespace::goship"));
        assert.strictEqual(ns.sourcePosition, `project:///index.ts#${positionOf("index.ts", "new AppNamespace(")}`);

        const preview = await stack.preview();
        assert.ok(preview.ok, preview.stderr + preview.stdout);
        const changed = preview.events.map((e) => e.resourcePreEvent?.metadata).filter((m) => m && m.op !== "same");
        assert.deepStrictEqual(changed.map((m) => `${m!.op} ${m!.urn.split("::").pop()}`), []);
    });
});
