// Service, Ingress and Namespace checks.
import * as k8s from "@pulumi/kubernetes";
import { resourcePolicy } from "./lib/define";

const ingresses = [k8s.networking.v1.Ingress];
const hostsOf = (props: any): string[] => (props.spec?.rules ?? []).map((r: any) => r.host);

export const ingressClass = resourcePolicy({
    name: "ingress-class",
    description: "Checks that every Ingress names its IngressClass (an unset class is picked up by whichever controller claims it).",
    severity: "medium",
    remediationSteps: "Set spec.ingressClassName (goship:ingress.className).",
    kinds: ingresses,
    check: (props, _k, report, res) => {
        if (!props.spec?.ingressClassName) report(`Ingress ${props.metadata?.name ?? res.name} has no ingressClassName: set it`);
    },
});

export const ingressHosts = resourcePolicy({
    name: "ingress-hosts",
    description: "Checks that every Ingress rule names one concrete host (no empty or wildcard host that would catch other apps' traffic).",
    severity: "high",
    remediationSteps: "Set a concrete host (goship:ingress.host).",
    kinds: ingresses,
    check: (props, _k, report, res) => {
        const rules = props.spec?.rules ?? [];
        if (rules.length === 0) report(`Ingress ${props.metadata?.name ?? res.name} has no rules: it would be a default backend`);
        for (const h of hostsOf(props)) {
            if (!h) report(`Ingress ${props.metadata?.name ?? res.name} has a rule without host: set one`);
            else if (h.includes("*")) report(`Ingress ${props.metadata?.name ?? res.name} uses wildcard host ${h}: name the host`);
        }
    },
});

export const ingressTls = resourcePolicy({
    name: "ingress-tls",
    description: "Checks that TLS covers every host of an Ingress.",
    severity: "high",
    remediationSteps: "Set goship:ingress.tlsSecretName (a certificate Secret for the host).",
    kinds: ingresses,
    check: (props, _k, report, res) => {
        const covered = new Set((props.spec?.tls ?? []).flatMap((t: any) => (t.secretName ? t.hosts ?? [] : [])));
        for (const h of hostsOf(props)) if (h && !covered.has(h)) report(`Ingress ${props.metadata?.name ?? res.name} serves ${h} without TLS: add it to spec.tls with a secretName`);
    },
});

export const ingressNoSnippets = resourcePolicy({
    name: "ingress-no-snippets",
    description: "Checks that no Ingress carries ingress-nginx *-snippet annotations, which inject raw nginx configuration (CVE-2021-25742 and later).",
    severity: "critical",
    remediationSteps: "Remove the *-snippet annotation; use a supported annotation or the controller's config.",
    kinds: ingresses,
    check: (props, _k, report, res) => {
        for (const a of Object.keys(props.metadata?.annotations ?? {})) {
            if (a.endsWith("-snippet") || a.endsWith("-snippets")) report(`Ingress ${props.metadata?.name ?? res.name} has annotation ${a}: remove it`);
        }
    },
});

export const serviceType = resourcePolicy({
    name: "service-type",
    description: "Checks that Services are not exposed directly (NodePort/LoadBalancer) where only the ingress controller should face users.",
    severity: "high",
    remediationSteps: "Use type ClusterIP and reach the app through the Ingress.",
    kinds: [k8s.core.v1.Service],
    knobs: { allowedTypes: { type: "array", items: { type: "string" }, default: ["ClusterIP", "NodePort", "LoadBalancer"], description: "Service types allowed." } },
    check: (props, knobs, report, res) => {
        const t = props.spec?.type ?? "ClusterIP";
        if (!knobs.allowedTypes.includes(t)) report(`Service ${props.metadata?.name ?? res.name} is type ${t}: use one of ${knobs.allowedTypes.join(", ")}`);
    },
});

const LEVELS = ["privileged", "baseline", "restricted"];

export const namespacePodSecurity = resourcePolicy({
    name: "namespace-pod-security",
    description: "Checks that every namespace enforces a Pod Security Standard at least as strict as required.",
    severity: "high",
    remediationSteps: "Label the namespace pod-security.kubernetes.io/enforce (goship:podSecurityLevel restricted).",
    kinds: [k8s.core.v1.Namespace],
    knobs: {
        level: { type: "string", enum: LEVELS, default: "baseline", description: "Lowest enforce level allowed." },
        exemptNamespaces: { type: "array", items: { type: "string" }, default: ["ingress-nginx"], description: "Namespaces held to baseline instead (the ingress controller needs NET_BIND_SERVICE and a writable filesystem)." },
    },
    check: (props, knobs, report, res) => {
        const name = props.metadata?.name ?? res.name;
        const level = props.metadata?.labels?.["pod-security.kubernetes.io/enforce"];
        const need = knobs.exemptNamespaces.includes(name) ? "baseline" : knobs.level;
        if (!level) report(`Namespace ${name} has no pod-security.kubernetes.io/enforce label: set it to ${need}`);
        else if (LEVELS.indexOf(level) < LEVELS.indexOf(need)) report(`Namespace ${name} enforces ${level}: enforce ${need}`);
    },
});

export const networkPolicies = [ingressClass, ingressHosts, ingressTls, ingressNoSnippets, serviceType, namespacePodSecurity];
