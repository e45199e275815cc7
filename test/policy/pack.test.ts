// The pack as the engine sees it: policy/index.ts started as a process (it serves the
// analyzer gRPC protocol on 127.0.0.1 and prints its port), then asked over gRPC for its
// metadata and to analyze a resource, like `pulumi preview --policy-pack policy` does.
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as readline from "readline";
import { ROOT } from "../../offline/stack-config";
import { policies } from "../../policy/policies";
import { goodStack, container, mutate } from "./fixtures";
import { TYPES } from "../../policy/lib/k8s";

const grpc = require("@grpc/grpc-js");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

describe("policy pack process (analyzer protocol)", function () {
    this.timeout(60_000);
    let proc: ChildProcess;
    let client: any;

    before(async () => {
        proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "policy/index.ts")], {
            cwd: ROOT, stdio: ["ignore", "pipe", "inherit"],
        });
        const port = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("the pack did not print its port")), 30_000);
            readline.createInterface({ input: proc.stdout! }).once("line", (l) => { clearTimeout(timer); resolve(l.trim()); });
        });
        assert.match(port, /^\d+$/);
        client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        proc?.kill("SIGKILL");
    });

    const call = (method: string, req: any) => new Promise<any>((resolve, reject) =>
        client[method](req, (err: Error | null, res: any) => (err ? reject(err) : resolve(res))));

    it("reports every policy with its level, severity and config schema", async () => {
        const info = await call("getAnalyzerInfo", new Empty());
        assert.strictEqual(info.getName(), "goship");
        const reported = info.getPoliciesList().map((p: any) => p.getName()).sort();
        assert.deepStrictEqual(reported, policies.map((p) => p.name).sort());
        const probes = info.getPoliciesList().find((p: any) => p.getName() === "container-probes");
        assert.ok(probes.getConfigschema().getProperties().toJavaScript().maxLivenessDelayWithoutStartupProbe);
    });

    it("analyzes a Deployment like the engine asks it to", async () => {
        const analyze = async (props: any) => {
            const req = new analyzerPb.AnalyzeRequest();
            req.setType(TYPES.Deployment);
            req.setName("shop-blue");
            req.setUrn("urn:pulumi:prod::shop::kubernetes:apps/v1:Deployment::shop-blue");
            req.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(props))));
            req.setOptions(new analyzerPb.AnalyzerResourceOptions()); // the engine always sends options
            const res = await call("analyze", req);
            return res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()}: ${d.getMessage()}`);
        };
        const good = goodStack().find((r) => r.props.metadata.name === "shop-blue")!.props;
        assert.deepStrictEqual((await analyze(good)).filter((d: string) => d.startsWith("container-probes")), []);
        const broken = mutate(TYPES.Deployment, "shop-blue", (p) => delete container(p).readinessProbe).find((r) => r.props.metadata.name === "shop-blue")!.props;
        const diags = await analyze(broken);
        assert.ok(diags.some((d: string) => /container-probes: [\s\S]*container app has no readinessProbe/.test(d)), diags.join("\n"));
    });
});
