package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	_ "unsafe" // for go:linkname

	_ "k8s.io/client-go/plugin/pkg/client/auth" // as helm's main imports it

	"helm.sh/helm/v4/pkg/cli"
	helmcmd "helm.sh/helm/v4/pkg/cmd"
	"helm.sh/helm/v4/pkg/kube"
)

// helm's command package reads its settings from the environment once, at start-up; each request
// brings the environment kustomize gave its helm process.
//
//go:linkname helmSettings helm.sh/helm/v4/pkg/cmd.settings
var helmSettings *cli.EnvSettings

// helmcmd.NewRootCmd registers a cobra initializer each time: a new process would hold only its own.
//
//go:linkname cobraInitializers github.com/spf13/cobra.initializers
var cobraInitializers []func()

const socketEnv = "LEAF_RENDERER_SOCKET"

type helmRequest struct {
	Args []string `json:"args"`
	Env  []string `json:"env"`
	Dir  string   `json:"dir"`
}

var helmRuns sync.Mutex

// serveHelm answers leaf-renderer-helm on a Unix socket it names in $LEAF_RENDERER_SOCKET, which the
// helm execs of kustomize inherit.
func serveHelm() (stop func(), err error) {
	dir, err := os.MkdirTemp("", "lr-")
	if err == nil && len(dir) > 90 { // a Unix socket's path has at most 107 bytes
		os.Remove(dir)
		dir, err = os.MkdirTemp("/tmp", "lr-")
	}
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("unix", dir+"/helm.sock")
	if err != nil {
		return nil, err
	}
	os.Setenv(socketEnv, dir+"/helm.sock")
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go answerHelm(conn)
		}
	}()
	return func() { listener.Close(); os.RemoveAll(dir) }, nil
}

func answerHelm(conn net.Conn) {
	defer conn.Close()
	var req helmRequest
	if err := json.NewDecoder(conn).Decode(&req); err != nil {
		return
	}
	helmRuns.Lock()
	defer helmRuns.Unlock()
	json.NewEncoder(conn).Encode(runHelm(req))
}

// runHelm runs helm's main in this process as it would run in its own: with the request's environment and
// working folder, fresh settings, and its own stdout and stderr.
func runHelm(req helmRequest) reply {
	restore, err := enter(req)
	if err != nil {
		return reply{Stderr: []byte("leaf-renderer: " + err.Error() + "\n"), ExitCode: 2}
	}
	defer restore()
	helmSettings = cli.New() // a new value, not a copy: it holds pointers to its own fields
	cobraInitializers = nil
	resetLogging()
	stdout, stderr, code, err := captured(func() int { return exitCode(func() int { return helmMain(req.Args) }) })
	if err != nil {
		return reply{Stderr: []byte("leaf-renderer: " + err.Error() + "\n"), ExitCode: 2}
	}
	return reply{Stdout: stdout, Stderr: stderr, ExitCode: code}
}

// helmMain is helm v4.3.1's cmd/helm main, returning its exit code.
func helmMain(args []string) int {
	kube.ManagedFieldsManager = "helm"
	cmd, err := helmcmd.NewRootCmd(os.Stdout, args, helmcmd.SetupLogging)
	if err != nil {
		slog.Warn("command failed", slog.Any("error", err))
		return 1
	}
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		if cerr, ok := errors.AsType[helmcmd.CommandError](err); ok {
			return cerr.ExitCode
		}
		return 1
	}
	return 0
}

// enter switches the process to the request's environment (without the socket) and folder.
func enter(req helmRequest) (restore func(), err error) {
	env, dir := os.Environ(), ""
	if dir, err = os.Getwd(); err != nil {
		return nil, err
	}
	if err := os.Chdir(req.Dir); err != nil {
		return nil, err
	}
	setEnv(req.Env)
	os.Unsetenv(socketEnv)
	return func() { setEnv(env); os.Chdir(dir) }, nil
}

func setEnv(env []string) {
	os.Clearenv()
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			os.Setenv(k, v)
		}
	}
}
