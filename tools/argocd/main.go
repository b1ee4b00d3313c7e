// Command argocd is the three Argo CD server components the e2e suite runs, chosen by the name the
// binary is run as (symlinks argocd-application-controller, argocd-repo-server, argocd-server) or by
// ARGOCD_BINARY_NAME, the convention of Argo CD's own image; argocd-git-ask-pass is what the
// repo-server execs for HTTPS credentials. argocd-redis is Argo CD's cache: miniredis (the Redis
// server Argo CD's own tests use, already in its module graph), so that no Redis package is needed.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/spf13/cobra"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	apiserver "github.com/argoproj/argo-cd/v3/cmd/argocd-server/commands"
	"github.com/argoproj/argo-cd/v3/util/grpc"
)

var commands = map[string]func() *cobra.Command{
	"argocd-application-controller": appcontroller.NewCommand,
	"argocd-repo-server":            reposerver.NewCommand,
	"argocd-server":                 apiserver.NewCommand,
	"argocd-git-ask-pass":           gitaskpass.NewCommand,
	"argocd-redis":                  redisCommand,
}

// redisCommand serves Redis on --addr until it is signalled.
func redisCommand() *cobra.Command {
	var addr string
	command := &cobra.Command{
		Use: "argocd-redis",
		RunE: func(*cobra.Command, []string) error {
			server := miniredis.NewMiniRedis()
			if err := server.StartAddr(addr); err != nil {
				return err
			}
			fmt.Printf("redis listening on %s\n", server.Addr())
			// miniredis only ages keys when told to: without this no TTL (Argo CD's revision and
			// manifest caches) would ever expire and new commits would go unnoticed.
			for range time.Tick(time.Second) {
				server.FastForward(time.Second)
			}
			return nil
		},
	}
	command.Flags().StringVar(&addr, "addr", "127.0.0.1:6379", "address to listen on")
	return command
}

func main() {
	// Argo CD's main does this too: gRPC's SRV lookups stall on resolvers that do not answer them.
	grpc.DisableSRVLookups()
	name := filepath.Base(os.Args[0])
	if env := os.Getenv("ARGOCD_BINARY_NAME"); env != "" {
		name = env
	}
	newCommand, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "%s: run as one of argocd-application-controller, argocd-repo-server, argocd-server, argocd-git-ask-pass, argocd-redis (a symlink or ARGOCD_BINARY_NAME)\n", name)
		os.Exit(2)
	}
	if err := newCommand().Execute(); err != nil {
		os.Exit(1)
	}
}
