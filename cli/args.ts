// Command-line parsing and the help text. Pure: argv in, a parsed command or a usage error out.
import { parseArgs } from "util";
import { CliError, EXIT } from "./errors";
import { MOVES, MoveName } from "./moves";

export type Command =
    | { kind: "help"; topic?: string }
    | { kind: "status"; stack?: string; json: boolean }
    | { kind: "move"; move: MoveName; stack?: string; json: boolean; up: boolean; savePlan?: string };

export const COMMANDS = ["status", ...MOVES] as const;

export const HELP = `goship: where a release stands, and the next step as a reviewed config edit.

Usage: goship <command> [-s <stack>] [--json] [--up | --save-plan <file>]

Run it inside the goship project (the folder with Pulumi.yaml), with the same
environment as your \`pulumi\` commands (backend login, PULUMI_CONFIG_PASSPHRASE, a
kube context). goship drives the Pulumi CLI; it never reads or prints secrets.

Commands:
  status     The release in one line, its phase, step, weight, tracks and images,
             its history, and the moves allowed now, each with its config edit.
             With release.analysis set, the candidate's and stable's success rate
             and p99 latency from Prometheus, now.
  next       Advance one step: the next canary weight, the promotion, the blue/green
             switch or the scale-down of the old colour.
  abort      Stop the release in progress: weight 0, the stable version serves 100%.
  retry      Start an aborted version again from step 0.
  rollback   Go back to the previous stable version (after a promotion or a
             blue/green switch), or give up an aborted version.

A move (next, abort, retry, rollback) edits Pulumi.<stack>.yaml the way
\`pulumi config set\` does (comments stay), then runs \`pulumi preview\` and prints what
the release would do and which resources would change. Commit the edit and let the
reviewed pipeline run \`pulumi up\`. A move the release would refuse is refused before
the file changes, with the release's own reason. If the preview fails, the file is
restored.

Options:
  -s, --stack <name>  The stack (default: the selected stack, as for \`pulumi\`).
      --json          One JSON document on stdout (progress stays on stderr).
      --up            After the edit, run \`pulumi up\` instead of the preview. Meant
                      for dev stacks; production goes through review.
      --save-plan <file>
                      Save the preview as an update plan (\`pulumi preview --save-plan\`):
                      \`pulumi up --plan <file>\` then applies exactly what was reviewed.
  -h, --help          This text.

Exit codes: 0 done; 2 refused or bad input (nothing changed); 1 the engine or the
environment failed.

Examples:
  goship status -s dev
  goship next -s dev           # e.g. release.step 1 -> 2, then a preview
  goship abort -s prod --json
  goship next -s prod --save-plan plan.json   # then: pulumi up -s prod --plan plan.json
`;

/** Parses argv (without node and the script); throws a CliError(2) for bad usage. */
export function parse(argv: string[]): Command {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                stack: { type: "string", short: "s" },
                json: { type: "boolean", default: false },
                up: { type: "boolean", default: false },
                "save-plan": { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (e) {
        // util.parseArgs explains itself ("Unknown option '--x'…"); keep its first sentence.
        throw new CliError(EXIT.refused, `${(e as Error).message.split(/\. /)[0].replace(/\.$/, "")}: see \`goship --help\``);
    }
    const { values, positionals } = parsed;
    if (values.help || positionals.length === 0 || positionals[0] === "help") return { kind: "help" };
    const [name, ...rest] = positionals;
    if (!(COMMANDS as readonly string[]).includes(name)) {
        throw new CliError(EXIT.refused, `unknown command "${name}": one of ${COMMANDS.join(", ")} (see \`goship --help\`)`);
    }
    if (rest.length) throw new CliError(EXIT.refused, `goship ${name} takes no arguments, got "${rest.join(" ")}" (the stack is -s <name>)`);
    if (values.stack !== undefined && !/^[A-Za-z0-9_.\/-]+$/.test(values.stack)) {
        throw new CliError(EXIT.refused, `-s ${JSON.stringify(values.stack)} is not a stack name (letters, digits, -, _, ., /)`);
    }
    if (name === "status") {
        if (values.up || values["save-plan"] !== undefined) {
            throw new CliError(EXIT.refused, `${values.up ? "--up" : "--save-plan"} goes with a move (next, abort, retry, rollback), not with status`);
        }
        return { kind: "status", stack: values.stack, json: values.json! };
    }
    const savePlan = values["save-plan"];
    if (savePlan !== undefined && values.up) throw new CliError(EXIT.refused, "--save-plan saves a preview for review; --up applies at once: pick one");
    if (savePlan === "") throw new CliError(EXIT.refused, "--save-plan needs a file name, e.g. --save-plan plan.json");
    return { kind: "move", move: name as MoveName, stack: values.stack, json: values.json!, up: values.up!, ...(savePlan !== undefined ? { savePlan } : {}) };
}
