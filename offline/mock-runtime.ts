// Runs the real goship program (index.ts) under Pulumi's mock runtime with a stack's
// config read from Pulumi.<stack>.yaml, and returns every registered resource with its
// resolved inputs. Unlike the bare mock runtime it fails on a duplicate URN (the engine
// does), and it never hangs: waits are bounded and a failed resource rejects.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { TYPES } from "../policy/lib/k8s";
import { isPlaceholderSecret } from "../components/config/schema";

export const ROOT = path.resolve(__dirname, "..");

/** The type token of goship's release resource (a dynamic resource). */
export const RELEASE_TYPE = "pulumi-nodejs:dynamic/goship:Release";

/** A first deploy of the release resource, as the engine would run it with no prior state. */
async function createRelease(inputs: any): Promise<{ id: string; state: any }> {
    const { __provider, ...news } = inputs;
    const provider = require(path.join(ROOT, "components/release/provider.ts")).releaseProvider;
    const checked = await provider.check(undefined, news);
    if (checked.failures?.length) throw new Error(checked.failures.map((f: any) => f.reason).join("; "));
    const created = await provider.create(checked.inputs);
    return { id: created.id, state: created.outs };
}

export interface Registered {
    type: string;
    name: string;
    urn: string;
    /** Inputs as the program sent them, secrets unwrapped (see `secretPaths`). */
    inputs: any;
    /** Outputs the mock returned. */
    outputs: any;
    /** Dotted paths of input values that were secret. */
    secretPaths: string[];
    provider?: string;
    parent?: string;
    dependsOn?: string[];
}

export interface StackConfig {
    /** `goship:key` → string value as the engine passes it (objects JSON-encoded). */
    config: Record<string, string>;
    secretKeys: string[];
}

/** Placeholder value the harness gives each `secure:` key (the test cannot decrypt). */
export const secretPlaceholder = (key: string) => `test-secret-${key.replace(/^goship:/, "")}`;

/**
 * Reads Pulumi.<stack>.yaml. Values set with `--path` semantics in `overrides` replace
 * top-level keys (`goship:version`) or nested fields (`goship:release.step`); `undefined`
 * deletes the key.
 */
export function loadStackConfig(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const values: Record<string, unknown> = { ...(doc.config ?? {}) };
    for (const [key, value] of Object.entries(overrides)) setPath(values, key, value);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        // A `secure:` value (the test cannot decrypt it) or a shipped REPLACE-ME placeholder:
        // rehearse with a test secret, as if `pulumi config set --secret` had been run.
        if ((value && typeof value === "object" && !Array.isArray(value) && "secure" in value) || isPlaceholderSecret(value)) {
            config[key] = secretPlaceholder(key);
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}

/** Applies `pulumi config set --path` semantics: `goship:release.step` sets a nested field. */
export function setPath(values: Record<string, unknown>, key: string, value: unknown): void {
    const colon = key.indexOf(":");
    const [head, ...rest] = (colon >= 0 ? key : `goship:${key}`).split(".");
    if (rest.length === 0) {
        if (value === undefined) delete values[head];
        else values[head] = value;
        return;
    }
    let obj = (values[head] ??= {}) as Record<string, unknown>;
    for (const part of rest.slice(0, -1)) obj = (obj[part] ??= {}) as Record<string, unknown>;
    const last = rest[rest.length - 1];
    if (value === undefined) delete obj[last];
    else obj[last] = value;
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

export interface RunResult {
    resources: Registered[];
    /** Objects the program read (`Resource.get`), with what the read returned. */
    reads: Array<{ type: string; name: string; id: string; outputs: any }>;
    outputs: Record<string, unknown>;
    /** Resources of one type. */
    ofType(type: string): Registered[];
    /** The one resource of a type and name (Kubernetes `metadata.name` or Pulumi name); throws if absent. */
    get(type: string, name: string): Registered;
    /** Whether `a` waits for `b` (directly or through other resources) in this update. */
    waitsFor(a: Registered, b: Registered): boolean;
}

/** Unwraps the mock monitor's secret envelopes, recording where they were. */
export function unwrapSecrets(value: any, at = "", found: string[] = []): any {
    if (value && typeof value === "object") {
        if (value["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") {
            found.push(at);
            return unwrapSecrets(value.value, at, found);
        }
        if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
        const out: any = {};
        for (const [k, v] of Object.entries(value)) out[k] = unwrapSecrets(v, at ? `${at}.${k}` : k, found);
        return out;
    }
    return value;
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
    if (type === "docker:index/image:Image") {
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

/** Resolves an Output, rejecting (not hanging) if it fails or does not settle in time. */
export function settle<T>(o: pulumi.Input<T>, timeoutMs = 10_000): Promise<T> {
    const out = pulumi.output(o) as any;
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`output did not settle within ${timeoutMs} ms`)), timeoutMs);
        out.promise(true).then(
            (v: T) => { clearTimeout(timer); resolve(v); },
            (e: unknown) => { clearTimeout(timer); reject(e); },
        );
    });
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
                if (answer === undefined && args.type === RELEASE_TYPE) answer = await createRelease(inputs);
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
    const settings = require("@pulumi/pulumi/runtime/settings");
    let last = -1;
    const start = Date.now();
    while (last !== resources.length) {
        last = resources.length;
        await settings.waitForRPCs();
        await new Promise((r) => setTimeout(r, 2));
        if (Date.now() - start > deadline) throw new Error("registrations did not settle");
    }
    if (failures.length > 0) throw failures[0];
    for (const r of resources) r.dependsOn = deps.get(`${r.type}::${r.name}`) ?? [];

    return {
        resources,
        reads,
        outputs,
        ofType: (type) => resources.filter((r) => r.type === type),
        waitsFor(a, b) {
            const byKey = new Map(resources.map((x) => [`${x.type}::${x.name}`, x]));
            const target = `${b.type}::${b.name}`;
            const seen = new Set<string>();
            const stack = [...(a.dependsOn ?? [])];
            while (stack.length > 0) {
                const k = stack.pop()!;
                if (k === target) return true;
                if (seen.has(k)) continue;
                seen.add(k);
                stack.push(...(byKey.get(k)?.dependsOn ?? []));
            }
            return false;
        },
        get(type, name) {
            const found = resources.filter((r) => r.type === type && (r.inputs?.metadata?.name === name || r.name === name));
            if (found.length !== 1) {
                const have = resources.filter((r) => r.type === type).map((r) => r.inputs?.metadata?.name ?? r.name);
                throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${have.join(", ")})`);
            }
            return found[0];
        },
    };
}

/** Type tokens: the Kubernetes kinds the policies know, plus the other resources goship registers. */
export const T = {
    ...TYPES,
    Chart: "kubernetes:helm.sh/v4:Chart",
    Image: "docker:index/image:Image",
} as const;
