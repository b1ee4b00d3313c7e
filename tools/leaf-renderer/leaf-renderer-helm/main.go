// leaf-renderer-helm stands where kustomize expects a helm binary: it hands its argv, environment and
// working folder to the leaf renderer that started kustomize (over $LEAF_RENDERER_SOCKET), where helm's
// own commands run in-process, and replays helm's stdout, stderr and exit code. It imports next to
// nothing so that it starts in a millisecond or two, where helm's own start-up takes about 0.1 s.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
)

func main() {
	conn, err := net.Dial("unix", os.Getenv("LEAF_RENDERER_SOCKET"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "leaf-renderer-helm: no leaf renderer to ask: %v\n", err)
		os.Exit(1)
	}
	cwd, _ := os.Getwd()
	if err := json.NewEncoder(conn).Encode(map[string]any{"args": os.Args[1:], "env": os.Environ(), "dir": cwd}); err != nil {
		fmt.Fprintf(os.Stderr, "leaf-renderer-helm: %v\n", err)
		os.Exit(1)
	}
	var reply struct {
		Stdout, Stderr []byte
		ExitCode       int
	}
	if err := json.NewDecoder(conn).Decode(&reply); err != nil {
		fmt.Fprintf(os.Stderr, "leaf-renderer-helm: the leaf renderer did not answer: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(reply.Stdout)
	os.Stderr.Write(reply.Stderr)
	os.Exit(reply.ExitCode)
}
