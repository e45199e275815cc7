// Pure pieces of the offline renderer: argument parsing, `--set` values, stable YAML
// files with secrets redacted, and the plan's object diff. Kept apart from the process
// wrapper (scripts/render.ts) so they can be tested without spawning anything.
import * as YAML from "yaml";
import type { Registered } from "./results";

export class UsageError extends Error {}

export interface RenderArgs {
    stack: string;
    sets: Record<string, unknown>;
    state?: string;
    out: string;
    policy: boolean;
}

export const USAGE = "usage: npm run render -- --stack <dev|prod> [--set key=value ...] [--state <file>] [--out <dir>] [--no-policy]";

/** Parses a `--set` value the way a user means it: numbers, booleans, JSON lists/objects, else a string. */
export function parseValue(v: string): unknown {
    if (/^-?\d+$/.test(v)) return Number(v);
    if (v === "true" || v === "false") return v === "true";
    if (/^[[{]/.test(v.trim())) {
        try {
            return JSON.parse(v);
        } catch {
            throw new UsageError(`--set value ${v} looks like JSON but does not parse`);
        }
    }
    return v;
}

export function parseArgs(argv: string[], stacks: string[]): RenderArgs {
    const args: RenderArgs = { stack: "", sets: {}, out: "out", policy: true };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value\n${USAGE}`);
            return v;
        };
        if (a === "--stack") args.stack = value();
        else if (a === "--state") args.state = value();
        else if (a === "--out") args.out = value();
        else if (a === "--no-policy") args.policy = false;
        else if (a === "--set") {
            const kv = value();
            const eq = kv.indexOf("=");
            if (eq <= 0) throw new UsageError(`--set takes key=value (like pulumi config set --path), got ${kv}`);
            const key = kv.slice(0, eq);
            args.sets[key.includes(":") ? key : `goship:${key}`] = parseValue(kv.slice(eq + 1));
        } else if (a === "--help" || a === "-h") throw new UsageError(USAGE);
        else throw new UsageError(`unknown argument ${a}\n${USAGE}`);
    }
    if (!args.stack) throw new UsageError(`--stack is required\n${USAGE}`);
    if (!stacks.includes(args.stack)) throw new UsageError(`unknown stack "${args.stack}"; stacks: ${stacks.join(", ")}`);
    return args;
}

export const REDACTED = "[secret]";

/**
 * Replaces every leaf value with `[secret]` and keeps the shape: a secret map stays a map
 * (a Secret's `stringData: {API_TOKEN: "[secret]"}` is still a valid Secret), a list stays
 * a list. Key names are not secret (`kubectl describe secret` shows them too).
 */
export function redactValue(value: any): any {
    if (Array.isArray(value)) return value.map(redactValue);
    if (value && typeof value === "object") {
        const out: any = {};
        for (const [k, v] of Object.entries(value)) out[k] = redactValue(v);
        return out;
    }
    return REDACTED;
}

/** A copy of `obj` with the values at each dotted path redacted (see redactValue). */
export function redact(obj: any, paths: string[]): any {
    const copy = JSON.parse(JSON.stringify(obj ?? {}));
    for (const p of paths) {
        if (p === "") return redactValue(copy);
        const parts = p.replace(/\[(\d+)\]/g, ".$1").split(".");
        let o = copy;
        for (const part of parts.slice(0, -1)) o = o?.[part];
        const last = parts[parts.length - 1];
        if (o && last in o) o[last] = redactValue(o[last]);
    }
    return copy;
}

const TOP_ORDER = ["apiVersion", "kind", "metadata", "spec", "type", "data", "stringData"];

/** Keys in a stable order: the Kubernetes top-level order, then alphabetical everywhere. */
export function stableOrder(value: any, top = true): any {
    if (Array.isArray(value)) return value.map((v) => stableOrder(v, false));
    if (!value || typeof value !== "object") return value;
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    keys.sort((a, b) => {
        if (top) {
            const ia = TOP_ORDER.indexOf(a), ib = TOP_ORDER.indexOf(b);
            if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
        }
        return a < b ? -1 : a > b ? 1 : 0;
    });
    const out: any = {};
    for (const k of keys) out[k] = stableOrder(value[k], false);
    return out;
}

/** The Kubernetes object a registered resource describes, secrets redacted, keys ordered. */
export function kubernetesObject(r: Registered): any {
    return stableOrder(redact(r.inputs, r.secretPaths));
}

/** `deployment-goship-blue.yaml`: stable, unique per kind and name. */
export function objectFileName(obj: any): string {
    return `${String(obj.kind).toLowerCase()}-${obj.metadata?.name}.yaml`;
}

export function toYaml(obj: any): string {
    return YAML.stringify(obj, { lineWidth: 0, sortMapEntries: false });
}

export interface Change {
    path: string;
    before: unknown;
    after: unknown;
}

/** Leaf-level differences between two objects, as dotted paths. */
export function diffObjects(before: any, after: any, at = ""): Change[] {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const isObj = (v: any) => v && typeof v === "object" && !Array.isArray(v);
    if (isObj(before) && isObj(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => diffObjects(before[k], after[k], at ? `${at}.${k}` : k));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((b, i) => diffObjects(b, after[i], `${at}[${i}]`));
    }
    return [{ path: at, before, after }];
}

export function showValue(v: unknown): string {
    if (v === undefined) return "(none)";
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** An HTTPRoute's rules in one line, e.g. `testers → goship-green · split → goship-blue 95, goship-green 5`. */
export function routeWeights(route: any): string {
    return (route?.spec?.rules ?? []).map((r: any, i: number) =>
        `${r.name ?? `rule ${i}`} → ${(r.backendRefs ?? []).map((b: any) => (r.backendRefs.length > 1 ? `${b.name} ${b.weight ?? 1}` : b.name)).join(", ")}`).join(" · ");
}
