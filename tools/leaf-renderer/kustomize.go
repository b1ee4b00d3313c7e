package main

import (
	"log"
	"log/slog"
	"os"
	"strings"

	"sigs.k8s.io/kustomize/kustomize/v5/commands"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

var (
	defaultSchema = openapi.GetSchemaVersion()
	defaultSlog   = slog.Default()
)

// runKustomize runs the kustomize CLI (its root command, as its main does) with args, but with
// leaf-renderer-helm in place of the `--helm-command` helm, whose path it gives back in the output.
func runKustomize(args []string, helmExec string) reply {
	helm := "helm" // kustomize's default --helm-command
	args = append([]string(nil), args...)
	for i, arg := range args {
		if arg == "--helm-command" && i+1 < len(args) {
			helm, args[i+1] = args[i+1], helmExec
		} else if value, ok := strings.CutPrefix(arg, "--helm-command="); ok {
			helm, args[i] = value, "--helm-command="+helmExec
		}
	}
	resetLogging()
	stdout, stderr, code, err := captured(func() int {
		return exitCode(func() int {
			root := commands.NewDefaultCommand()
			root.SetArgs(args)
			if root.Execute() != nil {
				return 1
			}
			return 0
		})
	})
	// A kustomization's `openapi:` field replaces kyaml's global schema, and the next build without one would keep it.
	if openapi.GetSchemaVersion() != defaultSchema {
		openapi.ResetOpenAPI()
	}
	if err != nil {
		return reply{Stderr: []byte("leaf-renderer: " + err.Error() + "\n"), ExitCode: 2}
	}
	return reply{Stdout: stdout, Stderr: []byte(strings.ReplaceAll(string(stderr), helmExec, helm)), ExitCode: code}
}

// resetLogging undoes what a helm run did to the log and slog defaults: a new process starts with these.
func resetLogging() {
	slog.SetDefault(defaultSlog)
	log.SetOutput(os.Stderr)
	log.SetFlags(log.LstdFlags)
}
