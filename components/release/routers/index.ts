// The router registry (flagger's pkg/router/factory.go): a router kind → its adapter.
import type { Router, RouterConfig, RouterKind } from "../router";
import { gatewayApiRouter } from "./gateway-api";
import { nginxRouter } from "./nginx";

export const ROUTERS: { [K in RouterKind]: (config: Extract<RouterConfig, { kind: K }>) => Router } = {
    nginx: nginxRouter,
    gatewayApi: gatewayApiRouter,
};

/** Returns the router for a config; an unknown kind is an error, never a silent fallback. */
export function routerFor(config: RouterConfig): Router {
    const make = ROUTERS[config.kind] as ((c: RouterConfig) => Router) | undefined;
    if (!make) throw new Error(`unknown router "${config.kind}"; known routers: ${Object.keys(ROUTERS).join(", ")}`);
    return make(config);
}
