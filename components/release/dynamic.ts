// pulumi.dynamic.Resource, minus the one slow part of every program run that never changes
// between runs: serializing the provider's code (pulumi.runtime.serializeFunction walks every
// closure through the V8 inspector, ~0.5 s here, in the preview and again in the update of each
// `up`). The text it produces is kept in the program's node_modules/.cache/goship-engine, keyed
// by the SDK and Node versions and the path and text of every goship source file loaded so far
// (the provider's code can only come from those), so any edit or upgrade serializes afresh.
// Registered exactly as pulumi.dynamic.Resource registers: same type token, same `__provider`
// text and secretness.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

interface Serialized {
    text: string;
    containsSecrets: boolean;
}

const memo = new Map<object, Promise<Serialized>>();

/**
 * The loaded files the provider's code can come from, in a stable order: everything under
 * `root` (this repository, or the installed package's dist/ when goship is a dependency) but
 * its own node_modules.
 */
function projectSources(root: string): string[] {
    return Object.keys(require.cache)
        .filter((f) => f.startsWith(root + path.sep) && !f.startsWith(path.join(root, "node_modules") + path.sep))
        .sort();
}

function cacheKey(root: string): string {
    const h = createHash("sha256");
    h.update(`pulumi ${require("@pulumi/pulumi/package.json").version} node ${process.version}\0`);
    for (const f of projectSources(root)) h.update(f).update("\0").update(fs.readFileSync(f)).update("\0");
    return h.digest("hex");
}

/** The SDK's serializer, looked up at each call as pulumi.dynamic.Resource does (the offline render swaps it). */
function sdkSerialize(provider: pulumi.dynamic.ResourceProvider): Promise<Serialized> {
    return require("@pulumi/pulumi/runtime/closure/serializeClosure").serializeFunction(() => provider, { allowSecrets: true });
}

/** Under pulumi.runtime.setMocks (tests, the offline render) nothing is cached. */
function underMocks(): boolean {
    const { getMonitor } = require("@pulumi/pulumi/runtime/settings");
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
    return getMonitor() instanceof MockMonitor;
}

async function serialize(provider: pulumi.dynamic.ResourceProvider): Promise<Serialized> {
    if (underMocks()) return sdkSerialize(provider);
    // The program's project (the engine runs it from there), beside engine/transpile.js's cache;
    // a process started elsewhere (no node_modules in its directory) caches nothing.
    const modules = path.join(process.cwd(), "node_modules");
    if (!fs.existsSync(modules)) return sdkSerialize(provider);
    const root = path.resolve(__dirname, "..", "..");
    const file = path.join(modules, ".cache", "goship-engine", `provider-${cacheKey(root)}.json`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        const sf = await sdkSerialize(provider);
        const out: Serialized = { text: sf.text, containsSecrets: sf.containsSecrets };
        if (!out.containsSecrets) {
            // Secrets never go to disk: such a provider is serialized at every run.
            try {
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(out));
                fs.renameSync(`${file}.${process.pid}.tmp`, file);
            } catch {
                // A read-only node_modules only costs the cache.
            }
        }
        return out;
    }
}

/** The provider's code as pulumi.dynamic.Resource would serialize it (once per process). */
export function serializedProvider(provider: pulumi.dynamic.ResourceProvider): Promise<Serialized> {
    let p = memo.get(provider);
    if (!p) memo.set(provider, (p = serialize(provider)));
    return p;
}

/** A dynamic resource (`pulumi-nodejs:dynamic/<module>:<type>`) whose provider code is cached. */
export abstract class CachedDynamicResource extends pulumi.CustomResource {
    constructor(provider: pulumi.dynamic.ResourceProvider, name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions | undefined,
        module: string, type: string) {
        if (props.__provider) throw new Error("A dynamic resource must not define the __provider key");
        const code = pulumi.output(serializedProvider(provider)).apply((s) => (s.containsSecrets ? pulumi.secret(s.text) : s.text));
        super(`pulumi-nodejs:dynamic/${module}:${type}`, name, { ...props, __provider: code }, opts);
    }
}
