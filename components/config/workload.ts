// Parsing of what each track's pods run with: `goship:resources`, `goship:autoscaling` and
// `goship:app` (the Go service's port, timings and settings). Pure; the resources and
// autoscaling types belong to the components that use them.
import type { AutoscalingConfig } from "../autoscaler";
import type { ResourcesConfig } from "../resources";
import { CPU_QUANTITY, MEMORY_QUANTITY, parseQuantity, Reader } from "./validate";

export interface AppSettings {
    port: number;
    shutdownTimeoutSeconds: number;
    drainDelaySeconds: number;
    preStopSleepSeconds: number;
    greeting: string;
    logLevel: "debug" | "info" | "warn" | "error";
    /** Whether `goship:apiToken` is set (the value itself stays a secret Output). */
    hasApiToken: boolean;
}

export function parseResources(res: Reader): ResourcesConfig {
    const req = res.child("requests");
    const lim = res.child("limits");
    const resources: ResourcesConfig = {
        requests: {
            cpu: req.quantity("cpu", "100m", { pattern: CPU_QUANTITY, allowed: "a CPU quantity such as 100m or 0.5" }),
            memory: req.quantity("memory", "64Mi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity such as 64Mi" }),
            // Logs (the kubelet keeps ≤ 5 × 10Mi per container by default) plus the 16Mi /tmp.
            ephemeralStorage: req.quantity("ephemeralStorage", "64Mi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity such as 64Mi" }),
        },
        limits: {
            cpu: lim.has("cpu") || !res.has("limits")
                ? lim.quantity("cpu", "500m", { pattern: CPU_QUANTITY, allowed: "a CPU quantity such as 500m" })
                : (lim.raw("cpu"), undefined),
            memory: lim.quantity("memory", "128Mi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity such as 128Mi" }),
            ephemeralStorage: lim.quantity("ephemeralStorage", "256Mi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity such as 256Mi" }),
        },
    };
    if (parseQuantity(resources.limits.ephemeralStorage) < parseQuantity(resources.requests.ephemeralStorage)) {
        lim.fail("ephemeralStorage", `must be ≥ requests.ephemeralStorage (${resources.requests.ephemeralStorage}), got ${resources.limits.ephemeralStorage}`);
    }
    if (parseQuantity(resources.limits.memory) < parseQuantity(resources.requests.memory)) {
        lim.fail("memory", `must be ≥ requests.memory (${resources.requests.memory}), got ${resources.limits.memory}`);
    }
    if (resources.limits.cpu && parseQuantity(resources.limits.cpu) < parseQuantity(resources.requests.cpu)) {
        lim.fail("cpu", `must be ≥ requests.cpu (${resources.requests.cpu}), got ${resources.limits.cpu}`);
    }
    req.rejectUnknown();
    lim.rejectUnknown();
    res.rejectUnknown();
    return resources;
}

export function parseAutoscaling(as: Reader): AutoscalingConfig {
    const autoscaling: AutoscalingConfig = {
        enabled: as.bool("enabled", true),
        minReplicas: as.int("minReplicas", 2, 1, 1000),
        maxReplicas: as.int("maxReplicas", 10, 1, 1000),
        cpuUtilization: as.int("cpuUtilization", 50, 1, 100),
        memoryUtilization: as.has("memoryUtilization") ? as.int("memoryUtilization", 80, 1, 100) : (as.raw("memoryUtilization"), undefined),
        scaleDownStabilizationSeconds: as.int("scaleDownStabilizationSeconds", 300, 0, 3600),
    };
    if (autoscaling.maxReplicas < autoscaling.minReplicas) {
        as.fail("maxReplicas", `must be ≥ minReplicas (${autoscaling.minReplicas}), got ${autoscaling.maxReplicas}`);
    }
    as.rejectUnknown();
    return autoscaling;
}

/** `hasApiToken`: whether `goship:apiToken` is set (its value never reaches the parser). */
export function parseApp(ap: Reader, hasApiToken: boolean): AppSettings {
    const app: AppSettings = {
        port: ap.int("port", 8080, 1024, 65535),
        shutdownTimeoutSeconds: ap.int("shutdownTimeoutSeconds", 10, 1, 300),
        drainDelaySeconds: ap.int("drainDelaySeconds", 5, 0, 120),
        preStopSleepSeconds: ap.int("preStopSleepSeconds", 5, 0, 120),
        greeting: ap.string("greeting", "hello", { pattern: /^[^\n]{1,200}$/, allowed: "one line of at most 200 characters" }),
        logLevel: ap.string("logLevel", "info", { oneOf: ["debug", "info", "warn", "error"] }) as AppSettings["logLevel"],
        hasApiToken,
    };
    ap.rejectUnknown();
    return app;
}
