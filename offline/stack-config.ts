// Stack config loading for the offline runtime: Pulumi.<stack>.yaml read as the engine
// would pass it to the program (structured values JSON-encoded, secrets as placeholders),
// with `pulumi config set --path`-style overrides.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isPlaceholderSecret } from "../components/config/schema";

/** The project root (Pulumi.yaml, index.ts, the stack files). */
export const ROOT = path.resolve(__dirname, "..");

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
