// The TypeScript program of tests/sdk/test_languages_e2e.py: one SolutionVersion of the generated Node.js SDK
// (`@personalize-pulumi/personalize`), run as an Automation API inline program on the real engine. Steps: `up`,
// a preview after a tag change, a preview after a retrainTriggers change, `destroy`. Reads SOLUTION_ARN (an ACTIVE
// solution) and WORK_DIR; the engine, its plugin (`pulumi-resource-personalize`) and the emulator come from the
// environment (PATH, PULUMI_*, AWS_*). Prints one JSON line of results on stdout; the engine's display goes to stderr.
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, EngineEvent } from "@pulumi/pulumi/automation";
import * as personalize from "@personalize-pulumi/personalize";

const TYPE = "personalize:index:SolutionVersion";

const program = async () => {
    const config = new pulumi.Config();
    const model = new personalize.SolutionVersion("model", {
        solutionArn: config.require("solutionArn"),
        tags: { team: config.require("team") },
        retrainTriggers: { data: config.require("data") },
    });
    return { solutionVersionArn: model.solutionVersionArn, status: model.status, tagsAll: model.tagsAll };
};

/** The engine's steps on SolutionVersion resources in `events` ("create", "update", "replace", ...). */
function ops(events: EngineEvent[]): string[] {
    return events
        .map((event) => event.resourcePreEvent?.metadata)
        .filter((step) => step !== undefined && step.type === TYPE)
        .map((step) => step!.op);
}

async function main(): Promise<void> {
    const solutionArn = process.env.SOLUTION_ARN;
    const workDir = process.env.WORK_DIR;
    if (!solutionArn || !workDir) {
        throw new Error("set SOLUTION_ARN and WORK_DIR");
    }
    const stack = await LocalWorkspace.createOrSelectStack(
        { projectName: "personalize-sdk-ts", stackName: "dev", program },
        { workDir },
    );
    await stack.setAllConfig({
        solutionArn: { value: solutionArn },
        team: { value: "ml" },
        data: { value: "d1" },
    });
    const echo = (line: string) => process.stderr.write(line);

    const upEvents: EngineEvent[] = [];
    const up = await stack.up({ onOutput: echo, onEvent: (e) => upEvents.push(e) });

    await stack.setConfig("team", { value: "search" });
    const tagEvents: EngineEvent[] = [];
    const tagPreview = await stack.preview({ onOutput: echo, onEvent: (e) => tagEvents.push(e), diff: true });

    await stack.setConfig("team", { value: "ml" });
    await stack.setConfig("data", { value: "d2" });
    const triggerEvents: EngineEvent[] = [];
    const triggerPreview = await stack.preview({ onOutput: echo, onEvent: (e) => triggerEvents.push(e) });

    const destroy = await stack.destroy({ onOutput: echo });
    const state = await stack.exportStack();
    const left = (state.deployment.resources ?? []).filter((r: { type: string }) => r.type === TYPE).length;

    const results = {
        up: {
            result: up.summary.result,
            changes: up.summary.resourceChanges,
            ops: ops(upEvents),
            outputs: Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value])),
        },
        tagPreview: { changes: tagPreview.changeSummary, ops: ops(tagEvents) },
        triggerPreview: { changes: triggerPreview.changeSummary, ops: ops(triggerEvents) },
        destroy: { result: destroy.summary.result, changes: destroy.summary.resourceChanges, left },
    };
    process.stdout.write(JSON.stringify(results) + "\n");
}

main().catch((error) => {
    process.stderr.write(`driver failed: ${error instanceof Error ? error.stack ?? error.message : error}\n`);
    process.exit(1);
});
