// The smallest valid stack config, and the problems parseConfig reports for a config it refuses.
import * as assert from "assert";
import { parseConfig } from "../../components/config/schema";
import { ConfigError } from "../../components/config/validate";

export const minimal = () => ({ version: "1.0.0", ingress: { host: "goship.example.com" } });

export function problems(raw: Record<string, unknown>): string[] {
    try {
        parseConfig(raw, "test");
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.problems;
    }
    assert.fail("expected the config to be refused");
}
