// Mocha's spec output, plus the counts written to $GOSHIP_SUMMARY_FILE so the test
// script can print one `N passed, N failed, N skipped` line for the whole run. Pending
// tests (it.skip, this.skip(), a skipped hook's tests) count as skipped, never as passed.
const Mocha = require("mocha");
const fs = require("fs");

class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const file = process.env.GOSHIP_SUMMARY_FILE;
            if (file) fs.appendFileSync(file, `mocha ${runner.stats.passes} ${runner.stats.failures} ${runner.stats.pending}\n`);
        });
    }
}
module.exports = SummaryReporter;
