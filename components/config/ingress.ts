// Parsing of `goship:ingress` (the app's host, path, class and TLS) and `goship:ingressNginx`
// (the controller goship installs). Pure.
import { DNS_LABEL, DNS_NAME, Reader } from "./validate";

/** The ingress-nginx Helm chart version goship pins (the last upstream line, see README). */
export const INGRESS_NGINX_CHART_VERSION = "4.14.3";

export interface IngressConfig {
    host: string;
    path: string;
    className: string;
    tlsSecretName?: string;
}

export interface IngressNginxConfig {
    install: boolean;
    namespace: string;
    chartVersion: string;
    replicas: number;
}

export function parseIngress(ing: Reader): IngressConfig {
    let host = "";
    if (!ing.has("host")) {
        ing.fail("host", "is required: the public host name of the service, e.g. goship.example.com");
        ing.raw("host");
    } else {
        host = ing.string("host", "", { pattern: DNS_NAME, allowed: "a DNS name without wildcard, e.g. goship.example.com" });
    }
    const ingress: IngressConfig = {
        host,
        path: ing.string("path", "/", { pattern: /^\/[A-Za-z0-9._~\/-]*$/, allowed: "an absolute URL path such as /" }),
        className: ing.string("className", "nginx", { pattern: DNS_LABEL, allowed: "an IngressClass name" }),
        tlsSecretName: ing.optionalString("tlsSecretName", { pattern: DNS_NAME, allowed: "a Secret name" }),
    };
    ing.rejectUnknown();
    return ingress;
}

export function parseIngressNginx(nx: Reader): IngressNginxConfig {
    const ingressNginx: IngressNginxConfig = {
        install: nx.bool("install", true),
        namespace: nx.string("namespace", "ingress-nginx", { pattern: DNS_LABEL, allowed: "a DNS label" }),
        chartVersion: nx.string("chartVersion", INGRESS_NGINX_CHART_VERSION, {
            pattern: /^\d+\.\d+\.\d+$/,
            allowed: "an exact chart version such as 4.14.3 (ranges would make previews unreproducible)",
        }),
        replicas: nx.int("replicas", 2, 1, 20),
    };
    nx.rejectUnknown();
    return ingressNginx;
}
