// Runs the real goship program (index.ts) under Pulumi's mock runtime with a stack's
// config read from Pulumi.<stack>.yaml, and returns every registered resource with its
// resolved inputs. Unlike the bare mock runtime it fails on a duplicate URN (the engine
// does), and it never hangs: waits are bounded and a failed resource rejects.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { unwrapSecrets } from "../components/secrets";
import { Registered, RunResult, runResult, T } from "./results";
import { settle, settleRegistrations } from "./settle";
import { loadStackConfig, ROOT } from "./stack-config";

/** The release provider refused the config edit (the preview would fail with this message). */
export class RefusedTransition extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RefusedTransition";
    }
}

/**
 * One update of the release resource, as the engine runs a dynamic resource: check (the
 * engine passes the stored inputs; check reduces the stored outputs given here to the same
 * planned state), then create (no state yet), or diff and update only when it changed.
 * The only place the offline runtime drives the provider.
 */
export async function applyRelease(stored: any | undefined, news: any): Promise<{ id: string; state: any; changed?: boolean }> {
    const provider = require(path.join(ROOT, "components/release/provider.ts")).releaseProvider;
    const checked = await provider.check(stored, news);
    if (checked.failures?.length) throw new RefusedTransition(checked.failures.map((f: any) => f.reason).join("; "));
    const inputs = checked.inputs;
    if (stored === undefined) {
        const created = await provider.create(inputs);
        return { id: created.id, state: created.outs };
    }
    try {
        const d = await provider.diff("release", stored, inputs);
        return { id: "release", state: d.changes ? (await provider.update("release", stored, inputs)).outs : stored, changed: d.changes };
    } catch (e) {
        // diff/update refuse what only the stored outputs show (the blue/green scale-down
        // delay, an analysis that answers differently at apply): the same refusal.
        if ((e as Error)?.name === "ApplyRefusal") throw new RefusedTransition((e as Error).message);
        throw e;
    }
}

export type NewResourceHook = (args: pulumi.runtime.MockResourceArgs) =>
    Promise<{ id?: string; state?: any } | undefined> | { id?: string; state?: any } | undefined;

export interface RunOptions {
    stack: "dev" | "prod" | string;
    overrides?: Record<string, unknown>;
    /** Lets a caller answer some resources itself (the multi-update engine does for the release). */
    onNewResource?: NewResourceHook;
    preview?: boolean;
    timeoutMs?: number;
    /** Runs this instead of index.ts (component tests); its return value's keys become outputs. */
    program?: () => Record<string, unknown> | void;
    /**
     * Skip the SDK's closure serialization of dynamic providers. Only the engine's provider
     * host reads that text; the offline renderer answers the release resource itself, so it
     * saves the ~0.3 s the serializer costs. (test/release-provider.test.ts serializes for real.)
     */
    skipProviderSerialization?: boolean;
}

/** The inputs a dynamic resource's provider sees: without the serialized provider itself. */
export function withoutProvider(inputs: any): any {
    const { __provider, ...news } = inputs;
    return news;
}

/** Replaces the SDK's closure serializer with a placeholder (see RunOptions). */
function skipClosureSerialization(): void {
    const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    sc.serializeFunction = async () => ({ text: "/* not serialized: offline render */", exportName: "handler", containsSecrets: false });
}

/** `urn:pulumi:stack::project::parent$type::name` → `type::name`. */
export function urnToKey(urn: string): string {
    const parts = urn.split("::");
    const name = parts[parts.length - 1];
    const type = parts[parts.length - 2].split("$").pop();
    return `${type}::${name}`;
}

/**
 * Outputs the mock adds to a resource's inputs: the pushed image digest, and a name for
 * Kubernetes objects that did not set one. Everything else echoes the inputs (with their
 * secret envelopes, so secret inputs stay secret outputs).
 */
