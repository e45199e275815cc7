// Where goship runs: the project folder and the Pulumi CLI, checked before the Automation API
// is even loaded, so these mistakes cost a user milliseconds and one line.
import * as fs from "fs";
import * as path from "path";
import { CliError, EXIT } from "./errors";

/** The folder with Pulumi.yaml: `dir` or its nearest ancestor, as the Pulumi CLI finds it. */
export function findProjectDir(dir: string): string {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "Pulumi.yaml"))) return d;
        if (path.dirname(d) === d) break;
    }
    throw new CliError(EXIT.refused, `no Pulumi.yaml in ${path.resolve(dir)} or above: run goship inside the goship project`);
}

export function pulumiOnPath(envPath = process.env.PATH ?? ""): string | undefined {
    for (const d of envPath.split(path.delimiter)) {
        const f = d && path.join(d, "pulumi");
        if (f && fs.existsSync(f)) return f;
    }
    return undefined;
}

/** Fails with one line when no `pulumi` is on PATH (nothing else can work then). */
export function requirePulumi(): void {
    if (!pulumiOnPath()) {
        throw new CliError(EXIT.refused, "the Pulumi CLI (`pulumi`) is not on PATH: install it (goship drives it through the Automation API), then run goship again");
    }
}
