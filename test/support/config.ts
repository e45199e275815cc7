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

/**
 * Pulumi.yaml's `config:` block, split into goship's own keys and the keys it sets for other
 * packages (`kubernetes:…`), which the goship parser never sees.
 */
export function projectConfig(): { own: Record<string, any>; foreign: Record<string, any> } {
    const YAML = require("yaml");
    const fs = require("fs");
    const path = require("path");
    const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.yaml"), "utf8"));
    const own: Record<string, any> = {};
    const foreign: Record<string, any> = {};
    for (const [k, v] of Object.entries<any>(project.config)) (k.includes(":") ? foreign : own)[k] = v;
    return { own, foreign };
}