function mockExtras(type: string, name: string, inputs: any): any {
    if (type === T.Image) {
        const imageName: string = inputs.imageName ?? "";
        const push = inputs.skipPush !== true;
        const digest = require("crypto").createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
        return { repoDigest: push ? `${imageName.replace(/:[^/:]+$/, "")}@sha256:${digest}` : "" };
    }
    if (type.startsWith("kubernetes:") && inputs.metadata && !inputs.metadata.name) {
        return { metadata: { ...inputs.metadata, name: `${name}-mock` } };
    }
    return {};
}

/** The program's own modules: reloaded for every run so each run starts clean. */
const isProgramFile = (f: string) => f === path.join(ROOT, "index.ts") || f.startsWith(path.join(ROOT, "components") + path.sep);

/** Runs index.ts once under mocks; returns what it registered. */
export async function runProgram(opts: RunOptions): Promise<RunResult> {
    const { config, secretKeys } = loadStackConfig(opts.stack, opts.overrides);
    const resources: Registered[] = [];
    const reads: RunResult["reads"] = [];
    const urns = new Set<string>();
    const failures: Error[] = [];

    if (opts.skipProviderSerialization) skipClosureSerialization();
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks({
        newResource: async (args) => {
            if (args.id) {
                // A read (`Resource.get`) of an object that already exists: no object of this
                // program. The caller may answer with the live object; offline it reads empty.
                const answer = opts.onNewResource ? await opts.onNewResource(args) : undefined;
                reads.push({ type: args.type, name: args.name, id: args.id, outputs: answer?.state ?? {} });
                return { id: args.id, state: answer?.state ?? {} };
            }
            const urn = `${args.type}::${args.name}`;
            if (urns.has(urn)) {
                const e = new Error(`duplicate resource URN: type ${args.type}, name ${args.name}`);
                failures.push(e);
                throw e;
            }
            urns.add(urn);
            const secretPaths: string[] = [];
            const inputs = unwrapSecrets(args.inputs, "", secretPaths);
            let answer: { id?: string; state?: any } | undefined;
            try {
                answer = opts.onNewResource ? await opts.onNewResource({ ...args, inputs }) : undefined;
                // A first deploy of the release resource, as the engine would run it with no prior state.
                if (answer === undefined && args.type === T.Release) answer = await applyRelease(undefined, withoutProvider(inputs));
            } catch (e) {
                failures.push(e as Error);
                throw e;
            }
            const extras = answer?.state === undefined ? mockExtras(args.type, args.name, inputs) : {};
            resources.push({
                type: args.type, name: args.name, urn, inputs, outputs: answer?.state ?? { ...inputs, ...extras }, secretPaths,
                provider: args.provider,
            });
            return { id: answer?.id ?? `${args.name}-id`, state: answer?.state ?? { ...args.inputs, ...extras } };
        },
        call: (args) => args.inputs,
    }, "goship", opts.stack, opts.preview ?? false);

    // The mock monitor drops the dependency list; record it so tests can check ordering.
    const deps = new Map<string, string[]>();
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: any) => {
        deps.set(`${req.getType()}::${req.getName()}`, req.getDependenciesList().map(urnToKey));
        return register(req, cb);
    };

    // A fresh copy of the program and its components for every run.
    for (const key of Object.keys(require.cache)) if (isProgramFile(key)) delete require.cache[key];
    const program = opts.program ? (opts.program() ?? {}) : require(path.join(ROOT, "index.ts"));

    const outputs: Record<string, unknown> = {};
    const deadline = opts.timeoutMs ?? 20_000;
    try {
        for (const [k, v] of Object.entries(program)) outputs[k] = unwrapSecrets(await settle(v as any, deadline));
    } catch (e) {
        // The runtime wraps a failed registration; report the original error.
        throw failures[0] ?? e;
    }
    // Wait until registrations stop (children created inside applies register late).
    await settleRegistrations(() => resources.length, deadline);
    if (failures.length > 0) throw failures[0];
    for (const r of resources) r.dependsOn = deps.get(`${r.type}::${r.name}`) ?? [];

    return runResult(resources, reads, outputs);
}
