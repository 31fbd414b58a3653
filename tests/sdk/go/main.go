// The Go program of tests/sdk/test_languages_e2e.py: one SolutionVersion of the generated Go SDK
// (github.com/personalize-pulumi/personalize-pulumi/sdk/go/personalize, replaced by ../../../sdk/go in go.mod), run
// as an Automation API inline program on the real engine. Steps: `up`, a preview after a tag change, a preview after
// a retrainTriggers change, `destroy`. Reads SOLUTION_ARN (an ACTIVE solution) and WORK_DIR; the engine, its plugin
// (`pulumi-resource-personalize`) and the emulator come from the environment (PATH, PULUMI_*, AWS_*). Prints one JSON
// line of results on stdout; the engine's display goes to stderr.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/personalize-pulumi/personalize-pulumi/sdk/go/personalize"
)

const resourceType = "personalize:index:SolutionVersion"

func program(ctx *pulumi.Context) error {
	conf := config.New(ctx, "")
	model, err := personalize.NewSolutionVersion(ctx, "model", &personalize.SolutionVersionArgs{
		SolutionArn:     pulumi.String(conf.Require("solutionArn")),
		Tags:            pulumi.StringMap{"team": pulumi.String(conf.Require("team"))},
		RetrainTriggers: pulumi.Map{"data": pulumi.String(conf.Require("data"))},
	})
	if err != nil {
		return err
	}
	ctx.Export("solutionVersionArn", model.SolutionVersionArn)
	ctx.Export("status", model.Status)
	ctx.Export("tagsAll", model.TagsAll)
	return nil
}

// collect gathers the engine's steps on SolutionVersion resources ("create", "update", "replace", ...) from the
// event stream; the returned function waits for the stream's end (the Automation API closes the channel).
func collect() (chan events.EngineEvent, func() []string) {
	stream := make(chan events.EngineEvent)
	done := make(chan []string)
	go func() {
		ops := []string{}
		for event := range stream {
			if event.ResourcePreEvent != nil && event.ResourcePreEvent.Metadata.Type == resourceType {
				ops = append(ops, string(event.ResourcePreEvent.Metadata.Op))
			}
		}
		done <- ops
	}()
	return stream, func() []string { return <-done }
}

func run() error {
	ctx := context.Background()
	solutionArn, workDir := os.Getenv("SOLUTION_ARN"), os.Getenv("WORK_DIR")
	if solutionArn == "" || workDir == "" {
		return fmt.Errorf("set SOLUTION_ARN and WORK_DIR")
	}
	stack, err := auto.UpsertStackInlineSource(ctx, "dev", "personalize-sdk-go", program, auto.WorkDir(workDir))
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	err = stack.SetAllConfig(ctx, auto.ConfigMap{
		"solutionArn": {Value: solutionArn}, "team": {Value: "ml"}, "data": {Value: "d1"},
	})
	if err != nil {
		return err
	}
	results := map[string]any{}

	stream, ops := collect()
	up, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr), optup.EventStreams(stream))
	if err != nil {
		return fmt.Errorf("up: %w", err)
	}
	outputs := map[string]any{}
	for key, output := range up.Outputs {
		outputs[key] = output.Value
	}
	results["up"] = map[string]any{
		"result": up.Summary.Result, "changes": up.Summary.ResourceChanges, "ops": ops(), "outputs": outputs,
	}

	preview := func(name, key, value string) error {
		if err := stack.SetConfig(ctx, key, auto.ConfigValue{Value: value}); err != nil {
			return err
		}
		stream, ops := collect()
		result, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stderr), optpreview.EventStreams(stream))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		results[name] = map[string]any{"changes": result.ChangeSummary, "ops": ops()}
		return nil
	}
	if err := preview("tagPreview", "team", "search"); err != nil {
		return err
	}
	if err := stack.SetConfig(ctx, "team", auto.ConfigValue{Value: "ml"}); err != nil {
		return err
	}
	if err := preview("triggerPreview", "data", "d2"); err != nil {
		return err
	}

	destroy, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
	if err != nil {
		return fmt.Errorf("destroy: %w", err)
	}
	state, err := stack.Export(ctx)
	if err != nil {
		return err
	}
	var deployment struct {
		Resources []struct {
			Type string `json:"type"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(state.Deployment, &deployment); err != nil {
		return err
	}
	left := 0
	for _, resource := range deployment.Resources {
		if resource.Type == resourceType {
			left++
		}
	}
	results["destroy"] = map[string]any{
		"result": destroy.Summary.Result, "changes": destroy.Summary.ResourceChanges, "left": left,
	}
	return json.NewEncoder(os.Stdout).Encode(results)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "driver failed:", err)
		os.Exit(1)
	}
}
