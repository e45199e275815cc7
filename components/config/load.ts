// The only reader of Pulumi config in goship: it collects every `goship:*` key of the
// stack, hands the plain values to the pure parser and attaches the secret ones as
// secret Outputs, so a secret never travels as a plain string.

import * as pulumi from "@pulumi/pulumi";
import { GoshipConfig, isPlaceholderSecret, NAMESPACE, parseConfig, PLACEHOLDER_SECRET, SECRET_KEYS } from "./schema";
import { ConfigError } from "./validate";

export interface LoadedConfig extends GoshipConfig {
    /** `goship:apiToken`, a secret Output (undefined when not set). */
    apiToken?: pulumi.Output<string>;
    /** `goship:registryPassword`, a secret Output (undefined when not set). */
    registryPassword?: pulumi.Output<string>;
}

/** Decodes a config value the way `pulumi config set --path` stores it (objects as JSON). */
function decode(value: string): unknown {
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return value;
        }
    }
    return value;
}

export function loadConfig(): LoadedConfig {
    const raw: Record<string, unknown> = {};
    const prefix = `${NAMESPACE}:`;
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        const field = key.slice(prefix.length);
        // Secret values are checked for presence only; parseConfig never sees them.
        if ((SECRET_KEYS as readonly string[]).includes(field)) raw[field] = isPlaceholderSecret(value) ? PLACEHOLDER_SECRET : "[secret]";
        else raw[field] = decode(value);
    }
    let parsed: GoshipConfig;
    try {
        parsed = parseConfig(raw, pulumi.getStack());
    } catch (e) {
        // RunError makes the engine print the message alone, without a stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
    const config = new pulumi.Config(NAMESPACE);
    return {
        ...parsed,
        apiToken: parsed.app.hasApiToken ? config.requireSecret("apiToken") : undefined,
        registryPassword: parsed.image.hasRegistryPassword ? config.requireSecret("registryPassword") : undefined,
    };
}
