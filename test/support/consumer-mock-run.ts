// Runs a consumer project's compiled program (bin/index.js) under the mock runtime of the
// consumer's OWN @pulumi/pulumi, in a child process started in the consumer's directory
// (test/package.test.ts). Nothing here is loaded from this repository at run time: the SDK,
// goship and the release provider all resolve from the consumer's node_modules.
//
// The release resource is answered like the engine's dynamic-provider host does it: the
// `__provider` text the SDK serialized is loaded with require-from-string from the consumer's
// directory, then check → create (no state) or check → diff → update (the stored outputs).
//
// Input: env GOSHIP_CONSUMER_RUN = {project, stack, config, stored?, out}. Output: JSON in `out`.
import { createRequire } from "module";
import * as fs from "fs";
import * as path from "path";

interface Request {
    project: string;
    stack: string;
    config: Record<string, string>;
    /** The release resource's outputs from the previous run (the state), if any. */
    stored?: any;
    out: string;
}

const RELEASE_TYPE = "pulumi-nodejs:dynamic/goship:Release";

async function main(): Promise<void> {
    const req: Request = JSON.parse(process.env.GOSHIP_CONSUMER_RUN!);
    const dir = process.cwd();
    const consumerRequire = createRequire(path.join(dir, "index.js"));
    const pulumi = consumerRequire("@pulumi/pulumi");
    const fromPulumi = createRequire(consumerRequire.resolve("@pulumi/pulumi/package.json"));
    const requireFromString = fromPulumi("require-from-string");

    const resources: Array<{ type: string; name: string; inputs: any }> = [];
    let release: { provider: string; outputs: any; changed?: boolean } | undefined;
    pulumi.runtime.setAllConfig(req.config, []);
    await pulumi.runtime.setMocks({
        newResource: async (args: any) => {
            if (args.type !== RELEASE_TYPE) {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: args.inputs };
            }
            const { __provider, ...news } = args.inputs;
            // What cmd/dynamic-provider does with the stored text (relative requires resolve from cwd).
            const provider = requireFromString(__provider).handler();
            const checked = await provider.check(req.stored ?? {}, news);
            if (checked.failures?.length) throw new Error(checked.failures.map((f: any) => f.reason).join("; "));
            let outputs: any;
            let changed: boolean | undefined;
            if (!req.stored) {
                outputs = (await provider.create(checked.inputs)).outs;
            } else {
                changed = (await provider.diff("release", req.stored, checked.inputs)).changes;
                outputs = changed ? (await provider.update("release", req.stored, checked.inputs)).outs : req.stored;
            }
            release = { provider: __provider, outputs, changed };
            resources.push({ type: args.type, name: args.name, inputs: news });
            return { id: "release", state: outputs };
        },
        call: (args: any) => args.inputs,
    }, req.project, req.stack, false);

    const program = require(path.join(dir, "bin", "index.js"));
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(program)) outputs[k] = await (pulumi.output(v) as any).promise();
    // Children created inside applies register late: wait until registrations stop.
    const settings = fromPulumi("./runtime/settings");
    let last = -1;
    while (last !== resources.length) {
        last = resources.length;
        await settings.waitForRPCs();
        await new Promise((r) => setTimeout(r, 5));
    }
    fs.writeFileSync(req.out, JSON.stringify({ resources, outputs, release }));
}

main().then(() => process.exit(0), (e) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exit(1);
});
