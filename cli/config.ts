// A stack's goship config as the CLI needs it, from `pulumi config --json` (the effective
// config: the stack file plus Pulumi.yaml defaults). Secrets are never read: the command runs
// without --show-secrets and a secret key is handed to the parser as a marker, as load.ts does.
import { GoshipConfig, isPlaceholderSecret, NAMESPACE, parseConfig, PLACEHOLDER_SECRET, SECRET_KEYS } from "../components/config/schema";
import { ConfigError } from "../components/config/validate";
import { releaseConfig } from "../components/release/settings";
import type { MoveConfig } from "./moves";

/** `goship:release.analysis` as the parser returns it (named from the config, wherever the type lives). */
export type AnalysisConfig = NonNullable<GoshipConfig["release"]["analysis"]>;

export interface StackConfig extends MoveConfig {
    analysis?: AnalysisConfig;
}

/** The `goship:*` keys of `pulumi config --json` output, decoded the way the program receives them. */
export function rawConfig(json: Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(json)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const field = key.slice(NAMESPACE.length + 1);
        if ((SECRET_KEYS as readonly string[]).includes(field)) {
            raw[field] = !entry.secret && isPlaceholderSecret(entry.value) ? PLACEHOLDER_SECRET : "[secret]";
        } else if (entry.objectValue !== undefined) {
            raw[field] = entry.objectValue;
        } else if (entry.value !== undefined) {
            raw[field] = entry.value;
        }
    }
    return raw;
}

/**
 * Validates the config as the program will (the same parser) and keeps what moves need.
 * Returns the parser's problems instead of throwing, so `status` can still show the release.
 */
export function stackConfig(json: Record<string, any>, stack: string): { ok: true; config: StackConfig } | { ok: false; problems: string[] } {
    try {
        const c = parseConfig(rawConfig(json), stack);
        const r = c.release;
        return {
            ok: true,
            config: {
                release: releaseConfig(c.version, r),
                ...(c.image.ref !== undefined ? { imageRef: c.image.ref } : {}),
                ...(r.analysis ? { analysis: r.analysis } : {}),
            },
        };
    } catch (e) {
        if (e instanceof ConfigError) return { ok: false, problems: e.problems };
        throw e;
    }
}
