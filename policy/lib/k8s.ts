// Pure helpers over plain Kubernetes objects (props as the engine passes them).

export const TYPES = {
    Namespace: "kubernetes:core/v1:Namespace",
    ConfigMap: "kubernetes:core/v1:ConfigMap",
    Secret: "kubernetes:core/v1:Secret",
    Service: "kubernetes:core/v1:Service",
    ResourceQuota: "kubernetes:core/v1:ResourceQuota",
    LimitRange: "kubernetes:core/v1:LimitRange",
    Deployment: "kubernetes:apps/v1:Deployment",
    Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    NetworkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    HPA: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    PDB: "kubernetes:policy/v1:PodDisruptionBudget",
    HTTPRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    ServiceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    PrometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
} as const;

export const NGINX = "nginx.ingress.kubernetes.io";

/** A plain resource as the runner and the stack policies see it. */
export interface Res {
    type: string;
    name: string;
    urn: string;
    props: any;
}

// Stack checks ask "the Deployments (Services, ...) of namespace N" once per object: indexed
// once per resource list (rebuilt if the list grew), that stays linear in the stack's size.
const nsKey = (type: string, ns: string | undefined) => `${type}\0${ns === undefined ? "\u0001" : ns}`;
const indexes = new WeakMap<Res[], { size: number; byKey: Map<string, Res[]> }>();
function indexed(rs: Res[], key: string): Res[] {
    let ix = indexes.get(rs);
    if (!ix || ix.size !== rs.length) {
        ix = { size: rs.length, byKey: new Map() };
        for (const r of rs) {
            for (const k of [r.type, nsKey(r.type, namespaceOf(r))]) {
                const list = ix.byKey.get(k);
                if (list) list.push(r);
                else ix.byKey.set(k, [r]);
            }
        }
        indexes.set(rs, ix);
    }
    return ix.byKey.get(key) ?? [];
}

/** The resources of one type (do not modify the array returned). */
export const of = (rs: Res[], type: string): readonly Res[] => indexed(rs, type);

/** The resources of one type in one namespace (do not modify the array returned). */
export const ofIn = (rs: Res[], type: string, ns: string | undefined): readonly Res[] => indexed(rs, nsKey(type, ns));

export function nameOf(r: Res): string {
    return r.props?.metadata?.name ?? r.name;
}

export function namespaceOf(r: Res): string | undefined {
    return r.props?.metadata?.namespace;
}

/** The pod spec of a workload object (Deployment here), or undefined. */
export function podSpecOf(props: any): any | undefined {
    return props?.spec?.template?.spec;
}

export function containersOf(pod: any): any[] {
    return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

/** Whether a label selector (matchLabels form) selects a label set. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
    if (!selector || Object.keys(selector).length === 0) return false;
    return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * Whether a full LabelSelector (matchLabels and matchExpressions) selects a label set.
 * An empty selector selects everything (a NetworkPolicy's `podSelector: {}`); a missing
 * one selects nothing.
 */
export function labelSelectorMatches(selector: any, labels: Record<string, string> | undefined): boolean {
    if (!selector || typeof selector !== "object") return false;
    const l = labels ?? {};
    const okLabels = Object.entries<string>(selector.matchLabels ?? {}).every(([k, v]) => l[k] === v);
    const okExpr = (selector.matchExpressions ?? []).every((e: any) => {
        const has = Object.prototype.hasOwnProperty.call(l, e.key);
        switch (e.operator) {
            case "In": return has && (e.values ?? []).includes(l[e.key]);
            case "NotIn": return !has || !(e.values ?? []).includes(l[e.key]);
            case "Exists": return has;
            case "DoesNotExist": return !has;
            default: return false;
        }
    });
    return okLabels && okExpr;
}

export interface ImageRef {
    registry?: string;
    repository: string;
    tag?: string;
    digest?: string;
}

/**
 * Parses an image reference properly: a colon in the first path component is a
 * registry port (`registry:5000/app` has no tag), a tag follows the last colon of the
 * last component, a digest follows `@`.
 */
export function parseImage(image: string): ImageRef {
    let rest = image;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    const parts = rest.split("/");
    let registry: string | undefined;
    if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) registry = parts.shift();
    const last = parts[parts.length - 1];
    let tag: string | undefined;
    const colon = last.lastIndexOf(":");
    if (colon >= 0) {
        tag = last.slice(colon + 1);
        parts[parts.length - 1] = last.slice(0, colon);
    }
    return { registry, repository: parts.join("/"), tag: tag || undefined, digest: digest || undefined };
}

/** Resolves an int-or-percent against a total; percentages round up (as for PDBs and maxSurge). */
export function intOrPercent(v: number | string | undefined, total: number, roundUp = true): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return v;
    const m = /^(\d+)%$/.exec(v);
    if (m) {
        const x = (Number(m[1]) * total) / 100;
        return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    return /^\d+$/.test(v) ? Number(v) : undefined;
}

/** Seconds the container's preStop hook sleeps (sleep action or `sleep N` exec), else 0. */
export function preStopSleepSeconds(container: any): number {
    const pre = container?.lifecycle?.preStop;
    if (!pre) return 0;
    if (pre.sleep?.seconds !== undefined) return Number(pre.sleep.seconds);
    const cmd: string[] = pre.exec?.command ?? [];
    const joined = cmd.join(" ");
    const m = /(?:^|\s)sleep\s+(\d+)/.exec(joined);
    return m ? Number(m[1]) : 0;
}

/** Whether a probe's port (name or number) exists on the container. */
export function probePort(probe: any): number | string | undefined {
    return probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
}

export function containerHasPort(container: any, port: number | string | undefined): boolean {
    if (port === undefined) return true; // exec probes have no port
    return (container?.ports ?? []).some((p: any) => p.name === port || p.containerPort === port || String(p.containerPort) === String(port));
}

const SECRET_NAME = /(pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential|auth)/i;
const SECRET_VALUE = [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\bAKIA[0-9A-Z]{16}\b/,
    /\bgh[pousr]_[A-Za-z0-9]{30,}\b/,
    /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/,
    /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./,
];

export function secretLookingName(name: string): boolean {
    return SECRET_NAME.test(name);
}

export function secretLookingValue(value: string): boolean {
    return SECRET_VALUE.some((re) => re.test(value));
}

/**
 * Whether the program itself set `spec.<field>`. Stack policies see a resource's outputs: on the
 * real engine that is the live object, with the API server's defaults filled in (a Deployment
 * without replicas comes back with `replicas: 1`), so presence proves nothing there. The
 * server-side-apply managed fields say who set what: the Kubernetes provider applies as a
 * `pulumi-kubernetes…` field manager. Without managed fields (previews, the mock runtime,
 * which see inputs) presence is the answer.
 */
export function specFieldSetByProgram(props: any, field: string): boolean {
    const managed: any[] | undefined = props?.metadata?.managedFields;
    if (!Array.isArray(managed) || managed.length === 0) return props?.spec?.[field] !== undefined;
    return managed.some((m) => String(m?.manager ?? "").startsWith("pulumi-kubernetes") && m?.operation === "Apply" &&
        m?.fieldsV1?.["f:spec"]?.[`f:${field}`] !== undefined);
}
