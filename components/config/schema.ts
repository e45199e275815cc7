// The typed, validated goship stack config: parseConfig reads the `goship:*` keys with one
// root Reader and hands each domain to its parser (image.ts, workload.ts, ingress.ts,
// namespace.ts, release.ts, placement.ts, observability.ts). Pure (no Pulumi imports):
// `components/config/load.ts` feeds it the stack's config. Defaults are the safe
// production values from the brief; dev overrides them in Pulumi.dev.yaml.

import type { AutoscalingConfig } from "../autoscaler";
import type { ReleaseSettings } from "../release/settings";
import type { ResourcesConfig } from "../resources";
import { ImageConfig, parseImage } from "./image";
import { IngressConfig, IngressNginxConfig, parseIngress, parseIngressNginx } from "./ingress";
import { parseQuota, QuotaConfig } from "./namespace";
import { ObservabilityConfig, parseObservability } from "./observability";
import { EgressConfig, parseEgress, parseSpread, SpreadConfig, withCollector } from "./placement";
import { parseRelease } from "./release";
import { APP_NAME, ConfigError, DNS_LABEL, IMAGE_TAG, Reader } from "./validate";
import { AppSettings, parseApp, parseAutoscaling, parseResources } from "./workload";

export const NAMESPACE = "goship";

export interface GoshipConfig {
    stack: string;
    appName: string;
    namespace: string;
    version: string;
    commit: string;
    image: ImageConfig;
    replicas: number;
    resources: ResourcesConfig;
    autoscaling: AutoscalingConfig;
    app: AppSettings;
    ingress: IngressConfig;
    ingressNginx: IngressNginxConfig;
    podSecurityLevel: "restricted" | "baseline" | "privileged";
    quota: QuotaConfig;
    release: ReleaseSettings;
    /** How each track's pods spread over nodes and zones. */
    spread: SpreadConfig;
    /** Default-deny egress and what the app may still reach. */
    egress: EgressConfig;
    /** Scraping, dashboard, alert rules, OTLP endpoint (components/config/observability.ts). */
    observability: ObservabilityConfig;
}

/** Top-level keys that hold secrets: validated for presence only, never echoed. */
export const SECRET_KEYS = ["apiToken", "registryPassword"] as const;

/**
 * A stack file can only ship a placeholder for a secret (ciphertext is per stack), so
 * Pulumi.prod.yaml holds `REPLACE-ME ...` values; load.ts hands the parser this marker
 * instead, and the parser names the command that sets the real value.
 */
export const PLACEHOLDER_SECRET = "[placeholder]";
export const isPlaceholderSecret = (value: unknown): boolean => typeof value === "string" && value.startsWith("REPLACE-ME");

/**
 * parseConfig validates the stack's `goship:*` config (keys without the `goship:` prefix,
 * structured values already decoded) and fills in defaults. It throws one ConfigError
 * listing every problem.
 */
export function parseConfig(raw: Record<string, unknown>, stack: string): GoshipConfig {
    const problems: string[] = [];
    const top = Reader.root(NAMESPACE, raw, problems);

    for (const s of SECRET_KEYS) {
        const v = top.raw(s);
        if (v === PLACEHOLDER_SECRET) {
            top.fail(s, `is still the placeholder from Pulumi.${stack}.yaml: set the real value with \`pulumi config set --secret -s ${stack} ${s} <value>\``);
        } else if (v !== undefined && typeof v !== "string") top.fail(s, "must be a secret string (pulumi config set --secret)");
    }

    const appName = top.string("appName", "goship", {
        pattern: APP_NAME,
        allowed: "a DNS label of at most 40 characters starting with a letter (it prefixes every object name)",
    });
    const namespace = top.string("namespace", `${appName}-${stack}`, { pattern: DNS_LABEL, allowed: "a DNS label" });

    let version = "";
    if (top.raw("version") === undefined) {
        top.fail("version", "is required: the version that should be live, e.g. pulumi config set version 1.4.0");
    } else {
        version = top.string("version", "", {
            pattern: IMAGE_TAG,
            allowed: "an image tag such as 1.4.0 (letters, digits, '_', '.', '-'; at most 128)",
        });
        if (version === "latest") {
            top.fail("version", `must name a real version, got "latest" (it is not reproducible and cannot be rolled back)`);
        }
    }
    const commit = top.string("commit", "unknown", { pattern: /^[A-Za-z0-9._-]{1,64}$/, allowed: "a commit id" });

    const image = parseImage(top, appName);
    const replicas = top.int("replicas", 3, 1, 100);
    const resources = parseResources(top.child("resources"));
    const autoscaling = parseAutoscaling(top.child("autoscaling"));
    const app = parseApp(top.child("app"), top.has("apiToken"));
    const ingress = parseIngress(top.child("ingress"));
    const ingressNginx = parseIngressNginx(top.child("ingressNginx"));
    const podSecurityLevel = top.string("podSecurityLevel", "restricted", {
        oneOf: ["restricted", "baseline", "privileged"],
    }) as GoshipConfig["podSecurityLevel"];
    const quota = parseQuota(top.child("quota"));
    const release = parseRelease(top.child("release"), { host: ingress.host, namespace });
    const spread = parseSpread(top.child("spread"));
    const egress = parseEgress(top.child("egress"));
    const observability = parseObservability(top.child("observability"));
    // Tracing on under default-deny egress: the collector needs its allow, or spans go nowhere.
    const egressWithCollector = withCollector(egress, observability.tracing, namespace,
        (m) => top.fail("observability.tracing.endpoint", m));

    top.rejectUnknown();
    if (problems.length > 0) throw new ConfigError(problems);

    return {
        stack, appName, namespace, version, commit, image, replicas, resources, autoscaling, app, ingress,
        ingressNginx, podSecurityLevel, quota, release, spread, egress: egressWithCollector, observability,
    };
}
