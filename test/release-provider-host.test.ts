// The release provider through the real dynamic-provider host of @pulumi/pulumi (the
// process the engine starts for dynamic resources), over gRPC on 127.0.0.1, with the
// provider serialized exactly as the SDK serializes it. Wire-format problems (protobuf
// Structs, closure capture) show up here and nowhere in the mock runtime.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as readline from "readline";
import * as pulumi from "@pulumi/pulumi";
import { releaseProvider } from "../components/release/provider";
import { ROOT } from "../offline/stack-config";

const grpc = require("@grpc/grpc-js");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

describe("release provider in the real dynamic-provider host", function () {
    this.timeout(60_000);
    let host: ChildProcess;
    let client: any;
    let serialized: string;

    before(async () => {
        // What pulumi.dynamic.Resource stores in __provider.
        serialized = (await pulumi.runtime.serializeFunction(() => releaseProvider, { allowSecrets: true })).text;
        host = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"], {
            cwd: ROOT, stdio: ["ignore", "pipe", "inherit"],
        });
        const port = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("the provider host did not print its port")), 30_000);
            readline.createInterface({ input: host.stdout! }).once("line", (l) => { clearTimeout(timer); resolve(l.trim()); });
        });
        client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        host?.kill("SIGKILL");
    });

    const rpc = (method: string, req: any) => new Promise<any>((resolve, reject) =>
        client[method](req, (err: Error | null, res: any) => (err ? reject(err) : resolve(res))));
    const urn = "urn:pulumi:dev::goship::goship:index:Release$pulumi-nodejs:dynamic/goship:Release::goship-release";
    const inputs = (version: string, step: number) => ({
        __provider: serialized,
        desired: { version, strategy: "canary", steps: [5, 20, 50, 100], step, abort: false, scaleDownDelaySeconds: 600 },
        imageRef: `goship:${version}`,
        now: "2026-11-24T10:00:00.000Z",
    });

    async function check(olds: any, news: any) {
        const req = new providerPb.CheckRequest();
        req.setUrn(urn);
        req.setOlds(Struct.fromJavaScript(olds));
        req.setNews(Struct.fromJavaScript(news));
        const res = await rpc("check", req);
        return { inputs: res.getInputs()?.toJavaScript(), failures: res.getFailuresList().map((f: any) => f.getReason()) };
    }

    it("runs a release through check, create, diff and update over gRPC", async () => {
        const first = await check({}, inputs("1.0.0", 0));
        assert.deepStrictEqual(first.failures, []);
        assert.strictEqual(first.inputs.status, "stable 1.0.0");
        assert.strictEqual(first.inputs.__provider, serialized, "the host keeps the provider with the inputs");

        const create = new providerPb.CreateRequest();
        create.setUrn(urn);
        create.setProperties(Struct.fromJavaScript(first.inputs));
        const created = await rpc("create", create);
        const stored = created.getProperties().toJavaScript();
        assert.match(created.getId(), /^release-/);
        assert.strictEqual(stored.state.phase, "Stable");

        const second = await check(stored, inputs("1.1.0", 0));
        assert.deepStrictEqual(second.failures, []);
        assert.strictEqual(second.inputs.state.weight, 5);
        assert.strictEqual(second.inputs.status, "canary 1.1.0 step 1/4: 5% · stable 1.0.0");

        const diff = new providerPb.DiffRequest();
        diff.setId(created.getId());
        diff.setUrn(urn);
        diff.setOlds(Struct.fromJavaScript(stored));
        diff.setNews(Struct.fromJavaScript(second.inputs));
        const d = await rpc("diff", diff);
        assert.strictEqual(d.getChanges(), providerPb.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepStrictEqual(d.getReplacesList(), [], "a release step never replaces the resource");

        const update = new providerPb.UpdateRequest();
        update.setId(created.getId());
        update.setUrn(urn);
        update.setOlds(Struct.fromJavaScript(stored));
        update.setNews(Struct.fromJavaScript(second.inputs));
        const updated = (await rpc("update", update)).getProperties().toJavaScript();
        assert.strictEqual(updated.state.candidateVersion, "1.1.0");

        const same = await check(updated, inputs("1.1.0", 0));
        const noop = new providerPb.DiffRequest();
        noop.setId(created.getId());
        noop.setUrn(urn);
        noop.setOlds(Struct.fromJavaScript(updated));
        noop.setNews(Struct.fromJavaScript(same.inputs));
        assert.strictEqual((await rpc("diff", noop)).getChanges(), providerPb.DiffResponse.DiffChanges.DIFF_NONE, "unchanged config is a no-op");

        const jump = await check(updated, inputs("1.1.0", 2));
        assert.strictEqual(jump.failures.length, 1);
        assert.match(jump.failures[0], /release 1\.1\.0 is at step 0\/4 \(5%\); step 2 would skip 1 step\(s\)/);
    });
});
