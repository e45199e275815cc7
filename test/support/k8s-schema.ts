// Validates a Kubernetes object against the OpenAPI schema of its apiVersion/kind, using
// the validators generated from the upstream OpenAPI spec that the `kubernetes-models`
// package ships, and for Gateway API kinds those that `@kubernetes-models/gateway-api`
// generates from the CRDs (no download at test time). The package is ESM-only with an exports
// map, so its model files are loaded by path (Node 22 can require ES modules).
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../offline/stack-config";

const base = path.join(ROOT, "node_modules/kubernetes-models");
/** CRD groups whose models live in a third-party package of the same family. */
const CRD_PACKAGES: Record<string, string> = {
    "gateway.networking.k8s.io": path.join(ROOT, "node_modules/@kubernetes-models/gateway-api"),
    "monitoring.coreos.com": path.join(ROOT, "node_modules/@kubernetes-models/prometheus-operator"),
};

/** `apps/v1` + `Deployment` → the model's module file. Core group objects live under `v1`. */
function modelFile(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (CRD_PACKAGES[group]) return path.join(CRD_PACKAGES[group], group, version, `${kind}.js`);
    return path.join(base, group || "", version, `${kind}.js`);
}

/** Returns schema problems (empty when valid). Throws if no schema exists for the kind. */
export function validateObject(obj: any): string[] {
    const file = modelFile(obj.apiVersion, obj.kind);
    if (!fs.existsSync(file)) throw new Error(`no OpenAPI schema for ${obj.apiVersion} ${obj.kind} (${file})`);
    const mod = require(file);
    const Model = mod[obj.kind];
    // Validated exactly as rendered: redaction keeps every field's type (see render-lib's redactValue).
    try {
        new Model(JSON.parse(JSON.stringify(obj))).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}
