// leaf-renderer renders Argo CD leaves as `kustomize build --enable-helm` does, many per process: it reads
// one JSON request a line on stdin ({"args": kustomize's argv}), runs kustomize's own CLI in-process and
// answers one JSON line ({"stdout", "stderr" as base64, "exitCode"}). Kustomize's builtin OpenAPI schema is
// then parsed once per process, and its helm execs reach leaf-renderer-helm, which has helm's commands run
// here (helm.go), so neither pays a process start-up per leaf. Requests are served one at a time: kustomize
// and helm keep global state (run one process per concurrent render).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

type request struct {
	Args []string `json:"args"`
}

type reply struct {
	Stdout   []byte `json:"stdout"`
	Stderr   []byte `json:"stderr"`
	ExitCode int    `json:"exitCode"`
}

func main() {
	in, out, err := takeStdio()
	if err != nil {
		fail(err)
	}
	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	stop, err := serveHelm()
	if err != nil {
		fail(err)
	}
	defer stop()
	helmExec := filepath.Join(filepath.Dir(self), "leaf-renderer-helm")
	requests, replies := json.NewDecoder(in), json.NewEncoder(out)
	for {
		var req request
		if err := requests.Decode(&req); err == io.EOF {
			return
		} else if err != nil {
			fail(fmt.Errorf("reading a request: %w", err))
		}
		if err := replies.Encode(runKustomize(req.Args, helmExec)); err != nil {
			fail(fmt.Errorf("writing a reply: %w", err))
		}
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "leaf-renderer: %v\n", err)
	os.Exit(2)
}
